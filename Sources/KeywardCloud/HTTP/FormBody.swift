/// Writes `application/x-www-form-urlencoded` fields (an OAuth token
/// request's) into a ``SecretBody``: every byte but `A–Z a–z 0–9 - . _ ~`
/// is percent-encoded, so a client secret never becomes a Swift `String`.
enum FormBody {
    /// The body for `fields`, in order.
    static func encode(_ fields: [(String, BodyText)]) -> SecretBody {
        var counter = CountingSink()
        write(fields, into: &counter)
        return SecretBody(count: counter.count, contentType: "application/x-www-form-urlencoded") { sink in
            write(fields, into: &sink)
        }
    }

    private static func write(_ fields: [(String, BodyText)], into sink: inout some ByteSink) {
        for (index, (name, value)) in fields.enumerated() {
            if index > 0 { sink.append(UInt8(ascii: "&")) }
            writeEncoded(.plain(name), into: &sink)
            sink.append(UInt8(ascii: "="))
            writeEncoded(value, into: &sink)
        }
    }

    private static func writeEncoded(_ text: BodyText, into sink: inout some ByteSink) {
        text.withBytes { bytes in
            for byte in bytes {
                if isUnreserved(byte) {
                    sink.append(byte)
                } else {
                    sink.append(UInt8(ascii: "%"))
                    sink.append(upperHexDigit(byte >> 4))
                    sink.append(upperHexDigit(byte & 0x0F))
                }
            }
        }
    }

    /// RFC 3986's unreserved characters.
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            true
        default: false
        }
    }

    private static func upperHexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
    }
}
