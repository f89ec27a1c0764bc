import Foundation
public import Hummingbird
public import Logging

/// One line per request, at `notice` (so `keyward serve` shows it by
/// default): method, path, status, milliseconds, client. Never
/// a query string, a body or a header; the token of a set-password link is
/// cut from its path.
public struct AccessLogMiddleware: RouterMiddleware {
    public typealias Context = KeywardRequestContext
    private let logger: Logger

    /// Creates the middleware.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// The path as logged: without its query, and with the secret part of a
    /// link replaced.
    public static func loggedPath(_ path: String) -> String {
        let bare = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        for prefix in ["/set-password/"] where bare.hasPrefix(prefix) && bare.count > prefix.count {
            return prefix + "…"
        }
        return bare
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let elapsed = ContinuousClock.now - start
            let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
            logger.notice(
                "\(request.method) \(Self.loggedPath(request.uri.path)) \(status) \(String(format: "%.1f", milliseconds))ms \(context.clientAddress)")
        }
        do {
            let response = try await next(request, context)
            status = response.status.code
            return response
        } catch let error as any HTTPResponseError {
            status = error.status.code
            throw error
        }
    }
}
