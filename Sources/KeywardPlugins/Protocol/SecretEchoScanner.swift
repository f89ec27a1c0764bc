import KeywardCore

/// Finds the secrets of a request in the plugin's answer, before the answer
/// is decoded, so that an echoed secret never becomes a Swift `String`.
///
/// The answer's raw bytes are searched, and so is every JSON string in it
/// after its escapes are undone (in a wiped buffer): `\u00e9`, `\"` or a
/// surrogate pair hide nothing. A secret of six bytes or more is found
/// anywhere inside a string; a shorter one only as a whole string, so that
/// a short password does not match ordinary words.
enum SecretEchoScanner {
    /// Secrets shorter than this are matched as whole strings only.
    static let minimumInnerMatch = 6

    /// Whether `line` holds one of `secrets`.
    static func finds(_ secrets: [GuardedString], in line: UnsafeRawBufferPointer) -> Bool {
        let secrets = secrets.filter { !$0.isEmpty }
        guard !secrets.isEmpty else { return false }
        for secret in secrets where secret.count >= minimumInnerMatch {
            if secret.withUnsafeBytes({ ByteSearch.contains($0, in: line) }) { return true }
        }
        let decoded = WipedBuffer(capacity: 256)
        var index = 0
        while index < line.count {
            guard line[index] == UInt8(ascii: "\"") else {
                index += 1
                continue
            }
            decoded.removeAll()
            index = decodeString(line, from: index + 1, into: decoded)
            let found = secrets.contains { secret in
                secret.withUnsafeBytes { wanted in decoded.withBytes { matches(wanted, $0) } }
            }
            if found { return true }
        }
        return false
    }

    private static func matches(_ secret: UnsafeRawBufferPointer, _ text: UnsafeRawBufferPointer) -> Bool {
        if secret.count >= minimumInnerMatch { return ByteSearch.contains(secret, in: text) }
        return secret.count == text.count && SecureMemory.constantTimeEquals(secret, text)
    }

    /// Decodes the JSON string whose first byte is at `start` (after its
    /// opening quote) into `buffer`; returns the index after its closing
    /// quote (or the end of the line).
    private static func decodeString(_ line: UnsafeRawBufferPointer, from start: Int, into buffer: WipedBuffer) -> Int {
        var index = start
        var pendingHigh: UInt32?
        while index < line.count {
            let byte = line[index]
            index += 1
            if byte == UInt8(ascii: "\"") { break }
            guard byte == UInt8(ascii: "\\"), index < line.count else {
                flush(&pendingHigh, into: buffer)
                buffer.append(byte)
                continue
            }
            let escape = line[index]
            index += 1
            if escape == UInt8(ascii: "u"), let unit = hexQuad(line, at: index) {
                index += 4
                if (0xD800...0xDBFF).contains(unit) {
                    flush(&pendingHigh, into: buffer)
                    pendingHigh = unit
                } else if (0xDC00...0xDFFF).contains(unit), let high = pendingHigh {
                    pendingHigh = nil
                    appendUTF8(0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00), into: buffer)
                } else {
                    flush(&pendingHigh, into: buffer)
                    appendUTF8(unit, into: buffer)
                }
                continue
            }
            flush(&pendingHigh, into: buffer)
            switch escape {
            case UInt8(ascii: "b"): buffer.append(0x08)
            case UInt8(ascii: "f"): buffer.append(0x0C)
            case UInt8(ascii: "n"): buffer.append(0x0A)
            case UInt8(ascii: "r"): buffer.append(0x0D)
            case UInt8(ascii: "t"): buffer.append(0x09)
            default: buffer.append(escape)
            }
        }
        flush(&pendingHigh, into: buffer)
        return index
    }

    /// A lone high surrogate becomes U+FFFD.
    private static func flush(_ pendingHigh: inout UInt32?, into buffer: WipedBuffer) {
        if pendingHigh != nil { appendUTF8(0xFFFD, into: buffer) }
        pendingHigh = nil
    }

    private static func hexQuad(_ line: UnsafeRawBufferPointer, at index: Int) -> UInt32? {
        guard index + 4 <= line.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = line[index + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Appends the UTF-8 of a code point (a lone low surrogate becomes U+FFFD).
    private static func appendUTF8(_ scalar: UInt32, into buffer: WipedBuffer) {
        let value = (0xD800...0xDFFF).contains(scalar) ? 0xFFFD : scalar
        switch value {
        case 0..<0x80:
            buffer.append(UInt8(value))
        case 0x80..<0x800:
            buffer.append(UInt8(0xC0 | value >> 6))
            buffer.append(UInt8(0x80 | value & 0x3F))
        case 0x800..<0x10000:
            buffer.append(UInt8(0xE0 | value >> 12))
            buffer.append(UInt8(0x80 | value >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | value & 0x3F))
        default:
            buffer.append(UInt8(0xF0 | value >> 18))
            buffer.append(UInt8(0x80 | value >> 12 & 0x3F))
            buffer.append(UInt8(0x80 | value >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | value & 0x3F))
        }
    }
}
