public import Hummingbird
import KeywardStore
import Logging

/// `keyward serve`'s HTTP side: the JSON API (`/api/v1/…`, bearer tokens,
/// `/openapi.json`), the pages people use (`/set-password/TOKEN`, `/change`,
/// `/helpdesk`), `/healthz` and `/metrics`, behind the access log and the
/// security headers.
public enum KeywardServer {
    /// The router with every route and middleware.
    public static func router(_ dependencies: ServerDependencies) -> Router<KeywardRequestContext> {
        let router = Router(context: KeywardRequestContext.self)
        router.add(middleware: AccessLogMiddleware(logger: dependencies.logger))
        router.add(middleware: HTTPMetricsMiddleware(metrics: dependencies.metrics))
        router.add(middleware: SecurityHeadersMiddleware(secureTransport: dependencies.settings.secureTransport))
        router.get("/healthz") { _, _ in
            try await health(dependencies)
        }
        APIRoutes(dependencies).register(on: router)
        PageRoutes(dependencies).register(on: router)
        return router
    }

    /// `/healthz`: 200 "ok" when the store answers, 503 otherwise.
    static func health(_ dependencies: ServerDependencies) async throws -> Response {
        do {
            _ = try await dependencies.store.operationCounts()
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: .init(string: "ok\n")))
        } catch {
            return Response(
                status: .serviceUnavailable, headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: .init(string: "store unavailable\n")))
        }
    }
}
