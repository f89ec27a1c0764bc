public import Hummingbird

/// Strict headers on every response: no script, no framing, no sniffing,
/// no referrer (a set-password link must not leak through one), no caching
/// (pages show account details), and HSTS when served over HTTPS.
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    private let secureTransport: Bool

    /// Creates the middleware.
    public init(secureTransport: Bool) {
        self.secureTransport = secureTransport
    }

    /// The Content-Security-Policy: the server's own stylesheet, forms that
    /// post to itself, nothing else.
    public static var contentSecurityPolicy: String {
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        response.headers[.cacheControl] = "no-store"
        response.headers[.init("Cross-Origin-Opener-Policy")!] = "same-origin"
        response.headers[.init("Permissions-Policy")!] = "camera=(), microphone=(), geolocation=()"
        if secureTransport {
            response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains"
        }
        return response
    }
}
