import Foundation
import Synchronization

extension FakeServiceNow {
    /// Answers one request: the token endpoint, or the Table API.
    func respond(to request: FakeRequest) -> FakeResponse {
        let answer: FakeResponse
        if request.method == "POST" && request.path == "/oauth_token.do" {
            answer = token(request)
        } else {
            answer = state.withLock { state in tableAPI(request, state: &state) }
        }
        let record = Record(
            method: request.method, path: request.path, query: request.query, status: answer.status,
            scheme: request.header("authorization")?.split(separator: " ").first.map(String.init),
            bodyFields: request.json?.keys.sorted() ?? [])
        state.withLock { $0.records.append(record) }
        return answer
    }

    /// The Table API's error answer.
    static func error(_ status: Int, _ message: String, _ detail: String?) -> FakeResponse {
        .json(status, ["error": ["message": message, "detail": detail as Any], "status": "failure"])
    }

    static let hibernatingPage = """
        <html><head><title>Instance Hibernating page</title></head>
        <body><h1>Your instance is hibernating</h1><p>Log in to wake it up.</p></body></html>
        """

    private func tableAPI(_ request: FakeRequest, state: inout State) -> FakeResponse {
        switch state.faults.next() {
        case .throttle(let status, let retryAfter)?:
            var answer = Self.error(status, "Rate limit exceeded", "Too many requests for rule 'keyward'")
            if let retryAfter { answer.headers.append(("Retry-After", retryAfter)) }
            answer.headers += [
                ("X-RateLimit-Limit", "100"), ("X-RateLimit-Rule", "keyward"),
                ("X-RateLimit-Reset", String(Int(Date().timeIntervalSince1970) + (Int(retryAfter ?? "") ?? 60))),
            ]
            return answer
        case .html?:
            return .html(200, Self.hibernatingPage)
        case nil:
            break
        }
        guard authorized(request.header("authorization"), state: &state) else {
            return Self.error(401, "User Not Authenticated", "Required to provide Auth information")
        }
        let segments = request.path.split(separator: "/").map(String.init)
        guard segments.count >= 4, segments.count <= 5, segments[0...2] == ["api", "now", "table"] else {
            return Self.error(400, "Requested URI does not represent any resource", nil)
        }
        guard segments[3] == table else {
            return Self.error(400, "Invalid table \(segments[3])", nil)
        }
        let sysID = segments.count == 5 ? segments[4] : nil
        if request.method != "GET" && state.writesDenied {
            return Self.error(403, "Operation Failed", "ACL Exception Insert Failed due to security constraints")
        }
        switch (request.method, sysID) {
        case ("GET", nil): return list(request, state: state)
        case ("POST", nil): return insert(request, state: &state)
        case ("PATCH", let id?), ("PUT", let id?): return update(id, request, state: &state)
        case ("DELETE", let id?):
            guard state.users.removeValue(forKey: id) != nil else { return Self.noRecord }
            return FakeResponse(status: 204)
        default:
            return Self.error(405, "Method not Supported", "\(request.method) is not supported here")
        }
    }

    static let noRecord = error(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval")

    private func authorized(_ header: String?, state: inout State) -> Bool {
        guard let header else { return false }
        if header.hasPrefix("Basic ") {
            guard let data = Data(base64Encoded: String(header.dropFirst(6))) else { return false }
            return String(decoding: data, as: UTF8.self) == "\(username):\(password)"
        }
        return state.tokens.accepts(header, now: Date())
    }

    /// `/oauth_token.do`: the password grant, and client credentials where allowed.
    private func token(_ request: FakeRequest) -> FakeResponse {
        let form = request.form
        let denied = FakeResponse.json(401, ["error_description": "access_denied", "error": "server_error"])
        guard let clientID, form["client_id"] == clientID, form["client_secret"] == clientSecret else { return denied }
        switch form["grant_type"] {
        case "password":
            guard form["username"] == username, form["password"] == password else { return denied }
        case "client_credentials" where allowsClientCredentials:
            break
        default:
            return .json(400, ["error_description": "unsupported_grant_type", "error": "invalid_request"])
        }
        let (token, lifetime) = state.withLock { state in
            (state.tokens.issue(lifetime: state.tokenLifetime, now: Date()), state.tokenLifetime)
        }
        return .json(
            200,
            [
                "access_token": token, "refresh_token": "fake-refresh-" + UUID().uuidString, "scope": "useraccount",
                "token_type": "Bearer", "expires_in": lifetime,
            ])
    }
}
