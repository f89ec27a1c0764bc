import KeywardCore

/// A text value that goes into a request body: plain, or a secret whose
/// bytes are read only while the body is written.
enum BodyText: Sendable {
    /// A plain value (a name, a flag, an id).
    case plain(String)
    /// A secret (a password, a client secret).
    case secret(GuardedString)

    /// Gives the value's UTF-8 bytes to `body`.
    func withBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        switch self {
        case .plain(let text):
            var copy = text
            return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .secret(let secret):
            return secret.withUnsafeBytes { body($0) }
        }
    }

    /// Whether the bytes are valid UTF-8 (always, for a plain value).
    var isValidUTF8: Bool {
        guard case .secret = self else { return true }
        return withBytes { bytes in
            var iterator = bytes.makeIterator()
            var decoder = UTF8()
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue: continue
                case .emptyInput: return true
                case .error: return false
                }
            }
        }
    }
}
