/// Building distinguished names from untrusted values (RFC 4514).
public enum LDAPDistinguishedName {
    /// `value` escaped for use as an attribute value in an RDN: `\` before
    /// `"` `+` `,` `;` `<` `=` `>` `\`, before a leading space or `#` and a
    /// trailing space; NUL and other control characters as `\XX` hex pairs.
    public static func escapeValue(_ value: String) -> String {
        let bytes = Array(value.utf8)
        var escaped: [UInt8] = []
        escaped.reserveCapacity(bytes.count)
        for (index, byte) in bytes.enumerated() {
            let isFirst = index == 0
            let isLast = index == bytes.count - 1
            switch byte {
            case 0x00..<0x20, 0x7F:
                escaped.append(UInt8(ascii: "\\"))
                escaped.append(contentsOf: hex(byte))
            case UInt8(ascii: "\""), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "<"),
                UInt8(ascii: "="), UInt8(ascii: ">"), UInt8(ascii: "\\"):
                escaped.append(contentsOf: [UInt8(ascii: "\\"), byte])
            case UInt8(ascii: "#") where isFirst, UInt8(ascii: " ") where isFirst || isLast:
                escaped.append(contentsOf: [UInt8(ascii: "\\"), byte])
            default:
                escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }

    /// `attribute=<escaped value>,parent`.
    public static func child(_ attribute: String, _ value: String, of parent: String) -> String {
        "\(attribute)=\(escapeValue(value)),\(parent)"
    }

    private static func hex(_ byte: UInt8) -> [UInt8] {
        let digits = Array("0123456789ABCDEF".utf8)
        return [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
    }
}
