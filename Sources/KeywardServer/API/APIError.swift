import Foundation
public import Hummingbird
public import KeywardEngine
import KeywardStore

/// A refusal of the API, answered as `{"error": {"kind", "message"}}` with
/// its status (and `WWW-Authenticate` or `Retry-After` where they apply).
/// The message is for people and never holds a secret: it is made from
/// names, never from a request's values.
public struct APIError: Error, HTTPResponseError, Sendable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable word for programs (`unauthorized`, `policy`, …).
    public var kind: String
    /// What went wrong and what to do.
    public var message: String
    /// Extra headers.
    public var headers: HTTPFields

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, kind: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.kind = kind
        self.message = message
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body: [String: Any] = ["error": ["kind": kind, "message": message]]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    // MARK: The refusals

    /// 400: the request is malformed.
    public static func badRequest(_ message: String) -> APIError {
        APIError(.badRequest, kind: "bad-request", message)
    }

    /// 401: no valid bearer token.
    public static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, kind: "unauthorized", message, headers: [.wwwAuthenticate: "Bearer realm=\"keyward\""])
    }

    /// 403: the token lacks `scope`.
    public static func forbidden(missing scope: APIScope) -> APIError {
        APIError(
            .forbidden, kind: "forbidden",
            "this token lacks the scope '\(scope.rawValue)'; create one with `keyward token create --scope \(scope.rawValue)`")
    }

    /// 404: nothing there.
    public static func notFound(_ message: String) -> APIError {
        APIError(.notFound, kind: "not-found", message)
    }

    /// 413: the body is larger than `limit` bytes.
    public static func tooLarge(limit: Int) -> APIError {
        APIError(.contentTooLarge, kind: "too-large", "the body is larger than \(limit) bytes")
    }

    /// 429: too many attempts; try again in `seconds`.
    public static func tooManyAttempts(retryAfter seconds: Int) -> APIError {
        APIError(
            .tooManyRequests, kind: "rate-limited", "too many attempts; try again in \(seconds) s",
            headers: [.retryAfter: String(seconds)])
    }

    /// The API's answer to a refusal of the desk.
    public init(_ error: ServiceError) {
        let status: HTTPResponse.Status
        switch error.kind {
        case .unknownUser, .unknownSystem: status = .notFound
        case .account: status = .conflict
        case .unsupported, .planning: status = .unprocessableContent
        case .link: status = .gone
        case .notification: status = .serviceUnavailable
        case .store where error.storeError?.isTransient == true:
            // The database is away for now (a restart, a failover): try again.
            self.init(.serviceUnavailable, kind: error.kind.rawValue, error.message, headers: [.retryAfter: "5"])
            return
        case .store: status = .internalServerError
        }
        self.init(status, kind: error.kind.rawValue, error.message)
    }
}
