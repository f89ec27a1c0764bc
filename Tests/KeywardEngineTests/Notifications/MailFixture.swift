import Foundation
import KeywardCore
import KeywardEngine
import KeywardTestSupport
import Logging

/// Templates, people, renderers and mailers for the notification tests.
enum MailFixture {
    /// The templates Keyward ships.
    static let templatesFolder = EngineFixture.packageRoot.appendingPathComponent("templates").path

    static let sender = try! MailAddress(parsing: "Keyward <keyward@example.org>")
    static let person = Identity(
        username: "jdoe", givenName: "John", familyName: "Doe", email: "jdoe@example.org", managerEmail: "boss@example.org")
    static let system = NotificationSystem(name: "ldap", description: "The staff directory")

    /// The shipped templates, loaded.
    static func shippedTemplates() throws -> NotificationTemplates {
        try NotificationTemplates.load(folder: templatesFolder)
    }

    /// A renderer over the shipped templates.
    static func renderer(
        recipients: RecipientRules = RecipientRules(), encoding: TransferEncoding = .quotedPrintable
    ) throws -> NotificationRenderer {
        NotificationRenderer(templates: try shippedTemplates(), recipients: recipients, sender: sender, encoding: encoding)
    }

    /// The facts about `person` on `system`.
    static func context(_ person: Identity = person, system: NotificationSystem = system) -> NotificationContext {
        NotificationContext(
            person: person, system: system, uid: "uid=\(person.username),ou=people", requester: "helpdesk:alice",
            time: Date(timeIntervalSince1970: 1_800_000_000), expires: Date(timeIntervalSince1970: 1_800_086_400))
    }

    /// Renders a mail that must have recipients.
    static func render(
        _ kind: NotificationKind, renderer: NotificationRenderer? = nil, person: Identity = person,
        password: GuardedString? = nil, link: GuardedString? = nil
    ) throws -> OutgoingMail {
        let renderer = try renderer ?? self.renderer()
        guard let mail = try renderer.render(kind: kind, context: context(person), password: password, link: link) else {
            throw MailTestError("no recipients for \(kind)")
        }
        return mail
    }

    /// A mailer to `sink` that logs into `capture`.
    static func mailer(
        _ sink: SMTPSink, password: String = SMTPSink.password, username: String? = SMTPSink.username,
        caPath: String? = nil, capture: LogCapture = LogCapture()
    ) throws -> SMTPMailer {
        try mailer(url: sink.url, password: password, username: username, caPath: caPath ?? sink.caPath, capture: capture)
    }

    /// A mailer to `url` that logs into `capture`.
    static func mailer(
        url: String, password: String = SMTPSink.password, username: String? = SMTPSink.username, caPath: String? = nil,
        timeout: Duration = .seconds(20), capture: LogCapture = LogCapture()
    ) throws -> SMTPMailer {
        let configuration = SMTPConfiguration(
            url: url, username: username,
            password: username == nil ? nil : { @Sendable in GuardedString(password) }, passwordSource: "${env:KEYWARD_TEST_SMTP}",
            caCertificate: caPath, connectTimeout: timeout, timeout: timeout)
        return try SMTPMailer(configuration: configuration, logger: Logger(label: "test.mail") { _ in CapturingLogHandler(capture: capture) })
    }

    /// The message bytes of `mail` as text (tests only: the message may hold the canary).
    static func text(of mail: OutgoingMail) -> String {
        mail.message.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }
}

/// A test's own failure, with what went wrong.
struct MailTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
