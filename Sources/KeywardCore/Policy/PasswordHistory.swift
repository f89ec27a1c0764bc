import Crypto
import _CryptoExtras

/// The last passwords of an account, kept as salted PBKDF2-HMAC-SHA256
/// hashes so a policy's `history` rule can refuse a reused password.
///
/// Each entry has its own random 16-byte salt and records its iteration
/// count, so the count can be raised later without invalidating old entries.
/// The default, 600,000 iterations, is OWASP's figure for PBKDF2-HMAC-SHA256
/// (Password Storage Cheat Sheet); it costs a noticeable fraction of a
/// second per entry, which is the point. Tests pass a small count.
///
/// Entries are plain values (salt, hash, iteration count) that a store
/// persists however it likes; the type is deliberately not `Codable`, and
/// never holds the plaintext.
public struct PasswordHistory: Sendable, Equatable {
    /// One remembered password.
    public struct Entry: Sendable, Equatable {
        /// The random salt.
        public let salt: [UInt8]
        /// PBKDF2-HMAC-SHA256 of the password's UTF-8 under `salt`.
        public let hash: [UInt8]
        /// The PBKDF2 iteration count the hash was made with.
        public let iterations: Int

        /// Creates an entry, for instance from a store's row.
        public init(salt: [UInt8], hash: [UInt8], iterations: Int) {
            self.salt = salt
            self.hash = hash
            self.iterations = iterations
        }

        /// Whether `password` hashes to this entry, compared in constant time.
        /// An entry with an unusable iteration count (a damaged row) matches
        /// nothing.
        public func matches(_ password: GuardedString) -> Bool {
            guard let candidate = PasswordHistory.hash(password, salt: salt, iterations: iterations, byteCount: hash.count)
            else { return false }
            return candidate.withUnsafeBytes { a in
                hash.withUnsafeBytes { b in SecureMemory.constantTimeEquals(a, b) }
            }
        }
    }

    /// OWASP's recommended PBKDF2-HMAC-SHA256 iteration count.
    public static let defaultIterations = 600_000
    /// The salt length in bytes.
    public static let saltByteCount = 16
    /// The hash length in bytes (the SHA-256 output size).
    public static let hashByteCount = 32

    /// The remembered passwords, oldest first.
    public private(set) var entries: [Entry]
    /// The iteration count for entries recorded from now on.
    public let iterations: Int

    /// Creates a history from stored entries (oldest first).
    ///
    /// - Precondition: `iterations` is between 1 and `UInt32.max`.
    public init(entries: [Entry] = [], iterations: Int = PasswordHistory.defaultIterations) {
        precondition(Self.usable(iterations), "PBKDF2 iterations must be between 1 and UInt32.max")
        self.entries = entries
        self.iterations = iterations
    }

    /// The number of remembered passwords.
    public var count: Int { entries.count }

    /// Whether any remembered password equals `password`.
    public func contains(_ password: GuardedString) -> Bool {
        contains(password, inLast: entries.count)
    }

    /// Whether one of the `n` most recent passwords equals `password`.
    /// Costs one PBKDF2 per entry checked.
    public func contains(_ password: GuardedString, inLast n: Int) -> Bool {
        var found = false
        // Every entry is checked, so the time says nothing about which matched.
        for entry in entries.suffix(max(n, 0)) where entry.matches(password) {
            found = true
        }
        return found
    }

    /// Remembers `password` as the newest entry and keeps only the `n` most
    /// recent (`n` ≤ 0 forgets everything).
    public mutating func record(_ password: GuardedString, keeping n: Int) {
        guard n > 0 else {
            entries.removeAll()
            return
        }
        var salt = [UInt8](repeating: 0, count: Self.saltByteCount)
        var random = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = random.next() }
        if let hash = Self.hash(password, salt: salt, iterations: iterations, byteCount: Self.hashByteCount) {
            entries.append(Entry(salt: salt, hash: hash, iterations: iterations))
        }
        if entries.count > n { entries.removeFirst(entries.count - n) }
    }

    static func usable(_ iterations: Int) -> Bool {
        iterations >= 1 && iterations <= Int(UInt32.max)
    }

    /// PBKDF2-HMAC-SHA256 of the secret's bytes; nil when the parameters are
    /// unusable.
    static func hash(_ password: GuardedString, salt: [UInt8], iterations: Int, byteCount: Int) -> [UInt8]? {
        guard usable(iterations), byteCount > 0 else { return nil }
        return password.withUnsafeBytes { bytes -> [UInt8]? in
            let key = try? KDF.Insecure.PBKDF2.deriveKey(
                from: bytes, salt: salt, using: .sha256, outputByteCount: byteCount,
                unsafeUncheckedRounds: iterations)
            return key?.withUnsafeBytes { Array($0) }
        }
    }
}

extension PasswordHistory: CustomStringConvertible {
    /// `password history (N entries)`: no salts or hashes.
    public var description: String { "password history (\(entries.count) entries)" }
}
