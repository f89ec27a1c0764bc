import Foundation

extension ServerHarness.Reply {
    /// `error.kind` of a refusal.
    var errorKind: String? {
        (json["error"] as? [String: Any])?["kind"] as? String
    }

    /// `error.message` of a refusal ("" when there is none).
    var errorMessage: String {
        (json["error"] as? [String: Any])?["message"] as? String ?? ""
    }

    /// Every header and the body, for "appears nowhere" checks.
    var everything: String {
        headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n") + "\n\n" + body
    }
}

extension ServerHarness {
    /// `method path` with the token and a JSON body.
    func api(_ method: Method, _ path: String, token: String, body: String? = nil) async throws -> Reply {
        try await request(method, path, headers: Self.bearer(token), body: body)
    }
}
