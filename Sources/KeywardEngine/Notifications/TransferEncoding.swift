/// How a text or HTML part's UTF-8 travels (RFC 2045): quoted-printable
/// keeps mostly-ASCII text readable in the raw message, base64 suits text
/// in other scripts.
public enum TransferEncoding: String, Sendable, CaseIterable {
    /// `Content-Transfer-Encoding: quoted-printable` (the default).
    case quotedPrintable = "quoted-printable"
    /// `Content-Transfer-Encoding: base64`.
    case base64

    /// Appends `input` to `output`, encoded, ending with a line break.
    func encode(_ input: UnsafeRawBufferPointer, into output: SecureByteBuffer) {
        switch self {
        case .quotedPrintable: Self.quotedPrintable(input, into: output)
        case .base64: Self.base64Lines(input, into: output)
        }
    }

    /// RFC 2045 6.7: CRLF stays a line break; `=`, bytes outside printable
    /// ASCII, lone CR or LF, and a space or tab before a line break are
    /// written `=XX`; lines are at most 76 characters (soft breaks `=`CRLF).
    static func quotedPrintable(_ input: UnsafeRawBufferPointer, into output: SecureByteBuffer) {
        var column = 0
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte == cr, index + 1 < input.count, input[index + 1] == lf {
                output.append(cr)
                output.append(lf)
                column = 0
                index += 2
                continue
            }
            let atLineEnd = index + 1 == input.count
                || (input[index + 1] == cr && index + 2 < input.count && input[index + 2] == lf)
            let literal = (33...126).contains(byte) && byte != equals || ((byte == space || byte == tab) && !atLineEnd)
            let width = literal ? 1 : 3
            if column + width > 75 {
                output.append(equals)
                output.append(cr)
                output.append(lf)
                column = 0
            }
            if literal {
                output.append(byte)
            } else {
                output.append(equals)
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            }
            column += width
            index += 1
        }
        output.append(cr)
        output.append(lf)
    }

    /// Base64 in lines of 76 characters, each ending with CRLF.
    static func base64Lines(_ input: UnsafeRawBufferPointer, into output: SecureByteBuffer) {
        var start = 0
        while start < input.count {
            let end = min(start + 57, input.count)
            base64(UnsafeRawBufferPointer(rebasing: input[start..<end]), into: output)
            output.append(cr)
            output.append(lf)
            start = end
        }
    }

    /// Plain base64 of `input`, no line breaks.
    static func base64(_ input: UnsafeRawBufferPointer, into output: SecureByteBuffer) {
        var index = 0
        while index < input.count {
            let remaining = input.count - index
            let b0 = UInt32(input[index])
            let b1 = remaining > 1 ? UInt32(input[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(input[index + 2]) : 0
            let group = b0 << 16 | b1 << 8 | b2
            output.append(base64Alphabet[Int(group >> 18 & 63)])
            output.append(base64Alphabet[Int(group >> 12 & 63)])
            output.append(remaining > 1 ? base64Alphabet[Int(group >> 6 & 63)] : equals)
            output.append(remaining > 2 ? base64Alphabet[Int(group & 63)] : equals)
            index += 3
        }
    }

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let equals = UInt8(ascii: "=")
    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let hexDigits = Array("0123456789ABCDEF".utf8)
    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
}
