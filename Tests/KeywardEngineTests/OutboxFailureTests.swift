import Foundation
import KeywardCore
import KeywardEngine
import KeywardStore
import KeywardTestSupport
import Testing

/// What the outbox does when an operation or a delivery fails: a mail for a
/// failed operation is deleted unsent; a mail server that is down is tried
/// again after a delay; one that refuses the login gives the mail up. Each
/// with its own aiosmtpd (STARTTLS, AUTH).
@Suite("Outbox: failed operations and deliveries", .offThePool)
struct OutboxFailureTests {
    @Test("the operation fails: its one-way mail is deleted, never sent, and audited")
    func operationFailed() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let (fixture, receipt, password) = try await OutboxFixture.oneWay(sink: sink)
        for id in receipt.operationIDs {
            _ = try await fixture.store.cancel(operationID: id, actor: "helpdesk:bob", now: Date())
        }

        #expect(try await fixture.worker().drain() == OutboxWorker.Report())
        #expect(try await fixture.store.outbox().isEmpty)
        #expect(try sink.records().isEmpty, "the mail server was not even contacted")
        let audit = try #require(try await fixture.mailAudit().last)
        #expect(audit.outcome == "not-sent")
        #expect(audit.message.hasPrefix("initialize-one-way mail not sent: the operation failed (operation"))
        #expect(audit.message.contains("cancelled"))
        for text in try await fixture.everythingSaid() { #expect(!text.contains(password), "\(text)") }
        #expect(try !fixture.storeFilesHold(password))
    }

    @Test("the mail server is down: the mail waits sealed, is tried again after the delay, and arrives once it is up")
    func serverDown() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let (fixture, _, password) = try await OutboxFixture.oneWay(sink: sink)
        let worker = try fixture.worker()
        try await fixture.engine.executor.drain()
        sink.pause()

        #expect(try await worker.drain() == OutboxWorker.Report(retrying: 1))
        let waiting = try #require(try await fixture.store.outbox().first)
        #expect(waiting.state == .retrying && waiting.attempts == 1)
        #expect(waiting.lastError.contains("127.0.0.1:\(sink.port)"), "\(waiting.lastError)")
        #expect(waiting.nextAttemptAt.timeIntervalSince(fixture.clock.now()) > 29)
        #expect(try await worker.drain() == OutboxWorker.Report(), "not due before the delay")

        fixture.clock.advance(by: 31)
        #expect(try await worker.drain() == OutboxWorker.Report(retrying: 1), "still down")
        let second = try #require(try await fixture.store.outbox().first)
        #expect(second.attempts == 2)
        #expect(second.nextAttemptAt.timeIntervalSince(fixture.clock.now()) > 59, "the delay doubles")
        #expect(try !fixture.storeFilesHold(password))

        try sink.resume()
        fixture.clock.advance(by: 61)
        #expect(try await worker.drain() == OutboxWorker.Report(sent: 1))
        #expect(try fixture.mails().first?.text.contains(password) == true)
        #expect(try await fixture.store.outbox().isEmpty)
        #expect(try await fixture.mailAudit().map(\.outcome) == ["queued", "retrying", "retrying", "sent"])
        for text in try await fixture.everythingSaid() { #expect(!text.contains(password), "\(text)") }
    }

    @Test("transient failures stop after maxAttempts: the mail is given up and deleted")
    func tooManyAttempts() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let fixture = try await OutboxFixture(sink: sink)
        let worker = try fixture.worker(maxAttempts: 2)
        _ = try await fixture.desk.initialize(username: "jdoe", system: "hr", mode: .twoWay)
        sink.pause()
        #expect(try await worker.drain() == OutboxWorker.Report(retrying: 1))
        fixture.clock.advance(by: 31)
        #expect(try await worker.drain() == OutboxWorker.Report(givenUp: 1))
        #expect(try await fixture.store.outbox().isEmpty)
        #expect(try await fixture.mailAudit().last?.message.hasPrefix("initialize-two-way mail not sent after 2 attempt(s)") == true)
    }

    @Test("the mail server refuses the login: the mail is given up at once, deleted, and audited")
    func permanentFailure() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let (fixture, _, password) = try await OutboxFixture.oneWay(sink: sink)
        try await fixture.engine.executor.drain()

        #expect(try await fixture.worker(password: "wrong-password").drain() == OutboxWorker.Report(givenUp: 1))
        #expect(try await fixture.store.outbox().isEmpty)
        #expect(try fixture.mails().isEmpty)
        let audit = try #require(try await fixture.mailAudit().last)
        #expect(audit.outcome == "not-sent")
        #expect(audit.message.contains("after 1 attempt(s)") && audit.message.contains("not tried again"), "\(audit.message)")
        #expect(fixture.logs.lines.contains { $0.contains("mail given up") && $0.contains("authentication-failed") })
        for text in try await fixture.everythingSaid() + [sink.allOutput()] {
            #expect(!text.contains(password) && !text.contains(SMTPSink.password), "\(text)")
        }
        #expect(try !fixture.storeFilesHold(password))
    }

    @Test("a one-way mail that cannot be queued cancels its operations: no password is set that nobody is told")
    func unrenderable() async throws {
        let sink = try SMTPSink.start()
        defer { sink.stop() }
        let templates = try TemplateFolderFixture()
        // Renders without the password for a one-way mail (it has no `expires`): refused at render.
        try templates.write("hr/initialize-one-way.text.mustache", "{{#expires}}{{password}}{{/expires}}")
        let fixture = try await OutboxFixture(
            sink: sink, renderer: NotificationRenderer(templates: try templates.load(), sender: MailFixture.sender))

        let error = await serviceError { _ = try await fixture.desk.initialize(username: "jdoe", system: "hr", mode: .oneWay) }
        #expect(error?.kind == .notification)
        #expect(error?.message.contains("rendered without the password") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("were cancelled") == true)
        let operations = try await fixture.engine.operations()
        #expect(!operations.isEmpty && operations.allSatisfy { $0.state == .cancelled && !$0.holdsSecrets }, "\(operations)")
        #expect(try await fixture.engine.executor.drain() == 0)
        #expect(try fixture.engine.employee("jdoe") == nil, "no account was made")
        #expect(try await fixture.store.outbox().isEmpty)
    }
}
