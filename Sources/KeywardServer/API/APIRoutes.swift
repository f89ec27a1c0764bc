import Foundation
import Hummingbird
import KeywardCore
import KeywardEngine

/// The JSON API under `/api/v1` behind ``BearerAuthMiddleware``, registered
/// from ``APIRoute/all``, and the public `/openapi.json` and `/metrics`.
/// Every operation goes through the desk acting as `api:NAME`.
struct APIRoutes {
    /// The largest request body accepted.
    static let maximumBodySize = 16 * 1024

    let dependencies: ServerDependencies

    init(_ dependencies: ServerDependencies) {
        self.dependencies = dependencies
    }

    func register(on router: Router<KeywardRequestContext>) {
        let document = OpenAPIDocument.json
        router.get(RouterPath(APIRoute.openapi.path)) { _, _ in
            APIResponse.bytes(document, contentType: "application/json; charset=utf-8")
        }
        router.get(RouterPath(APIRoute.metrics.path)) { _, _ in
            let text = await dependencies.metrics.exposition(store: dependencies.store)
            return APIResponse.bytes(Data(text.utf8), contentType: ServerMetrics.contentType)
        }
        let api = router.group(RouterPath(APIRoute.prefix)).add(middleware: BearerAuthMiddleware(dependencies))
        for route in APIRoute.all {
            guard let method = HTTPRequest.Method(route.method) else { continue }
            api.on(RouterPath(route.routerPath), method: method) { request, context in
                try await handle(route, request, context)
            }
        }
    }

    /// Runs `route`'s handler.
    private func handle(_ route: APIRoute, _ request: Request, _ context: KeywardRequestContext) async throws -> Response {
        switch route {
        case .initialize: try await initialize(request, context)
        case .change: try await change(request, context)
        case .reset: try await reset(request, context)
        case .unlock: try await unlock(request, context)
        case .accounts: try await accounts(request, context)
        case .operations: try await operations(request, context)
        case .operation: try await operation(request, context)
        case .audit: try await audit(request, context)
        default: throw APIError.notFound("no such route")
        }
    }

    /// The desk acting for the client.
    func desk(for client: APIClient) -> PasswordDesk {
        dependencies.desk.acting(as: "api:\(client.name)")
    }

    /// Takes a password attempt for the client address and `username`; 429 when none is left.
    func takeAttempt(_ context: KeywardRequestContext, username: String) async throws(APIError) {
        if let wait = await dependencies.limits.attempt(client: context.clientAddress, account: username) {
            throw APIError.tooManyAttempts(retryAfter: wait)
        }
    }

    /// The `{username}` of the path.
    func username(_ context: KeywardRequestContext) throws(APIError) -> String {
        guard let username = context.parameters.get("username"), !username.isEmpty else {
            throw APIError.badRequest("the path must name a person: /api/v1/people/USERNAME/…")
        }
        return username
    }

    /// Runs a desk call, turning its refusal into the API's.
    func asAPI<T>(_ body: () async throws(ServiceError) -> T) async throws(APIError) -> T {
        do {
            return try await body()
        } catch {
            throw APIError(error)
        }
    }
}
