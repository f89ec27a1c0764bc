import Crypto
public import KeywardCore

/// How a password is stored in a table: the hash Keyward writes, and how a
/// candidate password is checked against a stored value.
///
/// bcrypt comes from libxcrypt, PBKDF2 and SHA-256 from swift-crypto: no
/// hand-rolled cryptography. Password bytes are read only inside
/// `GuardedString.withUnsafeBytes`, and every temporary copy is wiped.
public enum PasswordHashing: Sendable, Hashable {
    /// The password itself (legacy; readable by anyone who reads the table).
    case cleartext
    /// Lowercase hex of an unsalted SHA-256 (legacy, for compatibility).
    case sha256Hex
    /// bcrypt (`$2b$`) with a cost factor from 4 to 31.
    case bcrypt(cost: Int)
    /// PBKDF2-HMAC-SHA256 in passlib's format:
    /// `$pbkdf2-sha256$ITERATIONS$SALT$HASH` (adapted base64).
    case pbkdf2SHA256(iterations: Int)

    /// The cost factors bcrypt accepts.
    public static let bcryptCosts = 4...31
    /// The fewest PBKDF2 iterations a configuration may ask for.
    public static let minimumPBKDF2Iterations = 1_000

    /// The value to store for `password`.
    ///
    /// - Throws: ``ConnectorError/Kind/policyRejected`` for a password bcrypt
    ///   cannot take whole (over 72 bytes, or holding a NUL byte);
    ///   ``ConnectorError/Kind/unsupported`` for ``cleartext``, whose stored
    ///   value is the password itself and never becomes a Swift `String`;
    ///   ``ConnectorError/Kind/failed`` when the library fails.
    public func hash(_ password: GuardedString) throws(ConnectorError) -> String {
        switch self {
        case .cleartext:
            throw ConnectorError(
                .unsupported, "cleartext storage has no hash: the stored value is the password itself")
        case .sha256Hex:
            return Self.sha256Hex(password)
        case .bcrypt(let cost):
            return try Bcrypt.hash(password, cost: cost)
        case .pbkdf2SHA256(let iterations):
            return try PBKDF2SHA256.hash(password, iterations: iterations)
        }
    }

    /// Whether `password` is the one `stored` was made from, compared in
    /// constant time. bcrypt and PBKDF2 take their parameters (cost,
    /// iterations, salt) from `stored`; a value that is not of this
    /// storage's format verifies nothing.
    public func verify(_ password: GuardedString, against stored: String) -> Bool {
        var stored = stored
        return stored.withUTF8 { verify(password, againstStoredBytes: UnsafeRawBufferPointer($0)) }
    }

    /// ``verify(_:against:)`` on the stored value's bytes, so a cleartext
    /// value read from the table need not become a `String`.
    public func verify(_ password: GuardedString, againstStoredBytes stored: UnsafeRawBufferPointer) -> Bool {
        switch self {
        case .cleartext:
            return password.withUnsafeBytes { SecureMemory.constantTimeEquals($0, stored) }
        case .sha256Hex:
            let expected = Array(Self.sha256Hex(password).utf8)
            let lowered = stored.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
            return expected.withUnsafeBytes { a in lowered.withUnsafeBytes { b in SecureMemory.constantTimeEquals(a, b) } }
        case .bcrypt:
            return Bcrypt.verify(password, against: String(decoding: stored, as: UTF8.self))
        case .pbkdf2SHA256:
            return PBKDF2SHA256.verify(password, against: String(decoding: stored, as: UTF8.self))
        }
    }

    /// The value the table holds for `password`: text to bind, or (for
    /// cleartext) the secret's own bytes.
    func storedValue(for password: GuardedString) throws(ConnectorError) -> SQLValue {
        if case .cleartext = self { return .secret(password) }
        return .text(try hash(password))
    }

    private static func sha256Hex(_ password: GuardedString) -> String {
        var hasher = SHA256()
        password.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return hexadecimal(hasher.finalize())
    }

    /// Lowercase hex of `bytes`.
    static func hexadecimal(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension PasswordHashing: CustomStringConvertible {
    /// The storage as a configuration names it (`bcrypt (cost 12)`).
    public var description: String {
        switch self {
        case .cleartext: "cleartext"
        case .sha256Hex: "sha256-hex"
        case .bcrypt(let cost): "bcrypt (cost \(cost))"
        case .pbkdf2SHA256(let iterations): "pbkdf2-sha256 (\(iterations) iterations)"
        }
    }
}
