import KeywardCore

/// The parser behind ``APIRequestBody``: RFC 8259 JSON over raw bytes, at
/// most ``maximumDepth`` levels deep. A string in a secret field is measured
/// in a first pass and decoded in a second straight into a
/// ``GuardedString``'s buffer. Errors name the byte offset, never the text.
struct JSONBytesParser {
    static let maximumDepth = 16

    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The top-level object, refusing keys outside `allowed`.
    mutating func topLevelObject(allowed: Set<String>, secrets: Set<String>) throws(APIError)
        -> [String: APIRequestBody.Value]
    {
        skipSpace()
        guard peek() == UInt8(ascii: "{") else { throw APIError.badRequest("the body must be a JSON object") }
        let fields = try object(depth: 1, allowed: allowed, secrets: secrets)
        skipSpace()
        guard index == bytes.count else { throw invalid("unexpected data after the object") }
        return fields
    }

    // MARK: Values

    private mutating func object(depth: Int, allowed: Set<String>?, secrets: Set<String>) throws(APIError)
        -> [String: APIRequestBody.Value]
    {
        guard depth <= Self.maximumDepth else { throw invalid("nested too deeply") }
        index += 1  // {
        var fields: [String: APIRequestBody.Value] = [:]
        skipSpace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            return fields
        }
        while true {
            skipSpace()
            guard peek() == UInt8(ascii: "\"") else { throw invalid("a field name was expected") }
            let key = try plainString()
            if let allowed, !allowed.contains(key) {
                let expected = allowed.sorted().joined(separator: ", ")
                throw APIError.badRequest("unknown field '\(Self.printable(key))'; the fields are: \(expected)")
            }
            guard fields[key] == nil else { throw APIError.badRequest("the field '\(Self.printable(key))' is given twice") }
            skipSpace()
            guard peek() == UInt8(ascii: ":") else { throw invalid("':' was expected") }
            index += 1
            skipSpace()
            if allowed != nil, secrets.contains(key), peek() == UInt8(ascii: "\"") {
                fields[key] = .secret(try guardedString())
            } else {
                fields[key] = try value(depth: depth)
            }
            skipSpace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return fields
            default: throw invalid("',' or '}' was expected")
            }
        }
    }

    private mutating func value(depth: Int) throws(APIError) -> APIRequestBody.Value {
        guard let byte = peek() else { throw invalid("a value was expected") }
        switch byte {
        case UInt8(ascii: "{"): return .object(try object(depth: depth + 1, allowed: nil, secrets: []))
        case UInt8(ascii: "["): return .array(try array(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try plainString())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(number())
        default: throw invalid("a value was expected")
        }
    }

    private mutating func array(depth: Int) throws(APIError) -> [APIRequestBody.Value] {
        guard depth <= Self.maximumDepth else { throw invalid("nested too deeply") }
        index += 1  // [
        var values: [APIRequestBody.Value] = []
        skipSpace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            return values
        }
        while true {
            skipSpace()
            values.append(try value(depth: depth))
            skipSpace()
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return values
            default: throw invalid("',' or ']' was expected")
            }
        }
    }

    private mutating func literal(_ word: StaticString, _ value: APIRequestBody.Value) throws(APIError)
        -> APIRequestBody.Value
    {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw invalid("a value was expected") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw invalid("a value was expected")
        }
        index += count
        return value
    }

    private mutating func number() -> String {
        let start = index
        while let byte = peek(),
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "+-.eE".utf8.contains(byte)
        {
            index += 1
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    // MARK: Strings

    private mutating func plainString() throws(APIError) -> String {
        var utf8: [UInt8] = []
        index = try Self.decodeString(bytes, from: index) { utf8.append($0) }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// The string at `index`, decoded into guarded memory: measured first,
    /// then written in place.
    private mutating func guardedString() throws(APIError) -> GuardedString {
        var count = 0
        let end = try Self.decodeString(bytes, from: index) { _ in count += 1 }
        let start = index
        let source = bytes
        let secret = GuardedString(count: count) { buffer in
            var offset = 0
            // Cannot fail: the first pass read the same bytes.
            _ = try? Self.decodeString(source, from: start) { byte in
                buffer[offset] = byte
                offset += 1
            }
        }
        index = end
        return secret
    }

    /// Decodes the JSON string starting at `start` (its opening quote),
    /// handing each UTF-8 byte to `sink`; returns the index after the
    /// closing quote.
    private static func decodeString(
        _ bytes: UnsafeRawBufferPointer, from start: Int, sink: (UInt8) -> Void
    ) throws(APIError) -> Int {
        var index = start + 1
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return index
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): sink(escape)
                case UInt8(ascii: "b"): sink(0x08)
                case UInt8(ascii: "f"): sink(0x0C)
                case UInt8(ascii: "n"): sink(0x0A)
                case UInt8(ascii: "r"): sink(0x0D)
                case UInt8(ascii: "t"): sink(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4(bytes, at: index)
                    index += 4
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw invalidAt(index, "a lone UTF-16 surrogate") }
                        let low = try hex4(bytes, at: index + 2)
                        guard (0xDC00..<0xE000).contains(low) else { throw invalidAt(index, "a lone UTF-16 surrogate") }
                        index += 6
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw invalidAt(index, "a lone UTF-16 surrogate")
                    }
                    utf8(scalar, sink)
                default:
                    throw invalidAt(index, "an unknown escape")
                }
            case 0..<0x20:
                throw invalidAt(index, "a control character in a string")
            default:
                sink(byte)
            }
        }
        throw invalidAt(index, "an unterminated string")
    }

    private static func hex4(_ bytes: UnsafeRawBufferPointer, at index: Int) throws(APIError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw invalidAt(index, "a short \\u escape") }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw invalidAt(index, "a bad \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private static func utf8(_ scalar: UInt32, _ sink: (UInt8) -> Void) {
        switch scalar {
        case 0..<0x80:
            sink(UInt8(scalar))
        case 0x80..<0x800:
            sink(UInt8(0xC0 | scalar >> 6))
            sink(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            sink(UInt8(0xE0 | scalar >> 12))
            sink(UInt8(0x80 | scalar >> 6 & 0x3F))
            sink(UInt8(0x80 | scalar & 0x3F))
        default:
            sink(UInt8(0xF0 | scalar >> 18))
            sink(UInt8(0x80 | scalar >> 12 & 0x3F))
            sink(UInt8(0x80 | scalar >> 6 & 0x3F))
            sink(UInt8(0x80 | scalar & 0x3F))
        }
    }

    // MARK: Helpers

    private func peek() -> UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    private mutating func skipSpace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private func invalid(_ what: String) -> APIError {
        Self.invalidAt(index, what)
    }

    private static func invalidAt(_ index: Int, _ what: String) -> APIError {
        APIError.badRequest("the body is not valid JSON at byte \(index): \(what)")
    }

    /// A field name for an error: at most 40 characters, printable ASCII.
    private static func printable(_ key: String) -> String {
        String(key.prefix(40).map { $0.isASCII && !$0.isWhitespace && ($0.asciiValue ?? 0) >= 0x20 ? $0 : "?" })
    }
}
