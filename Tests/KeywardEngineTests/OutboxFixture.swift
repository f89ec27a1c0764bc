import Foundation
import KeywardCore
import KeywardEngine
import KeywardStore
import KeywardTestSupport
import Logging
import Testing

/// The desk over ``EngineFixture``'s real store and `sql` systems, with the
/// outbox as its notifier and a worker delivering to a real aiosmtpd
/// (STARTTLS and AUTH). `jdoe`'s address is unique to the fixture, so tests
/// sharing a sink find their own mail.
final class OutboxFixture {
    let engine: EngineFixture
    let sink: SMTPSink
    /// `jdoe`'s address in this fixture.
    let address: String
    let desk: PasswordDesk
    /// The worker's clock, a day ahead of the wall clock, so new mail is due however long a
    /// loaded machine takes to queue it (a minute was not enough under CI's load).
    let clock = TestClock(Date().addingTimeInterval(86_400))
    /// What the notifier, the mailer and the worker logged.
    let logs = LogCapture()
    let linkBase = "https://keyward.example.org/set-password/"

    /// - Parameter renderer: the renderer (default: the shipped templates).
    init(sink: SMTPSink, renderer: NotificationRenderer? = nil) async throws {
        let logs = logs
        let logger = Logger(label: "keyward.outbox.test") { _ in CapturingLogHandler(capture: logs) }
        engine = try await EngineFixture()
        self.sink = sink
        address = "jdoe-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        var jdoe = EngineFixture.jdoe
        jdoe.email = address
        _ = try await engine.store.upsertIdentities([jdoe])
        let notifier = OutboxNotifier(
            outbox: engine.store, renderer: try renderer ?? MailFixture.renderer(),
            systems: [NotificationSystem(name: "hr", description: "The HR portal")], logger: logger)
        desk = PasswordDesk(passwords: PasswordService(provisioning: engine.service), notifier: notifier, linkBase: linkBase)
            .acting(as: "helpdesk:alice")
    }

    var store: SQLiteStore { engine.store }

    /// A fixture on `sink` in which the helpdesk initialized `jdoe` on `hr`
    /// one-way: the receipt and the generated password.
    static func oneWay(sink: SMTPSink) async throws -> (OutboxFixture, ProvisioningService.Receipt, String) {
        let fixture = try await OutboxFixture(sink: sink)
        guard case .queued(let receipt) = try await fixture.desk.initialize(username: "jdoe", system: "hr", mode: .oneWay)
        else { throw SMTPSinkError("a one-way initialization queues") }
        return (fixture, receipt, try #require(receipt.generatedPassword).testPlaintext)
    }

    var logger: Logger {
        let logs = logs
        return Logger(label: "keyward.outbox.test") { _ in CapturingLogHandler(capture: logs) }
    }

    /// A worker sending to the sink (with `password` as the SMTP login's).
    func worker(password: String = SMTPSink.password, maxAttempts: Int = 8) throws -> OutboxWorker {
        let clock = clock
        return OutboxWorker(
            outbox: store, mailer: try MailFixture.mailer(sink, password: password, capture: logs), logger: logger,
            maxAttempts: maxAttempts, firstDelay: .seconds(30), now: { clock.now() })
    }

    /// The mails the sink received for `jdoe`, in order.
    func mails() throws -> [SMTPDelivery] {
        try sink.deliveries().filter { $0.recipients.contains(address) }
    }

    /// The audit entries about mail, in order.
    func mailAudit() async throws -> [AuditEntry] {
        try await engine.auditTrail().filter { $0.action == "mail" }
    }

    /// Whether `secret` is in the store's file, WAL or shared-memory index.
    func storeFilesHold(_ secret: String) throws -> Bool {
        try FileManager.default.contentsOfDirectory(atPath: engine.url.path)
            .filter { $0.hasPrefix("keyward.db") }
            .contains { name in
                let bytes = (try? Data(contentsOf: engine.url.appendingPathComponent(name))) ?? Data()
                return bytes.range(of: Data(secret.utf8)) != nil
            }
    }

    /// Everything logged, audited or kept as an outbox error, as text.
    func everythingSaid() async throws -> [String] {
        let audit = try await engine.auditTrail().map(\.message)
        let errors = try await store.outbox().map(\.lastError)
        return logs.lines + engine.logs.lines + audit + errors
    }

    /// The link in a two-way mail's text.
    func link(in mail: SMTPDelivery) throws -> String {
        let line = try #require(mail.text.split(separator: "\n").first { $0.contains(linkBase) })
        return line.trimmingCharacters(in: .whitespaces)
    }

    /// `text` as the HTML part shows it.
    static func htmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }
}
