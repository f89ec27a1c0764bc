/// What the fake services share: the HTTPS server they stand on, its
/// certificates, and how many requests reached it.
public protocol FakeService: AnyObject, Sendable {
    /// The server, nil until it started.
    var httpServer: FakeHTTPServer? { get }
}

extension FakeService {
    /// Stops the server.
    public func stop() async {
        await httpServer?.stop()
    }

    /// `https://127.0.0.1:PORT`.
    var baseURL: String { httpServer?.baseURL ?? "" }
    /// The test CA's PEM file: the `caCertificate` to give the connector.
    public var caCertificatePath: String { httpServer?.caCertificatePath ?? "" }
    /// The PEM file of the CA that signed the certificate the fake presents.
    public var issuerCertificatePath: String { httpServer?.issuerCertificatePath ?? "" }
    /// How many requests reached the fake, token requests included.
    public var requestsReceived: Int { httpServer?.requestsReceived ?? 0 }
}
