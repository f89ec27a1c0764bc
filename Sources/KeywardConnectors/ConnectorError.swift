/// A connector failure, structured so the engine can decide: retry a
/// transient one (``isTransient``), give up on the others. Its message
/// names the system and what failed, never a secret.
public struct ConnectorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: String, Sendable, CaseIterable {
        /// The account does not exist.
        case notFound = "not-found"
        /// An account with that key exists already.
        case alreadyExists = "already-exists"
        /// The system's password policy refused the password.
        case policyRejected = "policy-rejected"
        /// The credentials given (Keyward's, or the current password) were refused.
        case credentialsRejected = "credentials-rejected"
        /// Keyward may not do this on the system.
        case permissionDenied = "permission-denied"
        /// The system could not be reached.
        case unreachable
        /// The system did not answer in time.
        case timedOut = "timed-out"
        /// The system asked to slow down (``retryAfter`` says for how long, if it did).
        case throttled
        /// The system does not support the operation.
        case unsupported
        /// The connector's configuration is wrong (a missing column, a bad URL).
        case configuration
        /// The system answered with something Keyward did not expect.
        case protocolError = "protocol-error"
        /// Anything else.
        case failed
    }

    /// What kind of failure.
    public var kind: Kind
    /// The message, in words a person can act on. Never a secret.
    public var message: String
    /// How long the system asked to wait, when it did.
    public var retryAfter: Duration?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, retryAfter: Duration? = nil) {
        self.kind = kind
        self.message = message
        self.retryAfter = retryAfter
    }

    /// Whether trying again later may succeed.
    public var isTransient: Bool {
        switch kind {
        case .unreachable, .timedOut, .throttled: true
        default: false
        }
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
