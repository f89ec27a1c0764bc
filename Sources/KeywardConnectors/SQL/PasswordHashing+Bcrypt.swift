import CXCrypt
import KeywardCore

extension PasswordHashing {
    /// bcrypt through libxcrypt's reentrant `crypt_gensalt_rn` and `crypt_rn`.
    enum Bcrypt {
        /// bcrypt reads no more than this many bytes of a password.
        static let maximumByteCount = 72

        /// A `$2b$` hash of `password` with a fresh salt from the system's
        /// random source.
        static func hash(_ password: GuardedString, cost: Int) throws(ConnectorError) -> String {
            guard PasswordHashing.bcryptCosts.contains(cost) else {
                throw ConnectorError(.configuration, "the bcrypt cost must be from 4 to 31, not \(cost)")
            }
            try checkUsable(password)
            var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
            let made = setting.withUnsafeMutableBufferPointer { buffer in
                // No random bytes given: libxcrypt reads the system's random source.
                crypt_gensalt_rn("$2b$", UInt(cost), nil, 0, buffer.baseAddress, Int32(buffer.count)) != nil
            }
            guard made else { throw ConnectorError(.failed, "libxcrypt could not make a bcrypt salt") }
            guard let hash = crypt(password, setting: setting) else {
                throw ConnectorError(.failed, "libxcrypt could not compute a bcrypt hash")
            }
            return hash
        }

        /// Whether `password` hashes to `stored` (`$2a$`, `$2b$` or `$2y$`).
        static func verify(_ password: GuardedString, against stored: String) -> Bool {
            guard stored.hasPrefix("$2"), (try? checkUsable(password)) != nil else { return false }
            guard let computed = crypt(password, setting: Array(stored.utf8CString)) else { return false }
            return Array(computed.utf8).withUnsafeBytes { a in
                Array(stored.utf8).withUnsafeBytes { b in SecureMemory.constantTimeEquals(a, b) }
            }
        }

        /// Refuses what bcrypt would silently change: bytes past the 72nd,
        /// and a NUL byte (the end of a C string).
        private static func checkUsable(_ password: GuardedString) throws(ConnectorError) {
            if password.count > maximumByteCount {
                throw ConnectorError(
                    .policyRejected,
                    "the password is longer than bcrypt can store: bcrypt uses only the first 72 bytes; "
                        + "use a shorter password or pbkdf2-sha256 storage")
            }
            if password.withUnsafeBytes({ $0.contains(0) }) {
                throw ConnectorError(.policyRejected, "the password contains a NUL byte, which bcrypt cannot store")
            }
        }

        /// `crypt_rn(password, setting)`; nil when libxcrypt refuses.
        /// The password's C string and the `crypt_data` (which holds the
        /// password while hashing) are wiped before they are freed.
        private static func crypt(_ password: GuardedString, setting: [CChar]) -> String? {
            let phrase = UnsafeMutableRawBufferPointer.allocate(byteCount: password.count + 1, alignment: 1)
            let data = UnsafeMutableRawBufferPointer.allocate(
                byteCount: MemoryLayout<crypt_data>.size, alignment: MemoryLayout<crypt_data>.alignment)
            defer {
                SecureMemory.zero(phrase)
                phrase.deallocate()
                SecureMemory.zero(data)
                data.deallocate()
            }
            phrase.initializeMemory(as: UInt8.self, repeating: 0)
            data.initializeMemory(as: UInt8.self, repeating: 0)
            password.withUnsafeBytes { phrase.copyMemory(from: $0) }

            return setting.withUnsafeBufferPointer { setting -> String? in
                let output = crypt_rn(
                    phrase.baseAddress?.assumingMemoryBound(to: CChar.self), setting.baseAddress,
                    data.baseAddress, Int32(data.count))
                // A failed call returns NULL; some libxcrypt builds return a string starting with '*'.
                guard let output, output.pointee != CChar(UInt8(ascii: "*")) else { return nil }
                return String(cString: output)
            }
        }
    }
}
