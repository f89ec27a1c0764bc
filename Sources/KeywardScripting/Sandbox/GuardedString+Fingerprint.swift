internal import CLuaSandbox
public import KeywardCore

extension GuardedString {
    /// The first `digits` hex digits of the secret's SHA-256: enough for a
    /// person to tell two results apart, far too little to recover anything.
    /// Only the author tools show it (`keyward dry-run`).
    public func sha256Prefix(digits: Int = 8) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        withUnsafeBytes { bytes in
            digest.withUnsafeMutableBufferPointer { out in
                CLuaSandbox_sha256(bytes.baseAddress, bytes.count, out.baseAddress)
            }
        }
        let hex = digest.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
        return String(hex.prefix(max(0, min(digits, 64))))
    }
}
