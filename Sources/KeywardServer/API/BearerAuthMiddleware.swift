import Foundation
public import Hummingbird
import KeywardStore
import Logging

/// Checks the API's bearer token (`Authorization: Bearer kw_…`) and puts
/// the client it names in the context; every route under `/api/v1` is
/// behind it. Missing, unknown, revoked and expired tokens get 401 with
/// `WWW-Authenticate: Bearer`; an unknown token also costs the client an
/// attempt of ``AttemptLimits`` (429 once they run out). The token itself
/// is never logged nor echoed.
public struct BearerAuthMiddleware: RouterMiddleware {
    public typealias Context = KeywardRequestContext
    private let dependencies: ServerDependencies

    /// Creates the middleware.
    public init(_ dependencies: ServerDependencies) {
        self.dependencies = dependencies
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("an API token is required: send `Authorization: Bearer TOKEN`")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError.unauthorized("the Authorization header must be `Bearer TOKEN`")
        }
        let secret = parts[1].trimmingCharacters(in: .whitespaces)
        let now = dependencies.settings.now()
        let token: APIToken?
        do {
            token = try await dependencies.store.useAPIToken(secret: secret, now: now)
        } catch {
            // Never `\(error)`: a database error may quote its statement; the
            // kind is enough to act on, and cannot carry the bearer token.
            let kind = (error as? StoreError).map { "\($0.kind)" } ?? "\(type(of: error))"
            dependencies.logger.error("API token lookup failed (store error: \(kind))")
            throw APIError(.internalServerError, kind: "store", "the store failed; see the server's log")
        }
        guard let token else {
            if let wait = await dependencies.limits.attempt(client: context.clientAddress, account: nil) {
                throw APIError.tooManyAttempts(retryAfter: wait)
            }
            throw APIError.unauthorized("this API token is not known")
        }
        if let revoked = token.revokedAt {
            throw APIError.unauthorized("this API token ('\(token.name)') was revoked at \(revoked.formatted(.iso8601))")
        }
        if let expiry = token.expiresAt, token.isExpired(at: now) {
            throw APIError.unauthorized("this API token ('\(token.name)') expired at \(expiry.formatted(.iso8601))")
        }
        var context = context
        context.client = APIClient(name: token.name, scopes: Set(token.scopes.compactMap(APIScope.init(rawValue:))))
        return try await next(request, context)
    }
}

extension KeywardRequestContext {
    /// The API client, when it has `scope`; 401 or 403 otherwise.
    func require(_ scope: APIScope) throws(APIError) -> APIClient {
        guard let client else { throw APIError.unauthorized("an API token is required") }
        guard client.scopes.contains(scope) else { throw APIError.forbidden(missing: scope) }
        return client
    }
}
