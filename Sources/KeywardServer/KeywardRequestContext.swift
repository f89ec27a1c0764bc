public import Hummingbird
public import NIOCore

/// What one request carries through the middleware to its route: the
/// client's address (for rate limits and the access log) and, once the
/// API's bearer token is checked, the client it names.
public struct KeywardRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's own values.
    public var coreContext: CoreRequestContextStorage
    /// Where the request came from.
    public let remoteAddress: SocketAddress?
    /// The API client a valid bearer token named; nil before the check and
    /// on the pages.
    public var client: APIClient?

    /// Creates the context of a request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        client = nil
    }

    /// The client's address as text, for rate-limit keys and the access log.
    public var clientAddress: String {
        remoteAddress?.ipAddress ?? "unknown"
    }
}
