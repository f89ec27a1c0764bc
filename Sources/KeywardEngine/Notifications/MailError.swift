/// Why a notification could not be rendered or delivered.
///
/// The message names the server, the system, the person or the template
/// file and says what to do; it never holds a password, the one-time link,
/// or any part of the message body. ``isTransient`` tells the outbox whether
/// to try again later.
public struct MailError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: String, Sendable, CaseIterable {
        /// The server refused a recipient (RCPT TO, 550/551/553; 45x is transient).
        case recipientRejected = "recipient-rejected"
        /// The server refused the sender (MAIL FROM, 550/553).
        case senderRejected = "sender-rejected"
        /// The server refused the message after receiving it (DATA, 554).
        case messageRejected = "message-rejected"
        /// The server refused Keyward's login (535, curl 67).
        case authenticationFailed = "authentication-failed"
        /// The server wants a login and none is configured (530, curl 55).
        case authenticationRequired = "authentication-required"
        /// The server does not offer STARTTLS (curl 64): nothing was sent.
        case tlsUnavailable = "tls-unavailable"
        /// The server's certificate is not trusted or does not name the host (curl 60).
        case certificateUntrusted = "certificate-untrusted"
        /// The TLS handshake failed (curl 35).
        case tlsFailed = "tls-failed"
        /// The server could not be reached (refused, no route, unknown host).
        case unreachable
        /// The server did not answer in time (curl 28).
        case timedOut = "timed-out"
        /// The connection broke off in the middle of the conversation.
        case connectionLost = "connection-lost"
        /// The server is not accepting mail now (421 and other 4xx replies).
        case serverBusy = "server-busy"
        /// The sending task was cancelled.
        case cancelled
        /// The mail settings are wrong (a bad URL, an unreadable CA file, a missing secret).
        case configuration
        /// A template is missing, malformed, or puts a secret where it must not be.
        case template
        /// The person (or their manager) has no mail address.
        case missingAddress = "missing-address"
        /// An address is not a plain `local@domain` address.
        case invalidAddress = "invalid-address"
        /// Writing the message (to a folder) failed.
        case delivery
        /// Anything else.
        case failed
    }

    /// What kind of failure.
    public var kind: Kind
    /// The message, in words a person can act on. Never a secret.
    public var message: String
    /// The SMTP reply code, when the server gave one.
    public var smtpCode: Int?
    /// The libcurl result code, when libcurl failed.
    public var curlCode: Int?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, smtpCode: Int? = nil, curlCode: Int? = nil) {
        self.kind = kind
        self.message = message
        self.smtpCode = smtpCode
        self.curlCode = curlCode
    }

    /// Whether trying again later may succeed: the server could not be
    /// reached, was too slow, dropped the connection, or answered with a 4xx
    /// (temporary) reply.
    public var isTransient: Bool {
        if let smtpCode, (400..<500).contains(smtpCode) { return true }
        switch kind {
        case .unreachable, .timedOut, .connectionLost, .serverBusy: return true
        default: return false
        }
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
