/// Byte values and character classes of Lua's lexer (`lctype.c`, ASCII only),
/// as `Int` so that the end of input can be `-1`.
enum LuaByte {
    static let endOfInput = -1
    static let tab = 0x09
    static let lineFeed = 0x0A
    static let verticalTab = 0x0B
    static let formFeed = 0x0C
    static let carriageReturn = 0x0D
    static let escape = 0x1B
    static let space = 0x20
    static let doubleQuote = 0x22
    static let hash = 0x23
    static let singleQuote = 0x27
    static let minus = 0x2D
    static let dot = 0x2E
    static let equals = 0x3D
    static let openBracket = 0x5B
    static let backslash = 0x5C
    static let closeBracket = 0x5D

    static func ascii(_ scalar: Unicode.Scalar) -> Int { Int(scalar.value) }

    static func isDigit(_ byte: Int) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func isAlpha(_ byte: Int) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F
    }

    static func isAlphanumeric(_ byte: Int) -> Bool { isAlpha(byte) || isDigit(byte) }

    static func isHexDigit(_ byte: Int) -> Bool { hexValue(byte) != nil }

    static func hexValue(_ byte: Int) -> Int? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x61...0x66: byte - 0x61 + 10
        case 0x41...0x46: byte - 0x41 + 10
        default: nil
        }
    }

    /// C's `isspace` in the "C" locale, which Lua uses for `\z`.
    static func isSpace(_ byte: Int) -> Bool { byte == space || (byte >= tab && byte <= carriageReturn) }
}
