import Crypto
import Foundation
import KeywardCore
import _CryptoExtras

extension PasswordHashing {
    /// PBKDF2-HMAC-SHA256 in passlib's `pbkdf2_sha256` format, so that
    /// Python applications (passlib, Django's `hashers` via passlib) read
    /// what Keyward writes: `$pbkdf2-sha256$ITERATIONS$SALT$HASH`, salt and
    /// hash in passlib's adapted base64 (`.` for `+`, no padding).
    enum PBKDF2SHA256 {
        static let identifier = "pbkdf2-sha256"
        /// passlib's default salt size.
        static let saltByteCount = 16
        /// SHA-256's output size, passlib's default.
        static let hashByteCount = 32

        /// A hash of `password` under a fresh random salt.
        static func hash(_ password: GuardedString, iterations: Int) throws(ConnectorError) -> String {
            guard iterations >= 1, iterations <= Int(UInt32.max) else {
                throw ConnectorError(.configuration, "PBKDF2 iterations must be from 1 to \(UInt32.max), not \(iterations)")
            }
            var random = SystemRandomNumberGenerator()
            let salt = (0..<saltByteCount).map { _ in UInt8.random(in: .min ... .max, using: &random) }
            guard let hash = derive(password, salt: salt, iterations: iterations, byteCount: hashByteCount) else {
                throw ConnectorError(.failed, "swift-crypto could not compute a PBKDF2 hash")
            }
            return "$\(identifier)$\(iterations)$\(AdaptedBase64.encode(salt))$\(AdaptedBase64.encode(hash))"
        }

        /// Whether `password` hashes to `stored`, recomputed with the stored
        /// iteration count and salt.
        static func verify(_ password: GuardedString, against stored: String) -> Bool {
            let fields = stored.split(separator: "$", omittingEmptySubsequences: false)
            guard fields.count == 5, fields[0].isEmpty, fields[1] == identifier,
                let iterations = Int(fields[2]), iterations >= 1, iterations <= Int(UInt32.max),
                let salt = AdaptedBase64.decode(fields[3]),
                let expected = AdaptedBase64.decode(fields[4]), !expected.isEmpty,
                let computed = derive(password, salt: salt, iterations: iterations, byteCount: expected.count)
            else { return false }
            return computed.withUnsafeBytes { a in expected.withUnsafeBytes { b in SecureMemory.constantTimeEquals(a, b) } }
        }

        private static func derive(_ password: GuardedString, salt: [UInt8], iterations: Int, byteCount: Int) -> [UInt8]? {
            password.withUnsafeBytes { bytes -> [UInt8]? in
                let key = try? KDF.Insecure.PBKDF2.deriveKey(
                    from: bytes, salt: salt, using: .sha256, outputByteCount: byteCount,
                    unsafeUncheckedRounds: iterations)
                return key?.withUnsafeBytes { Array($0) }
            }
        }
    }

    /// passlib's `ab64`: standard base64 with `.` instead of `+` and no `=`.
    enum AdaptedBase64 {
        static func encode(_ bytes: [UInt8]) -> String {
            var text = Data(bytes).base64EncodedString()
            text.replace("+", with: ".")
            while text.hasSuffix("=") { text.removeLast() }
            return text
        }

        static func decode(_ text: Substring) -> [UInt8]? {
            guard !text.contains("+") else { return nil }
            var standard = String(text.replacing(".", with: "+"))
            if standard.count % 4 == 1 { return nil }
            while standard.count % 4 != 0 { standard.append("=") }
            return Data(base64Encoded: standard).map { Array($0) }
        }
    }
}
