import Foundation
import KeywardCore
import KeywardEngine
import KeywardTestSupport
import Testing

/// Real deliveries through libcurl to a real aiosmtpd that requires STARTTLS
/// and AUTH; what arrived is read back by Python's `email` package (headers
/// decoded, parts decoded from quoted-printable or base64).
@Suite("SMTP delivery to aiosmtpd (STARTTLS, AUTH)", .offThePool, .smtpSink)
struct SMTPDeliveryTests {
    @Test("a one-way mail arrives over STARTTLS after AUTH, the password in both parts and nowhere else")
    func oneWay() async throws {
        let sink = try SMTPSink.shared()
        let capture = LogCapture()
        let mail = try MailFixture.render(.initializeOneWay, password: GuardedString(Canary.password))
        try await MailFixture.mailer(sink, capture: capture).send(mail)

        let delivery = try #require(try sink.delivered(mail.messageID))
        #expect(delivery.tls)
        #expect(delivery.login == SMTPSink.username)
        #expect(delivery.sender == "keyward@example.org")
        #expect(delivery.recipients == ["jdoe@example.org"])
        #expect(delivery.subject == "Your new ldap account")
        #expect(delivery.to == "John Doe <jdoe@example.org>")
        #expect(delivery.defects.isEmpty, "\(delivery.defects)")
        #expect(delivery.text.contains("  Password: \(Canary.password)\n"))
        #expect(delivery.html.contains("<td><code>\(Canary.password)</code></td>"))
        #expect(delivery.text.contains("ldap (The staff directory)"))
        #expect(!delivery.subject.contains(Canary.password))

        #expect(capture.lines.contains { $0.contains("mail sent") && $0.contains(mail.messageID) })
        for line in capture.lines { #expect(!line.contains(Canary.password)) }
        for shown in [String(describing: mail), String(reflecting: mail), "\(mail.message)"] {
            #expect(!shown.contains(Canary.password))
        }
        #expect(mail.carriesSecret)
    }

    @Test("a password with HTML characters is escaped in the HTML part only", arguments: TransferEncoding.allCases)
    func escaping(_ encoding: TransferEncoding) async throws {
        let sink = try SMTPSink.shared()
        let password = #"a<b>&"c'd=e é"#
        let renderer = try MailFixture.renderer(encoding: encoding)
        let mail = try MailFixture.render(.initializeOneWay, renderer: renderer, password: GuardedString(password))
        try await MailFixture.mailer(sink).send(mail)

        let delivery = try #require(try sink.delivered(mail.messageID))
        #expect(delivery.raw.contains("Content-Transfer-Encoding: \(encoding.rawValue)"))
        #expect(delivery.text.contains("Password: \(password)\n"))
        #expect(delivery.html.contains("<code>a&lt;b&gt;&amp;&quot;c&#39;d=e é</code>"))
        #expect(!delivery.html.contains("a<b>"))
        #expect(delivery.defects.isEmpty, "\(delivery.defects)")
    }

    @Test("confirmations arrive without any password", arguments: [NotificationKind.reset, .change, .unlock])
    func confirmation(_ kind: NotificationKind) async throws {
        let sink = try SMTPSink.shared()
        let mail = try MailFixture.render(kind)
        try await MailFixture.mailer(sink).send(mail)

        let delivery = try #require(try sink.delivered(mail.messageID))
        #expect(delivery.subject.contains("ldap"))
        #expect(delivery.text.contains("uid=jdoe,ou=people"))
        #expect(delivery.text.contains("by helpdesk:alice"))
        #expect(delivery.html.contains("<strong>ldap</strong>"))
        #expect(!delivery.text.contains("Password:"))
        #expect(!mail.carriesSecret)
    }

    @Test("a two-way mail carries the link in both parts, never in the subject")
    func twoWay() async throws {
        let sink = try SMTPSink.shared()
        let link = "https://keyward.example.org/set-password?token=\(Canary.password)&x=1"
        let mail = try MailFixture.render(.initializeTwoWay, link: GuardedString(link))
        try await MailFixture.mailer(sink).send(mail)

        let delivery = try #require(try sink.delivered(mail.messageID))
        #expect(delivery.text.contains("  \(link)\n"))
        #expect(delivery.html.contains("<a href=\"https://keyward.example.org/set-password?token=\(Canary.password)&amp;x=1\">"))
        #expect(delivery.text.contains("until 2027-01-16 08:00 GMT") || delivery.text.contains("until 2027-01-16 08:00 UTC"))
        #expect(!delivery.subject.contains("token"))
        #expect(mail.carriesSecret)
    }

    @Test("recipient rules: the person, their manager and a fixed address in one delivery")
    func recipients() async throws {
        let sink = try SMTPSink.shared()
        let rules = RecipientRules(defaults: try RecipientRules.parse(
            ["reset": ["person", "manager", "Helpdesk <helpdesk@example.org>"]], place: "mail.recipients"))
        let mail = try MailFixture.render(.reset, renderer: MailFixture.renderer(recipients: rules))
        try await MailFixture.mailer(sink).send(mail)

        let delivery = try #require(try sink.delivered(mail.messageID))
        #expect(delivery.recipients == ["jdoe@example.org", "boss@example.org", "helpdesk@example.org"])
        #expect(delivery.to == "John Doe <jdoe@example.org>, boss@example.org, Helpdesk <helpdesk@example.org>")
    }

    @Test("non-ASCII names and subjects arrive encoded (RFC 2047) and decode back", arguments: TransferEncoding.allCases)
    func nonASCII(_ encoding: TransferEncoding) async throws {
        let sink = try SMTPSink.shared()
        let folder = try TemplateFolderFixture()
        try folder.write(
            "ldap/reset.subject.mustache",
            "Réinitialisation du mot de passe de {{person.displayName}} sur {{system.name}} — ne répondez pas à ce message\n")
        let renderer = NotificationRenderer(
            templates: try folder.load(), sender: try MailAddress(parsing: "Clé Ünïcode <keyward@example.org>"),
            encoding: encoding)
        let person = Identity(username: "zoe", givenName: "Zoë", familyName: "Ångström-Łukasiewicz", email: "zoe@example.org")
        let mail = try MailFixture.render(.reset, renderer: renderer, person: person)
        try await MailFixture.mailer(sink).send(mail)

        let delivery = try #require(try sink.delivered(mail.messageID))
        #expect(delivery.subject == "Réinitialisation du mot de passe de Zoë Ångström-Łukasiewicz sur ldap — ne répondez pas à ce message")
        #expect(delivery.to == "Zoë Ångström-Łukasiewicz <zoe@example.org>")
        #expect(delivery.record["from_header"] as? String == "Clé Ünïcode <keyward@example.org>")
        #expect(delivery.text.contains("Hello Zoë Ångström-Łukasiewicz,"))
        #expect(delivery.html.contains("Hello Zoë Ångström-Łukasiewicz,"))
        #expect(delivery.defects.isEmpty, "\(delivery.defects)")
        let headers = delivery.raw.components(separatedBy: "\r\n\r\n")[0].components(separatedBy: "\r\n")
        for line in headers {
            #expect(line.utf8.count <= 78, "\(line)")
            #expect(line.unicodeScalars.allSatisfy { $0.isASCII }, "\(line)")
        }
    }

    @Test("a line that starts with a dot arrives intact: curl dot-stuffs the data")
    func dotStuffing() async throws {
        let sink = try SMTPSink.shared()
        let folder = try TemplateFolderFixture()
        try folder.write("ldap/unlock.text.mustache", "Unlocked.\n.\n..two\n.hidden {{system.name}}\nend\n")
        let renderer = NotificationRenderer(templates: try folder.load(), sender: MailFixture.sender)
        let mail = try MailFixture.render(.unlock, renderer: renderer)
        #expect(MailFixture.text(of: mail).contains("\r\n.\r\n..two\r\n.hidden ldap\r\n"))
        try await MailFixture.mailer(sink).send(mail)

        let delivery = try #require(try sink.delivered(mail.messageID))
        #expect(delivery.text == "Unlocked.\n.\n..two\n.hidden ldap\nend\n")
    }

    @Test("twenty one-way mails in a row all arrive, each with its own Message-ID (the time is printed)")
    func series() async throws {
        let sink = try SMTPSink.shared()
        let mailer = try MailFixture.mailer(sink)
        let renderer = try MailFixture.renderer()
        var ids: [String] = []
        let clock = ContinuousClock()
        var rendering = Duration.zero
        var sending = Duration.zero
        for _ in 0..<20 {
            let start = clock.now
            let mail = try MailFixture.render(.initializeOneWay, renderer: renderer, password: GuardedString(Canary.password))
            let rendered = clock.now
            try await mailer.send(mail)
            rendering += rendered - start
            sending += clock.now - rendered
            ids.append(mail.messageID)
        }
        #expect(Set(ids).count == 20)
        for id in ids { #expect(try sink.delivered(id)?.text.contains(Canary.password) == true) }
        print("measured: 20 one-way mails, render \(rendering / 20) each, STARTTLS+AUTH delivery \(sending / 20) each")
    }
}
