import Foundation

/// Header values as RFC 5322 and RFC 2047 want them: ASCII as written,
/// anything else as `=?UTF-8?B?…?=` encoded words, lines folded below 78
/// characters. Header text is never secret (a template that puts a secret
/// in the subject is refused when it is loaded).
enum HeaderText {
    /// The value of an unstructured header such as `Subject`, to follow
    /// `Name: ` (`nameLength` characters, with the colon and the space).
    static func unstructured(_ text: String, nameLength: Int) -> String {
        let words = needsEncoding(text) ? encodedWords(text) : text.split(separator: " ").map(String.init)
        return fold(words, firstLineUsed: nameLength)
    }

    /// A mailbox for `From` and `To`: `Name <address>`, the name quoted or
    /// encoded as needed, folded after `column` characters used on its first line.
    static func mailbox(_ mailbox: MailAddress, column: Int) -> String {
        guard let name = mailbox.displayName else { return mailbox.address }
        var words: [String]
        if needsEncoding(name) {
            words = encodedWords(name)
        } else if name.unicodeScalars.allSatisfy({ atomCharacters.contains($0) || $0 == " " }) {
            words = name.split(separator: " ").map(String.init)
        } else {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            words = "\"\(escaped)\"".split(separator: " ").map(String.init)
        }
        words.append("<\(mailbox.address)>")
        return fold(words, firstLineUsed: column)
    }

    /// A list of mailboxes, each after the first on a folded line of its own.
    static func mailboxList(_ mailboxes: [MailAddress], column: Int) -> String {
        mailboxes.enumerated().map { mailbox($0.element, column: $0.offset == 0 ? column : 1) }.joined(separator: ",\r\n ")
    }

    /// An RFC 5322 date: `Tue, 03 Nov 2026 10:00:00 +0000`.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// Whether `text` must be encoded: anything not printable ASCII, or
    /// something a reader would take for an encoded word.
    static func needsEncoding(_ text: String) -> Bool {
        text.contains("=?") || !text.unicodeScalars.allSatisfy { $0.isASCII && ($0.value >= 32 && $0.value < 127) }
    }

    /// `=?UTF-8?B?…?=` words of at most 64 characters (39 bytes of UTF-8), never
    /// splitting a character, so that a header name and one word fit a line.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(word(chunk)) }
        return words
    }

    private static func word(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?\(Data(bytes).base64EncodedString())?="
    }

    /// Joins `words` with spaces, breaking the line (CRLF and a space)
    /// before a word that would pass 78 characters.
    private static func fold(_ words: [String], firstLineUsed: Int) -> String {
        var result = ""
        var column = firstLineUsed
        for (index, word) in words.enumerated() {
            if index > 0 {
                if column + 1 + word.count > 78 {
                    result += "\r\n "
                    column = 1
                } else {
                    result += " "
                    column += 1
                }
            }
            result += word
            column += word.count
        }
        return result
    }

    private static let atomCharacters = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-".unicodeScalars)
}
