import Foundation
import KeywardCore

/// Assembles an RFC 5322 message with a `multipart/alternative` body (a
/// text part, then an HTML part) into a ``SecureByteBuffer``.
///
/// A part's body is given as segments: plain text (template output, not
/// secret) and secrets, which are copied byte by byte into the wiped buffer
/// (HTML-escaped in the HTML part) and only then encoded.
struct MessageBuilder {
    /// A piece of a part's body.
    enum Segment {
        /// Rendered template text.
        case text(String)
        /// A secret's bytes.
        case secret(GuardedString)
    }

    var sender: MailAddress
    var recipients: [MailAddress]
    var subject: String
    var date: Date
    var messageID: String
    var encoding: TransferEncoding

    /// The whole message, headers and both parts.
    func build(text: [Segment], html: [Segment]) -> SecureByteBuffer {
        let boundary = "=_keyward_" + Self.randomHex(bytes: 12)
        let output = SecureByteBuffer(capacity: 8192)
        output.append(
            "Date: \(HeaderText.date(date))\r\n"
                + "From: \(HeaderText.mailbox(sender, column: 6))\r\n"
                + "To: \(HeaderText.mailboxList(recipients, column: 4))\r\n"
                + "Subject: \(HeaderText.unstructured(subject, nameLength: 9))\r\n"
                + "Message-ID: <\(messageID)>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Auto-Submitted: auto-generated\r\n"
                + "Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"\r\n"
                + "\r\n"
                + "This is a message in MIME format, with a text and an HTML part.\r\n")
        appendPart(text, type: "text/plain", boundary: boundary, escapeHTML: false, into: output)
        appendPart(html, type: "text/html", boundary: boundary, escapeHTML: true, into: output)
        output.append("--\(boundary)--\r\n")
        return output
    }

    private func appendPart(
        _ segments: [Segment], type: String, boundary: String, escapeHTML: Bool, into output: SecureByteBuffer
    ) {
        output.append(
            "--\(boundary)\r\n"
                + "Content-Type: \(type); charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: \(encoding.rawValue)\r\n"
                + "\r\n")
        let raw = SecureByteBuffer(capacity: 4096)
        for segment in segments {
            switch segment {
            case .text(let text): raw.append(Self.crlf(text))
            case .secret(let secret):
                secret.withUnsafeBytes { bytes in
                    if escapeHTML { Self.appendEscapingHTML(bytes, to: raw) } else { raw.append(bytes) }
                }
            }
        }
        raw.withUnsafeBytes { encoding.encode($0, into: output) }
    }

    /// `text` with every line break as CRLF.
    static func crlf(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// Copies `bytes` with `&`, `<`, `>`, `"` and `'` escaped as HTML entities.
    static func appendEscapingHTML(_ bytes: UnsafeRawBufferPointer, to output: SecureByteBuffer) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "&"): output.append("&amp;")
            case UInt8(ascii: "<"): output.append("&lt;")
            case UInt8(ascii: ">"): output.append("&gt;")
            case UInt8(ascii: "\""): output.append("&quot;")
            case UInt8(ascii: "'"): output.append("&#39;")
            default: output.append(byte)
            }
        }
    }

    /// `bytes` random bytes as lowercase hex.
    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
