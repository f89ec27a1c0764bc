import KeywardCore

/// The value AD takes in `unicodePwd`: the password in double quotes, as
/// UTF-16LE bytes (`"` + password + `"`).
enum UnicodePassword {
    /// The quoted UTF-16LE form of `password`, built straight from its UTF-8
    /// bytes into guarded memory (wiped when released); nil when the bytes
    /// are not valid UTF-8.
    static func value(of password: GuardedString) -> GuardedString? {
        let quote: UInt16 = 0x22
        let codeUnits: Int? = password.withUnsafeBytes { bytes in
            var count = 0
            var iterator = bytes.makeIterator()
            var decoder = UTF8()
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar): count += UTF16.width(scalar)
                case .emptyInput: return count
                case .error: return nil
                }
            }
        }
        guard let codeUnits else { return nil }
        return GuardedString(count: (codeUnits + 2) * 2) { buffer in
            var offset = 0
            func append(_ unit: UInt16) {
                buffer[offset] = UInt8(truncatingIfNeeded: unit)
                buffer[offset + 1] = UInt8(truncatingIfNeeded: unit >> 8)
                offset += 2
            }
            append(quote)
            password.withUnsafeBytes { bytes in
                var iterator = bytes.makeIterator()
                var decoder = UTF8()
                while case .scalarValue(let scalar) = decoder.decode(&iterator) {
                    UTF16.encode(scalar, into: append)
                }
            }
            append(quote)
        }
    }
}
