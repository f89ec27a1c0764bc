import KeywardCore

/// A secret that is not valid UTF-8 cannot be a JSON string.
struct InvalidUTF8: Error {}

extension WipedBuffer {
    /// Appends `text` as a JSON string: quoted, escaped.
    func appendJSON(_ text: String) {
        var text = text
        // A Swift string is valid UTF-8, so this cannot fail.
        text.withUTF8 { try? appendJSONString(UnsafeRawBufferPointer($0)) }
    }

    /// Appends the secret as a JSON string, escaped byte by byte from its
    /// guarded memory: it never becomes a Swift `String`.
    /// - Throws: ``InvalidUTF8`` when the secret is not valid UTF-8 text
    ///   (nothing of it is left in the buffer then).
    func appendJSON(secret: GuardedString) throws(InvalidUTF8) {
        let start = count
        do throws(InvalidUTF8) {
            try secret.withUnsafeBytes { bytes throws(InvalidUTF8) in try appendJSONString(bytes) }
        } catch {
            truncate(to: start)
            throw error
        }
    }

    /// Appends `bytes` (UTF-8) as a JSON string (RFC 8259): `"` and `\` are
    /// escaped, control characters and DEL become `\n`, `\t`, … or
    /// `\u00XX`; other characters, non-ASCII included, are copied as UTF-8.
    /// - Throws: ``InvalidUTF8`` for bytes that are not UTF-8 (overlong
    ///   forms, surrogates and code points past U+10FFFF included).
    func appendJSONString(_ bytes: UnsafeRawBufferPointer) throws(InvalidUTF8) {
        append(UInt8(ascii: "\""))
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                appendEscaped(ascii: byte)
                index += 1
                continue
            }
            let length = try Self.sequenceLength(bytes, at: index)
            append(UnsafeRawBufferPointer(rebasing: bytes[index..<index + length]))
            index += length
        }
        append(UInt8(ascii: "\""))
    }

    private func appendEscaped(ascii byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            append(UInt8(ascii: "\\"))
            append(byte)
        case 0x08: append(raw: "\\b")
        case 0x0C: append(raw: "\\f")
        case 0x0A: append(raw: "\\n")
        case 0x0D: append(raw: "\\r")
        case 0x09: append(raw: "\\t")
        case 0..<0x20, 0x7F:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            append(raw: "\\u00")
            append(hex[Int(byte >> 4)])
            append(hex[Int(byte & 0x0F)])
        default:
            append(byte)
        }
    }

    /// The length of the well-formed UTF-8 sequence that starts at `index`
    /// (Unicode 15, table 3-7).
    private static func sequenceLength(_ bytes: UnsafeRawBufferPointer, at index: Int) throws(InvalidUTF8) -> Int {
        let lead = bytes[index]
        let length: Int
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; second = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; second = 0x80...0x9F
        case 0xF0: length = 4; second = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; second = 0x80...0x8F
        default: throw InvalidUTF8()
        }
        guard index + length <= bytes.count, second.contains(bytes[index + 1]) else { throw InvalidUTF8() }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[index + offset]) {
            throw InvalidUTF8()
        }
        return length
    }
}
