import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// An HTTPS server on 127.0.0.1 at a port the system picks, answering every
/// request with a handler: the ground a fake service stands on. Tests
/// start it and stop it; it logs nothing.
///
/// It presents one of the ``FakeCertificates`` and writes the test CA to
/// ``caCertificatePath`` (the `caCertificate` a connector is given) in a
/// folder of its own, removed when it stops.
public final class FakeHTTPServer: Sendable {
    /// Answers one request.
    public typealias Handler = @Sendable (FakeRequest) async -> FakeResponse

    /// The port it listens on.
    public let port: Int
    /// The test CA's PEM file: what a connector trusts to reach the fakes.
    public let caCertificatePath: String
    /// The PEM file of the CA that signed the certificate this server presents.
    public let issuerCertificatePath: String
    private let directory: String
    private let received: RequestCounter
    private let task: Task<Void, any Error>

    private init(port: Int, directory: String, received: RequestCounter, task: Task<Void, any Error>) {
        self.port = port
        self.directory = directory
        caCertificatePath = directory + "/ca.pem"
        issuerCertificatePath = directory + "/issuer.pem"
        self.received = received
        self.task = task
    }

    /// `https://127.0.0.1:PORT`.
    public var baseURL: String { "https://127.0.0.1:\(port)" }

    /// How many requests reached the handler (a refused TLS handshake sends none).
    public var requestsReceived: Int { received.count.load(ordering: .relaxed) }

    /// Starts a server that presents `certificate` and answers with
    /// `handler`; returns once it listens.
    public static func start(
        certificate served: FakeCertificates.Served = .localhost, _ handler: @escaping Handler
    ) async throws -> FakeHTTPServer {
        let certificates = try FakeCertificates.shared()
        let directory = try writeAuthorities(certificates, served)
        let received = RequestCounter()
        let (ports, announce) = AsyncStream<Int>.makeStream()
        let responder = CallbackResponder { (request: Request, _: BasicRequestContext) in
            received.count.add(1, ordering: .relaxed)
            let body = try await request.body.collect(upTo: 4 << 20)
            let answer = await handler(FakeRequest(request, body: Array(body.readableBytesView)))
            var headers = HTTPFields()
            for (name, value) in answer.headers {
                if let field = Field.Name(name) { headers.append(Field(name: field, value: value)) }
            }
            return Response(
                status: HTTPResponse.Status(code: answer.status), headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        let identity = certificates.identity(served)
        let tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(identity.certificate).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: identity.key, format: .pem)))
        let application = Application(
            responder: responder,
            server: try .tls(.http1(), tlsConfiguration: tls),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                announce.yield(channel.localAddress?.port ?? 0)
                announce.finish()
            },
            logger: Logger(label: "keyward.test.fake-http") { _ in SwiftLogNoOpLogHandler() })
        let task = Task {
            defer { announce.finish() }
            try await application.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            _ = await task.result
            try? FileManager.default.removeItem(atPath: directory)
            throw FakeServerError(message: "the fake HTTPS server did not start on 127.0.0.1")
        }
        return FakeHTTPServer(port: port, directory: directory, received: received, task: task)
    }

    /// Stops the server, waits until it no longer listens, and removes its folder.
    public func stop() async {
        task.cancel()
        _ = await task.result
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A new folder holding `ca.pem` (the test CA) and `issuer.pem` (the CA
    /// that signed the certificate `served` stands for).
    private static func writeAuthorities(_ certificates: FakeCertificates, _ served: FakeCertificates.Served) throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("keyward-fake-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(certificates.authority).write(to: URL(fileURLWithPath: directory + "/ca.pem"))
        try Data(certificates.issuer(served)).write(to: URL(fileURLWithPath: directory + "/issuer.pem"))
        return directory
    }
}

/// The number of requests a server's handler received.
private final class RequestCounter: Sendable {
    let count = Atomic<Int>(0)
}

/// One header field (swift-http-types' `HTTPField`, which Hummingbird does not re-export).
typealias Field = HTTPFields.Element

/// A fake server that could not start.
public struct FakeServerError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
