import Crypto
import Foundation
public import KeywardCore

/// The AES-256 key that encrypts the secrets in confidential storage.
///
/// Keyward will not start without one: `keyward keygen` makes it, and
/// ``load(environment:keyFile:)`` finds it. The key never renders as text;
/// ``encoded()`` gives its base64 only as a ``GuardedString``.
public struct MasterKey: Sendable {
    /// `k` and the first 8 hex digits of the SHA-256 of the key bytes.
    ///
    /// Not secret: it names a key in messages and beside each stored value.
    public let id: String
    // Held as guarded bytes (wiped on release; `SymmetricKey` is not `Sendable`).
    private let material: GuardedString

    /// The key for swift-crypto, made for each use.
    var key: SymmetricKey {
        material.withUnsafeBytes { SymmetricKey(data: $0) }
    }

    /// The number of bytes of a master key.
    public static let byteCount = 32

    init(key: SymmetricKey) {
        self.material = key.withUnsafeBytes { GuardedString(bytes: $0) }
        self.id = key.withUnsafeBytes { bytes in
            let digest = SHA256.hash(data: bytes)
            return "k" + digest.prefix(4).map { byte in
                let hex = String(byte, radix: 16)
                return byte < 0x10 ? "0" + hex : hex
            }.joined()
        }
    }

    /// A new random key, from the system's secure random source.
    public static func generate() -> MasterKey {
        MasterKey(key: SymmetricKey(size: .bits256))
    }

    /// Reads a key from its base64 text (surrounding whitespace ignored).
    ///
    /// The error never repeats the text.
    public init(encoded: GuardedString) throws(StoreError) {
        let key: SymmetricKey? = encoded.withUnsafeBytes { text in
            var start = text.startIndex
            var end = text.endIndex
            while start < end, Self.isWhitespace(text[start]) { start += 1 }
            while end > start, Self.isWhitespace(text[end - 1]) { end -= 1 }
            var base64 = Data(UnsafeRawBufferPointer(rebasing: text[start..<end]))
            defer { base64.resetBytes(in: 0..<base64.count) }
            guard var raw = Data(base64Encoded: base64) else { return nil }
            defer { raw.resetBytes(in: 0..<raw.count) }
            guard raw.count == Self.byteCount else { return nil }
            return SymmetricKey(data: raw)
        }
        guard let key else {
            throw StoreError(
                .missingKey, "the master key is not 32 bytes of base64 (make one with `keyward keygen`)")
        }
        self.init(key: key)
    }

    /// The key as base64 text, as the key file holds it (without newline).
    public func encoded() -> GuardedString {
        material.withUnsafeBytes { bytes in
            var raw = Data(bytes)
            var text = raw.base64EncodedData()
            defer {
                raw.resetBytes(in: 0..<raw.count)
                text.resetBytes(in: 0..<text.count)
            }
            return GuardedString(bytes: text)
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }
}
