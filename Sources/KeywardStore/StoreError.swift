/// A store failure, in words a person can act on. Never carries a secret.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: String, Sendable {
        /// No master key is configured.
        case missingKey = "missing-key"
        /// A stored secret cannot be decrypted with the keys at hand
        /// (unknown key id, or the value or key is wrong).
        case decryptionFailed = "decryption-failed"
        /// The file is not a Keyward store, or is damaged.
        case corrupt
        /// Another process holds the database locked for too long.
        case locked
        /// The store was written by a newer Keyward.
        case tooNew = "too-new"
        /// No such operation, identity or account.
        case notFound = "not-found"
        /// The request does not fit the object's state (cancel an executed
        /// operation, retry a password operation whose secret is gone).
        case invalidState = "invalid-state"
        /// Anything else the database reported.
        case database
        /// The database server cannot be reached now (down, restarting, the
        /// network): the call may succeed when tried again.
        case unavailable
        /// The store's settings are wrong (URL, password, TLS): fix them and start again.
        case misconfigured
    }

    /// What kind of failure.
    public var kind: Kind
    /// The message, naming the file, key id or operation.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// Whether trying again later may succeed: the database is unreachable
    /// for now, or held by another process.
    public var isTransient: Bool {
        kind == .unavailable || kind == .locked
    }
}
