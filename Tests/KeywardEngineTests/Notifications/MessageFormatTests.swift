import Foundation
import KeywardCore
import KeywardEngine
import KeywardTestSupport
import Testing

/// The bytes of a rendered message: RFC 5322 headers, MIME structure, line
/// lengths and encodings, read without a mail server.
@Suite("Message format", .offThePool)
struct MessageFormatTests {
    static func lines(_ mail: OutgoingMail) -> [String] {
        MailFixture.text(of: mail).components(separatedBy: "\r\n")
    }

    @Test("headers, multipart/alternative, CRLF only, lines of at most 76 characters", arguments: TransferEncoding.allCases)
    func structure(_ encoding: TransferEncoding) throws {
        let renderer = try MailFixture.renderer(encoding: encoding)
        let mail = try MailFixture.render(.initializeOneWay, renderer: renderer, password: GuardedString(Canary.password))
        let text = MailFixture.text(of: mail)
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\r"))
        let headers = text.components(separatedBy: "\r\n\r\n")[0]
        for name in ["Date: ", "From: Keyward <keyward@example.org>", "To: John Doe <jdoe@example.org>", "Subject: ",
                     "Message-ID: <\(mail.messageID)>", "MIME-Version: 1.0", "Content-Type: multipart/alternative;\r\n boundary=\"=_keyward_"] {
            #expect(headers.contains("\r\n" + name) || headers.hasPrefix(name), "\(name)")
        }
        #expect(text.contains("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: \(encoding.rawValue)"))
        #expect(text.contains("Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: \(encoding.rawValue)"))
        #expect(mail.messageID.hasSuffix("@example.org"))
        for line in Self.lines(mail) { #expect(line.utf8.count <= 76, "\(line)") }
        #expect(!Self.lines(mail).contains { $0.hasSuffix(" ") || $0.hasSuffix("\t") })
    }

    @Test("quoted-printable: `=`, non-ASCII, trailing spaces and long lines")
    func quotedPrintable() throws {
        let folder = try TemplateFolderFixture()
        let long = String(repeating: "abcdefghij", count: 12)
        try folder.write("ldap/unlock.text.mustache", "a=b été  \n\(long)\n")
        let renderer = NotificationRenderer(templates: try folder.load(), sender: MailFixture.sender)
        let mail = try MailFixture.render(.unlock, renderer: renderer)
        let text = MailFixture.text(of: mail)
        #expect(text.contains("\r\n\r\na=3Db =C3=A9t=C3=A9 =20\r\n"))
        let folded = "\r\n\(long.prefix(75))=\r\n\(long.dropFirst(75))\r\n"
        #expect(text.contains(folded))
    }

    @Test("a long non-ASCII subject becomes encoded words of at most 75 characters that never split a character")
    func encodedWords() throws {
        let folder = try TemplateFolderFixture()
        let subject = String(repeating: "Mot de passe réinitialisé — ", count: 4) + "ok"
        try folder.write("reset.subject.mustache", subject)
        let renderer = NotificationRenderer(templates: try folder.load(), sender: MailFixture.sender)
        let mail = try MailFixture.render(.reset, renderer: renderer)
        #expect(mail.subject == subject.trimmingCharacters(in: .whitespaces))
        let lines = Self.lines(mail)
        let start = try #require(lines.firstIndex { $0.hasPrefix("Subject: ") })
        var words: [String] = [String(lines[start].dropFirst("Subject: ".count))]
        var index = start + 1
        while lines[index].hasPrefix(" ") {
            words.append(String(lines[index].dropFirst()))
            index += 1
        }
        #expect(words.count > 1)
        var decoded = ""
        for word in words.flatMap({ $0.split(separator: " ") }) {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            let payload = try #require(Data(base64Encoded: String(word.dropFirst(10).dropLast(2))))
            decoded += try #require(String(data: payload, encoding: .utf8), "a word splits a character")
        }
        #expect(decoded == mail.subject)
    }

    @Test("the mail shows its envelope, never its body")
    func description() throws {
        let mail = try MailFixture.render(.initializeOneWay, password: GuardedString(Canary.password))
        #expect("\(mail)".hasPrefix("initialize-one-way mail about jdoe on ldap to jdoe@example.org (Message-ID <"))
        var dumped = ""
        dump(mail, to: &dumped)
        #expect(!dumped.contains(Canary.password))
        #expect(MailFixture.text(of: mail).contains(Canary.password))
    }
}
