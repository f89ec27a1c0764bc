import KeywardConnectors
import KeywardCore

/// A JSON value a connector sends. There is no number: Graph and the Table
/// API take everything Keyward sends as strings, booleans and objects.
indirect enum JSONValue: Sendable {
    /// A string (a secret one among them).
    case text(BodyText)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`: clears a property on an update.
    case null
    /// An object, its members in order.
    case object([(String, JSONValue)])

    /// A plain string.
    static func string(_ text: String) -> JSONValue { .text(.plain(text)) }
    /// A secret string.
    static func secret(_ secret: GuardedString) -> JSONValue { .text(.secret(secret)) }
}

/// Writes a JSON object into a ``SecretBody``, byte by byte, escaping
/// strings as RFC 8259 says: `"` and `\` with a backslash, control
/// characters as `\n`, `\t`, … or `\u00XX`, and DEL as `\u007f`; other
/// bytes of valid UTF-8 pass as they are. A secret never becomes a Swift
/// `String` on the way.
enum JSONBody {
    /// The body for `members`.
    /// - Throws: ``ConnectorError/Kind/policyRejected`` when a secret is not
    ///   valid UTF-8, which JSON cannot carry (the message names the member).
    static func encode(_ members: [(String, JSONValue)]) throws(ConnectorError) -> SecretBody {
        try checkText(members, path: "")
        var counter = CountingSink()
        write(members, into: &counter)
        return SecretBody(count: counter.count, contentType: "application/json; charset=utf-8") { sink in
            write(members, into: &sink)
        }
    }

    private static func checkText(_ members: [(String, JSONValue)], path: String) throws(ConnectorError) {
        for (name, value) in members {
            switch value {
            case .text(let text) where !text.isValidUTF8:
                throw ConnectorError(
                    .policyRejected, "the value of \(path)\(name) is not valid UTF-8 text, which JSON cannot carry")
            case .object(let nested):
                try checkText(nested, path: "\(path)\(name).")
            default:
                continue
            }
        }
    }

    static func write(_ members: [(String, JSONValue)], into sink: inout some ByteSink) {
        sink.append(UInt8(ascii: "{"))
        for (index, (name, value)) in members.enumerated() {
            if index > 0 { sink.append(UInt8(ascii: ",")) }
            writeString(.plain(name), into: &sink)
            sink.append(UInt8(ascii: ":"))
            write(value, into: &sink)
        }
        sink.append(UInt8(ascii: "}"))
    }

    private static func write(_ value: JSONValue, into sink: inout some ByteSink) {
        switch value {
        case .text(let text): writeString(text, into: &sink)
        case .bool(let flag): flag ? sink.append(ascii: "true") : sink.append(ascii: "false")
        case .null: sink.append(ascii: "null")
        case .object(let members): write(members, into: &sink)
        }
    }

    /// `text` as a JSON string, quotes included.
    static func writeString(_ text: BodyText, into sink: inout some ByteSink) {
        sink.append(UInt8(ascii: "\""))
        text.withBytes { bytes in
            for byte in bytes { escape(byte, into: &sink) }
        }
        sink.append(UInt8(ascii: "\""))
    }

    private static func escape(_ byte: UInt8, into sink: inout some ByteSink) {
        let short: UInt8? =
            switch byte {
            case 0x22: 0x22  // "
            case 0x5C: 0x5C  // \
            case 0x08: UInt8(ascii: "b")
            case 0x0C: UInt8(ascii: "f")
            case 0x0A: UInt8(ascii: "n")
            case 0x0D: UInt8(ascii: "r")
            case 0x09: UInt8(ascii: "t")
            default: nil
            }
        if let short {
            sink.append(0x5C)
            sink.append(short)
        } else if byte < 0x20 || byte == 0x7F {
            sink.append(ascii: "\\u00")
            sink.append(hexDigit(byte >> 4))
            sink.append(hexDigit(byte & 0x0F))
        } else {
            sink.append(byte)
        }
    }

    /// The lowercase hexadecimal digit for `nibble` (0–15).
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
