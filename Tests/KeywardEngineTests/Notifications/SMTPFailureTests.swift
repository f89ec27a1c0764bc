import Foundation
import KeywardCore
import KeywardEngine
import KeywardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Deliveries that must fail, each with the mapped error, nothing sent where
/// nothing may be, and the canary password (the mail is always a one-way
/// initialization) in no error and no log line.
@Suite("SMTP failures are mapped and leak nothing", .offThePool)
struct SMTPFailureTests {
    /// Sends a one-way canary mail with `mailer`; the error and the log lines.
    static func failure(_ mailer: (LogCapture) throws -> SMTPMailer) async throws -> (MailError, [String]) {
        let capture = LogCapture()
        let mail = try MailFixture.render(.initializeOneWay, password: GuardedString(Canary.password))
        let sender = try mailer(capture)
        do {
            try await sender.send(mail)
        } catch {
            for text in [error.message, error.description, String(reflecting: error)] + capture.lines {
                #expect(!text.contains(Canary.password), "\(text)")
                #expect(!text.contains(SMTPSink.password), "\(text)")
            }
            return (error, capture.lines)
        }
        throw MailTestError("the mail was sent")
    }

    @Test("a wrong AUTH password: authentication-failed (535, curl 67), permanent, nothing delivered")
    func wrongPassword() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let (error, lines) = try await Self.failure { try MailFixture.mailer(sink, password: "wrong-password", capture: $0) }
        #expect(error.kind == .authenticationFailed)
        #expect(error.curlCode == 67)
        #expect(error.smtpCode == 535)
        #expect(!error.isTransient)
        #expect(error.message.contains("`keyward`") && error.message.contains("${env:KEYWARD_TEST_SMTP}"))
        #expect(!error.message.contains("wrong-password"))
        #expect(lines.contains { $0.contains("mail not sent") && $0.contains("authentication-failed") })
        #expect(try sink.records().isEmpty)
        #expect(!sink.allOutput().contains(Canary.password))
    }

    @Test("no login configured where the server requires one: authentication-required (530)")
    func noLogin() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let (error, _) = try await Self.failure { try MailFixture.mailer(sink, username: nil, capture: $0) }
        #expect(error.kind == .authenticationRequired)
        #expect(error.smtpCode == 530)
        #expect(error.message.contains("mail.smtp.username"))
    }

    @Test("a server without STARTTLS: refused before any MAIL command, tls-unavailable (curl 64)")
    func noStartTLS() async throws {
        let sink = try SMTPSink.start(.plain)
        defer { sink.stop() }
        let (error, _) = try await Self.failure { try MailFixture.mailer(sink, capture: $0) }
        #expect(error.kind == .tlsUnavailable)
        #expect(error.curlCode == 64)
        #expect(!error.isTransient)
        #expect(error.message.contains("nothing was sent"))
        #expect(try sink.records().isEmpty, "the sink saw a MAIL command or a message")
    }

    @Test("a certificate from a CA Keyward does not trust: certificate-untrusted (curl 60), nothing sent")
    func untrusted() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let (error, _) = try await Self.failure { try MailFixture.mailer(sink, caPath: sink.otherCAPath, capture: $0) }
        #expect(error.kind == .certificateUntrusted)
        #expect(error.curlCode == 60)
        #expect(error.message.contains("mail.smtp.caCertificate"))
        #expect(try sink.records().isEmpty)
    }

    @Test("a port nobody listens on: unreachable (curl 7), transient")
    func refused() async throws {
        let url = "smtp://127.0.0.1:\(try FreePort.next())"
        let (error, _) = try await Self.failure { try MailFixture.mailer(url: url, capture: $0) }
        #expect(error.kind == .unreachable)
        #expect(error.curlCode == 7)
        #expect(error.isTransient)
    }

    @Test("a server that never answers: timed-out (curl 28), transient")
    func silent() async throws {
        let listener = try SilentListener()
        let (error, _) = try await Self.failure {
            try MailFixture.mailer(url: "smtp://127.0.0.1:\(listener.port)", timeout: .seconds(1), capture: $0)
        }
        #expect(error.kind == .timedOut)
        #expect(error.curlCode == 28)
        #expect(error.isTransient)
    }

    @Test("a cancelled task aborts the transfer: cancelled (curl 42)")
    func cancelled() async throws {
        let listener = try SilentListener()
        let mailer = try MailFixture.mailer(url: "smtp://127.0.0.1:\(listener.port)", timeout: .seconds(30))
        let mail = try MailFixture.render(.unlock)
        let task = Task { try await mailer.send(mail) }
        task.cancel()
        let result = await task.result
        guard case .failure(let failure) = result else { throw MailTestError("the mail was sent") }
        let error = try #require(failure as? MailError)
        #expect(error.kind == .cancelled)
        #expect(error.curlCode == 42)
    }

    @Test("a recipient the server refuses: recipient-rejected (550), nothing delivered")
    func rejectedRecipient() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let rules = RecipientRules(defaults: try RecipientRules.parse(
            ["initialize-one-way": ["person", "reject-me@example.org"]], place: "test"))
        let capture = LogCapture()
        let mail = try MailFixture.render(
            .initializeOneWay, renderer: MailFixture.renderer(recipients: rules), password: GuardedString(Canary.password))
        let error = await #expect(throws: MailError.self) { try await MailFixture.mailer(sink, capture: capture).send(mail) }
        #expect(error?.kind == .recipientRejected)
        #expect(error?.smtpCode == 550)
        #expect(error?.message.contains("reject-me@example.org") == true)
        #expect(error?.isTransient == false)
        #expect(try sink.records().allSatisfy { $0["event"] as? String != "data" })
        let description = error.map(String.init(describing:)) ?? ""
        #expect(!description.contains(Canary.password))
    }

    @Test("a sender the server refuses: sender-rejected (553)")
    func rejectedSender() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let renderer = NotificationRenderer(
            templates: try MailFixture.shippedTemplates(), sender: try MailAddress("blocked@example.org"))
        let mail = try MailFixture.render(.change, renderer: renderer)
        let error = await #expect(throws: MailError.self) { try await MailFixture.mailer(sink).send(mail) }
        #expect(error?.kind == .senderRejected)
        #expect(error?.smtpCode == 553)
        #expect(error?.message.contains("mail.from") == true)
    }

    @Test("smtps:// (TLS from the first byte) delivers too")
    func implicitTLS() async throws {
        let sink = try SMTPSink.start(.smtps)
        defer { sink.stop() }
        let mail = try MailFixture.render(.initializeOneWay, password: GuardedString(Canary.password))
        try await MailFixture.mailer(sink).send(mail)
        let delivery = try #require(try sink.delivered(mail.messageID))
        #expect(delivery.tls)
        #expect(delivery.text.contains(Canary.password))
    }

    @Test("bad SMTP settings are refused before anything is sent")
    func badSettings() throws {
        for (url, words) in [
            ("http://mail.example.org", "not an SMTP URL"), ("smtp://user:secret-pw@mail.example.org", "holds a login"),
            ("smtp://mail.example.org/path", "path"),
        ] {
            #expect {
                _ = try SMTPMailer(configuration: SMTPConfiguration(url: url))
            } throws: { error in
                let error = error as! MailError
                return error.kind == .configuration && error.message.contains(words) && !error.message.contains("secret-pw")
            }
        }
        #expect(try SMTPMailer(configuration: SMTPConfiguration(url: "smtp://mail.example.org")).url == "smtp://mail.example.org:587")
        #expect(try SMTPMailer(configuration: SMTPConfiguration(url: "smtps://mail.example.org")).url == "smtps://mail.example.org:465")
        #expect(throws: MailError.self) { try SMTPMailer(configuration: SMTPConfiguration(url: "smtp://m.example.org", username: "k")) }
    }
}
