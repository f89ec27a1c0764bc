import KeywardCore
import KeywardScripting

/// How the author tools show a secret: masked (a row of bullets, the length
/// in bytes and the first 8 hex digits of its SHA-256), or, only when asked
/// with `--reveal`, the value itself.
enum SecretDisplay {
    /// The fixed row of bullets a masked value shows (it says nothing about
    /// the length; the length is printed next to it).
    static let bullets = "••••••••"

    /// `•••••••• 9 bytes, sha256 1a2b3c4d`.
    static func masked(_ secret: GuardedString) -> String {
        "\(bullets) \(fingerprint(secret))"
    }

    /// `9 bytes, sha256 1a2b3c4d`: enough to tell two values apart, far too
    /// little to recover one.
    static func fingerprint(_ secret: GuardedString) -> String {
        "\(secret.count) \(secret.count == 1 ? "byte" : "bytes"), sha256 \(secret.sha256Prefix())"
    }

    /// The value as text when it is UTF-8, otherwise its bytes as `0x`-prefixed
    /// lower-case hex (a raw digest, for instance).
    static func revealed(_ secret: GuardedString) -> String {
        secret.withUnsafeBytes { bytes in
            if let text = String(validating: bytes, as: UTF8.self) { return text }
            return "0x" + bytes.map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
        }
    }

    /// Whether the secret's bytes start with `prefix`'s bytes.
    static func secret(_ secret: GuardedString, startsWith prefix: GuardedString) -> Bool {
        secret.withUnsafeBytes { bytes in
            prefix.withUnsafeBytes { start in
                bytes.count >= start.count
                    && SecureMemory.constantTimeEquals(UnsafeRawBufferPointer(rebasing: bytes[0..<start.count]), start)
            }
        }
    }

    /// `text` with every occurrence of the secret replaced by `<redacted>`.
    ///
    /// Defence in depth for Lua error messages shown to the author without
    /// `--reveal`: a script allowed to call `reveal()` could raise an error
    /// that quotes the value. Secrets shorter than 4 bytes are left alone, as
    /// replacing them would garble the message without protecting anything.
    static func redacting(_ secret: GuardedString?, in text: String) -> String {
        guard let secret, secret.count >= 4 else { return text }
        return secret.withPlaintext { plaintext in
            text.contains(plaintext) ? text.replacing(plaintext, with: GuardedString.redacted) : text
        }
    }
}
