import Foundation
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardStore
import KeywardTestSupport
import Logging
import Testing

/// The whole of Keyward's password desk over one real directory: the queue
/// engine (store, planner, executor), the outbox as the desk's notifier
/// with the shipped templates, and an outbox worker delivering to a real
/// aiosmtpd over STARTTLS with AUTH.
final class EndToEndDesk {
    /// The public address links start with (``EndToEndServer`` maps it to its port).
    static let publicURL = "http://keyward.test"

    let directory: QueueDirectory
    let engine: QueueEngine
    let sink: SMTPSink
    let desk: PasswordDesk
    let worker: OutboxWorker
    /// What the notifier, the mailer and the worker logged.
    let logs = LogCapture()

    init(directory: QueueDirectory, sink: SMTPSink) throws {
        self.directory = directory
        self.sink = sink
        engine = try QueueEngine(system: directory.system)
        let logs = logs
        let logger = Logger(label: "keyward.outbox.e2e") { _ in CapturingLogHandler(capture: logs) }
        let templates = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("templates").path
        let renderer = NotificationRenderer(
            templates: try NotificationTemplates.load(folder: templates),
            sender: try MailAddress(parsing: "Keyward <keyward@example.org>"))
        let notifier = OutboxNotifier(
            outbox: engine.store, renderer: renderer,
            systems: [NotificationSystem(name: directory.system.name, description: "The test directory")], logger: logger)
        desk = PasswordDesk(
            passwords: PasswordService(provisioning: engine.service), notifier: notifier,
            linkBase: Self.publicURL + "/set-password/")
        let mailer = try SMTPMailer(
            configuration: SMTPConfiguration(
                url: sink.url, username: SMTPSink.username, password: { GuardedString(SMTPSink.password) },
                passwordSource: "${env:KEYWARD_E2E_SMTP}", caCertificate: sink.caPath),
            logger: logger)
        worker = OutboxWorker(outbox: engine.store, mailer: mailer, logger: logger)
    }

    /// The system's name.
    var system: String { directory.system.name }

    /// A new person in the store (`NAME@example.org`), with a name no other test uses.
    func newPerson(_ prefix: String) async throws -> String {
        let username = "\(prefix)-\(UUID().uuidString.prefix(6).lowercased())"
        try await engine.addIdentity(username)
        return username
    }

    /// Runs the queue, then the outbox: returns what the worker did.
    @discardableResult
    func deliver() async throws -> OutboxWorker.Report {
        try await engine.executor.drain()
        return try await worker.drain()
    }

    /// The mails `username` received, in order.
    func mails(to username: String) throws -> [SMTPDelivery] {
        try sink.deliveries().filter { $0.recipients.contains("\(username)@example.org") }
    }

    /// The mail's link, from its text part.
    func link(in mail: SMTPDelivery) throws -> String {
        try #require(
            mail.text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasPrefix(Self.publicURL + "/set-password/") })
    }

    /// The password in a one-way mail's text (the shipped template's `Password: …` line).
    func password(in mail: SMTPDelivery) throws -> String {
        let line = try #require(
            mail.text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .first { $0.hasPrefix("Password: ") })
        return String(line.dropFirst("Password: ".count))
    }

    /// Every text Keyward produced: logs, audit, operations, outbox errors.
    func texts(also extra: [String] = []) async throws -> [String] {
        let operations = try await engine.operations().map { String(reflecting: $0) }
        let audit = try await engine.auditTrail().map { String(reflecting: $0) }
        return logs.lines + engine.logs.lines + operations + audit + extra
    }

    /// The mails still in the outbox.
    func outboxIsEmpty() async throws -> Bool {
        try await engine.store.outbox().isEmpty
    }

    /// Each of `secrets` is in no text Keyward produced (its logs, audit,
    /// operations, and `serverLines`), no file of the store's folder, none
    /// of `directoryLogs`, and nothing the mail server saw except the mails
    /// whose Message-IDs (with angle brackets) are `mailsWithSecret`.
    func expectNoTrace(
        of secrets: [String], directoryLogs: [String], serverLines: [String] = [], mailsWithSecret: [String] = [],
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async throws {
        let texts = try await texts(also: serverLines)
        for secret in secrets {
            let scan = QueueCanaryScan(secret)
            #expect(scan.texts(texts) == [], sourceLocation: sourceLocation)
            #expect(try scan.files(under: engine.folder.path) == [], sourceLocation: sourceLocation)
            #expect(try scan.files(directoryLogs) == [], sourceLocation: sourceLocation)
            #expect(try scan.files([sink.directory + "/sink.log"]) == [], sourceLocation: sourceLocation)
            let seen = try sink.records().filter { record in
                !scan.texts(record.values.flatMap { $0 as? [String] ?? ($0 as? String).map { [$0] } ?? [] }).isEmpty
            }
            #expect(seen.map { $0["message_id"] as? String ?? "(\($0["event"] ?? "?"))" } == mailsWithSecret, sourceLocation: sourceLocation)
        }
    }
}
