import Foundation
import Synchronization

extension FakeGraph {
    /// Answers one request: the token endpoint, or Graph.
    func respond(to request: FakeRequest) -> FakeResponse {
        if request.method == "POST" && request.path.hasSuffix("/oauth2/v2.0/token") {
            return token(request)
        }
        let requestID = UUID().uuidString.lowercased()
        var answer = state.withLock { state in graph(request, requestID: requestID, state: &state) }
        let profile = request.json?["passwordProfile"] as? [String: Any]
        if let password = profile?["password"] as? String, answer.status >= 400, state.withLock({ $0.quotesPasswords }) {
            answer = Self.quoting(password, in: answer)
        }
        answer.headers.append(("request-id", requestID))
        if let clientRequestID = request.header("client-request-id") {
            answer.headers.append(("client-request-id", clientRequestID))
        }
        let record = Record(
            method: request.method, path: request.path, query: request.query, status: answer.status,
            clientRequestID: request.header("client-request-id"), sentPassword: profile?["password"] is String,
            sentForceChange: profile?["forceChangePasswordNextSignIn"] as? Bool)
        state.withLock { $0.records.append(record) }
        return answer
    }

    private func graph(_ request: FakeRequest, requestID: String, state: inout State) -> FakeResponse {
        let error = { (status: Int, code: String, message: String) in
            Self.error(status, code, message, requestID: requestID, request: request)
        }
        guard request.path.hasPrefix("/v1.0/") else {
            return error(400, "BadRequest", "Invalid version.")
        }
        if case .throttle(let status, let retryAfter)? = state.faults.next() {
            var answer = status == 429
                ? error(429, "TooManyRequests", "Too many requests.")
                : error(503, "serviceNotAvailable", "Service unavailable.")
            if let retryAfter { answer.headers.append(("Retry-After", retryAfter)) }
            return answer
        }
        guard state.tokens.accepts(request.header("authorization"), now: Date()) else {
            let message = request.header("authorization") == nil
                ? "Access token is empty." : "Access token has expired or is not yet valid."
            return error(401, "InvalidAuthenticationToken", message)
        }
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true).dropFirst().map(String.init)
        switch (request.method, segments.count, segments.first) {
        case ("GET", 1, "organization"):
            return .json(200, ["value": [["id": tenant, "displayName": "Fake tenant"]]])
        case ("GET", 1, "users"):
            return listUsers(request, state: state, error: error)
        case ("POST", 1, "users"):
            return createUser(request, state: &state, error: error)
        case ("GET", 2, "users"), ("PATCH", 2, "users"), ("DELETE", 2, "users"):
            guard let user = Self.find(segments[1], in: state.users) else {
                return error(
                    404, "Request_ResourceNotFound",
                    "Resource '\(segments[1])' does not exist or one of its queried reference-property objects are not present.")
            }
            switch request.method {
            case "GET": return readUser(user, request, state: state, error: error)
            case "PATCH": return updateUser(user, request, state: &state, error: error)
            default: return deleteUser(user, state: &state, error: error)
            }
        default:
            return error(400, "BadRequest", "Resource not found for the segment '\(segments.first ?? "")'.")
        }
    }

    /// `answer` with the refused password appended to its error message.
    private static func quoting(_ password: String, in answer: FakeResponse) -> FakeResponse {
        guard let object = try? JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any],
            var error = object["error"] as? [String: Any], let message = error["message"] as? String
        else { return answer }
        error["message"] = message + " (passwordProfile.password was '\(password)')"
        var quoted = FakeResponse.json(answer.status, ["error": error])
        quoted.headers = answer.headers
        return quoted
    }

    /// Graph's error answer.
    static func error(
        _ status: Int, _ code: String, _ message: String, requestID: String, request: FakeRequest
    ) -> FakeResponse {
        var inner: [String: Any] = ["date": ISO8601DateFormatter().string(from: Date()), "request-id": requestID]
        if let clientRequestID = request.header("client-request-id") { inner["client-request-id"] = clientRequestID }
        return .json(status, ["error": ["code": code, "message": message, "innerError": inner]])
    }

    /// The token endpoint: the client credentials grant, or AADSTS errors.
    private func token(_ request: FakeRequest) -> FakeResponse {
        let form = request.form
        func failure(_ status: Int, _ error: String, _ code: Int, _ text: String) -> FakeResponse {
            .json(
                status,
                [
                    "error": error, "error_description": "AADSTS\(code): \(text)", "error_codes": [code],
                    "timestamp": ISO8601DateFormatter().string(from: Date()),
                    "trace_id": UUID().uuidString.lowercased(), "correlation_id": UUID().uuidString.lowercased(),
                ])
        }
        guard request.path == "/\(tenant)/oauth2/v2.0/token" else {
            return failure(400, "invalid_request", 90002, "Tenant not found.")
        }
        guard request.header("content-type")?.hasPrefix("application/x-www-form-urlencoded") == true,
            form["grant_type"] == "client_credentials"
        else {
            return failure(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
        }
        guard form["client_id"] == clientID else {
            return failure(400, "unauthorized_client", 700016, "Application was not found in the directory.")
        }
        guard form["client_secret"] == clientSecret else {
            return failure(401, "invalid_client", 7000215, "Invalid client secret provided.")
        }
        guard form["scope"]?.hasSuffix("/.default") == true else {
            return failure(400, "invalid_scope", 1002012, "The provided value for scope is not valid.")
        }
        let (token, lifetime) = state.withLock { state in
            (state.tokens.issue(lifetime: state.tokenLifetime, now: Date()), state.tokenLifetime)
        }
        return .json(
            200, ["token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": token])
    }
}
