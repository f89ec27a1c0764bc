public import Hummingbird

/// Counts every request in ``ServerMetrics`` by method, route pattern
/// (never the concrete path: no username, no link token) and status.
public struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let metrics: ServerMetrics

    /// Creates the middleware.
    public init(metrics: ServerMetrics) {
        self.metrics = metrics
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            let response = try await next(request, context)
            record(request, context, response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            record(request, context, error.status.code)
            throw error
        } catch {
            record(request, context, 500)
            throw error
        }
    }

    private func record(_ request: Request, _ context: Context, _ status: Int) {
        metrics.recordRequest(
            method: request.method.rawValue, route: context.endpointPath ?? "NotFound", status: status)
    }
}
