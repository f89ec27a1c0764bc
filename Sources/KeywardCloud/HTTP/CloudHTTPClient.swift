import AsyncHTTPClient
import Foundation
import KeywardConnectors
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// The HTTP side of one cloud connector: one `HTTPClient` (made on first
/// use, on NIO's shared event loops) for all of the connector's requests,
/// with a timeout per request, HTTPS whose certificate and host name are
/// always checked (against the system's CAs and ``CloudTrust``'s), no
/// redirects followed (a redirect would carry the bearer token and the
/// password elsewhere), and the bounded wait of ``ThrottleRetry`` on 429
/// and 503.
///
/// A connection that cannot be made (refused, or a certificate not
/// trusted) ends the request at once as unreachable, without trying to
/// connect again until the timeout: the queue's backoff tries later.
///
/// Log lines name the request (method and path), the status, the time and
/// the service's request ids; never a header value or a body.
final class CloudHTTPClient: Sendable {
    /// The most a response body may hold: 1 MiB.
    static let bodyLimit = 1 << 20

    /// How long one request may take, the response body included.
    let timeout: Duration
    /// The certificates trusted besides the system's.
    let trust: CloudTrust
    /// Where request lines go.
    let logger: Logger
    /// The wait on 429 and 503 inside one attempt.
    let throttling: ThrottleRetry

    private enum State {
        case idle
        case running(HTTPClient)
        case shutDown
    }

    private let state = Mutex<State>(.idle)

    /// A client; the connection pool starts with the first request.
    init(timeout: Duration, trust: CloudTrust, logger: Logger, throttling: ThrottleRetry = ThrottleRetry()) {
        self.timeout = timeout
        self.trust = trust
        self.logger = logger
        self.throttling = throttling
    }

    deinit {
        // A connector released without shutdown(): close the pool without waiting.
        if case .running(let client) = state.withLock({ $0 }) {
            client.shutdown { _ in }
        }
    }

    /// Sends `request`, waiting and trying again on 429 and 503 as
    /// ``throttling`` allows; returns the last response whatever its status.
    /// - Throws: ``ConnectorError/Kind/timedOut`` when no answer came in
    ///   time; ``ConnectorError/Kind/unreachable`` when the service could
    ///   not be reached; ``ConnectorError/Kind/protocolError`` for a body over
    ///   ``bodyLimit``.
    func send(_ request: CloudRequest) async throws(ConnectorError) -> CloudResponse {
        try await throttling.run(request.label, logger: logger) { () throws(ConnectorError) in
            try await exchange(request)
        }
    }

    /// Closes the connection pool; later requests fail as unreachable.
    func shutdown() async {
        let client: HTTPClient? = state.withLock { state in
            defer { state = .shutDown }
            if case .running(let client) = state { return client }
            return nil
        }
        try? await client?.shutdown()
    }

    private func client() throws(ConnectorError) -> HTTPClient {
        try state.withLock { state throws(ConnectorError) in
            switch state {
            case .running(let client):
                return client
            case .shutDown:
                throw ConnectorError(.unreachable, "the connector was shut down")
            case .idle:
                var configuration = HTTPClient.Configuration(
                    tlsConfiguration: trust.tlsConfiguration,
                    redirectConfiguration: .disallow,
                    timeout: HTTPClient.Configuration.Timeout(connect: Self.amount(timeout), read: Self.amount(timeout)))
                configuration.httpVersion = .automatic
                configuration.connectionPool.retryConnectionEstablishment = false
                let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
                state = .running(client)
                return client
            }
        }
    }

    private func exchange(_ request: CloudRequest) async throws(ConnectorError) -> CloudResponse {
        let client = try client()
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body {
            outgoing.headers.replaceOrAdd(name: "Content-Type", value: body.contentType)
            outgoing.body = .bytes(body.buffer)
        }
        let started = ContinuousClock.now
        do {
            let response = try await client.execute(outgoing, timeout: Self.amount(timeout))
            let body = try await response.body.collect(upTo: Self.bodyLimit)
            let answer = CloudResponse(
                status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: body)
            let elapsed = ContinuousClock.now - started
            logger.debug(
                "\(request.label) answered \(answer.status) in \(elapsed.milliseconds) ms",
                metadata: RequestIDs.metadata(of: answer))
            return answer
        } catch {
            throw transportFailure(error, request)
        }
    }

    /// The connector error for a request that got no response.
    private func transportFailure(_ error: any Error, _ request: CloudRequest) -> ConnectorError {
        let failure: ConnectorError
        if error is NIOTooManyBytesError {
            failure = ConnectorError(
                .protocolError, "\(request.label) answered with a body over \(Self.bodyLimit / 1024) KiB")
        } else if let error = error as? HTTPClientError, Self.timeouts.contains(error) {
            failure = ConnectorError(.timedOut, "\(request.label) got no answer within \(timeout)")
        } else if error is CancellationError || (error as? HTTPClientError) == .cancelled {
            failure = ConnectorError(.failed, "\(request.label) was cancelled")
        } else if let refusal = certificateRefusal(error, request) {
            failure = ConnectorError(
                .unreachable, "\(request.label) was not sent: the service's certificate was not trusted: \(refusal)")
        } else {
            let cause = RemoteText.sanitized(String(describing: error))
            failure = ConnectorError(.unreachable, "\(request.label) could not reach the service: \(cause)")
        }
        logger.notice("\(failure.description)")
        return failure
    }

    /// Why the service's certificate was refused, naming `caCertificate`;
    /// nil when `error` is not a refused certificate.
    private func certificateRefusal(_ error: any Error, _ request: CloudRequest) -> String? {
        if let error = error as? NIOSSLExtraError, error == .failedToValidateHostname {
            let host = URL(string: request.url)?.host ?? "the URL's host"
            return "it does not name \(host); put a host name the certificate holds in the URL (behind a "
                + "TLS-inspecting proxy, check that the proxy's CA is in caCertificate)"
        }
        // BoringSSL's chain check failed: the only public trace is the reason's name.
        if case .handshakeFailed(.sslError(let stack))? = error as? NIOSSLError,
            stack.contains(where: { $0.description.contains("CERTIFICATE_VERIFY_FAILED") })
        {
            return trust.advice
        }
        return nil
    }

    private static let timeouts: [HTTPClientError] = [
        .deadlineExceeded, .connectTimeout, .readTimeout, .writeTimeout, .tlsHandshakeTimeout,
        .getConnectionFromPoolTimeout,
    ]

    private static func amount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

extension Duration {
    /// The whole milliseconds.
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
