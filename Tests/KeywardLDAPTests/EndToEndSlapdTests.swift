import Foundation
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardTestSupport
import Testing

/// The people's flows end to end against slapd: the desk queues, the
/// executor sets the password in slapd, the outbox worker mails aiosmtpd
/// (STARTTLS, AUTH), the test reads the mail, follows the link to the live
/// set-password page, and binds as the person. The canary password ends up
/// in slapd and nowhere else: not in any log, the store's files, nor
/// anything the mail server saw.
@Suite("End to end: slapd, mail and the set-password page", .offThePool, .slapd, .smtpSink, .serialized)
struct EndToEndSlapdTests {
    var server: SlapdServer { SlapdServer.current! }

    @Test("two-way: the mailed link opens the page, the chosen password binds, the link is then refused")
    func twoWay() async throws {
        let e2e = try EndToEndDesk(directory: try QueueDirectory.slapd(server, passwordReset: "passwordModify"), sink: try SMTPSink.shared())
        let web = try await EndToEndServer.start(e2e)
        let person = try await e2e.newPerson("tw")

        guard case .linkSent = try await e2e.desk.acting(as: "helpdesk:alice")
            .initialize(username: person, system: e2e.system, mode: .twoWay)
        else { throw SMTPSinkError("a two-way initialization mails a link") }
        #expect(try await e2e.deliver() == OutboxWorker.Report(sent: 1))
        #expect(await e2e.directory.binds(person, Canary.password) == false)
        let mail = try #require(try e2e.mails(to: person).first)
        #expect(mail.tls && mail.login == SMTPSink.username)
        let link = try e2e.link(in: mail)

        // The person sets the password on the page while the queue runs, as under `keyward serve`.
        let executor = e2e.engine.executor
        let running = Task { try await executor.run(pollInterval: .milliseconds(20)) }
        let page = try await web.setPassword(link: link, password: Canary.password)
        running.cancel()
        try await running.value
        #expect(page.status == 200, "\(page.html)")
        #expect(page.html.contains("Your password is set"))
        #expect(try await e2e.engine.executor.drain() == 0)
        #expect(await e2e.directory.binds(person, Canary.password))

        let used = try await web.open(link: link)
        #expect(used.status == 410, "\(used.html)")
        #expect(try await e2e.outboxIsEmpty())
        let token = String(link.split(separator: "/").last ?? "")
        try await e2e.expectNoTrace(of: [Canary.password], directoryLogs: [server.logPath], serverLines: web.logs.lines)
        // The link is a credential too: only in its own mail (and as a hash in the store).
        try await e2e.expectNoTrace(
            of: [token], directoryLogs: [server.logPath], serverLines: web.logs.lines, mailsWithSecret: [mail.messageID])
        await web.stop()
    }

    @Test("self-service change: the new password binds, the old one no longer does, and a confirmation arrives")
    func selfServiceChange() async throws {
        let e2e = try EndToEndDesk(directory: try QueueDirectory.slapd(server, passwordReset: "passwordModify"), sink: try SMTPSink.shared())
        let person = try await e2e.newPerson("ch")
        let first = Canary.password + "-first"
        _ = try await e2e.engine.service.createAccounts(
            username: person, systems: [e2e.system], password: .chosen(GuardedString(first)))
        try await e2e.deliver()
        #expect(await e2e.directory.binds(person, first))

        _ = try await e2e.desk.acting(as: "self:\(person)").change(
            username: person, systems: [e2e.system], current: GuardedString(first), new: GuardedString(Canary.password))
        #expect(try await e2e.worker.drain().claimed == 0, "the confirmation waits for the change")
        #expect(try await e2e.deliver() == OutboxWorker.Report(sent: 1))
        #expect(await e2e.directory.binds(person, Canary.password))
        #expect(await e2e.directory.binds(person, first) == false)

        let mail = try #require(try e2e.mails(to: person).first)
        #expect(mail.subject == "The password of your \(e2e.system) account was changed")
        #expect(mail.text.contains("self:\(person)"))
        try await e2e.expectNoTrace(of: [Canary.password, first], directoryLogs: [server.logPath])
    }
}
