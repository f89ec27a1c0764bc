
/// One HTTP request a connector sends.
struct CloudRequest: Sendable {
    /// The method.
    var method: HTTPVerb
    /// The full URL.
    var url: String
    /// What the request is for, in log lines and errors: the method and the
    /// path, never the query or the body (`PATCH /users/alice@example.org`).
    var label: String
    /// Headers besides `Content-Type`, which the body sets.
    var headers: [(String, String)] = []
    /// The body, if any; the caller wipes it after the exchange.
    var body: SecretBody?
}
