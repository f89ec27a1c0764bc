import Logging

/// The ids services give a request, kept for the audit and the logs so that
/// an admin can find the request in the service's own logs.
enum RequestIDs {
    /// The response headers that carry an id: Graph's `request-id` and the
    /// `client-request-id` it echoes, ServiceNow's `X-Transaction-ID`, and
    /// the `X-Request-ID` a proxy may add.
    static let headers = ["request-id", "client-request-id", "X-Transaction-ID", "X-Request-ID"]

    /// The ids in `response`, as `name value` pairs joined by commas
    /// (`request-id 0b7e…, client-request-id 4f1c…`); empty when it has none.
    static func text(of response: CloudResponse) -> String {
        pairs(of: response).map { "\($0.0) \($0.1)" }.joined(separator: ", ")
    }

    /// The ids in `response`, as log metadata.
    static func metadata(of response: CloudResponse) -> Logger.Metadata {
        Dictionary(pairs(of: response).map { ($0.0.lowercased(), .string($0.1)) }, uniquingKeysWith: { first, _ in first })
    }

    private static func pairs(of response: CloudResponse) -> [(String, String)] {
        headers.compactMap { name in RemoteText.identifier(response.header(name)).map { (name, $0) } }
    }
}
