import Foundation
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardTestSupport
import Testing

extension SambaADTests {
    /// The people's flows end to end against the Samba AD DC (the `ad`
    /// connector, simple bind over LDAPS): one-way initialization with the
    /// mailed password, then a helpdesk reset and an unlock, each with its
    /// confirmation mail from aiosmtpd (STARTTLS, AUTH), each proven by a
    /// bind as the person.
    @Suite("End to end: Samba AD, mail", .sambaDC, .smtpSink)
    struct EndToEnd {
        var server: SambaServer { SambaServer.current! }

        @Test("one-way, then a helpdesk reset and an unlock, each mailed and proven by a bind")
        func oneWayResetUnlock() async throws {
            let e2e = try EndToEndDesk(directory: try QueueDirectory.samba(server, mode: .basic), sink: try SMTPSink.shared())
            let person = try await e2e.newPerson("e2e")
            let helpdesk = e2e.desk.acting(as: "helpdesk:alice")

            // One-way: the password is generated, set in AD, and only then mailed.
            guard case .queued(let receipt) = try await helpdesk.initialize(username: person, system: e2e.system, mode: .oneWay)
            else { throw SMTPSinkError("a one-way initialization queues") }
            #expect(try await e2e.worker.drain().claimed == 0, "mailed only once the account exists")
            #expect(try await e2e.deliver() == OutboxWorker.Report(sent: 1))
            let instructions = try #require(try e2e.mails(to: person).first)
            let mailed = try e2e.password(in: instructions)
            #expect(mailed == receipt.generatedPassword?.withPlaintext { $0 })
            #expect(server.bindUser(person, mailed) == .success)

            // A reset by the helpdesk, typed: the confirmation carries no password.
            _ = try await helpdesk.reset(username: person, system: e2e.system, password: .chosen(GuardedString(Canary.password)))
            #expect(try await e2e.deliver() == OutboxWorker.Report(sent: 1))
            #expect(server.bindUser(person, Canary.password) == .success)
            #expect(server.bindUser(person, mailed) != .success)

            // Three wrong binds lock the account (the template's threshold); unlock lets the person in.
            for _ in 1...3 { _ = server.bindUser(person, "Wrong#Pass-99") }
            #expect(server.bindUser(person, Canary.password) == .failed(subcode: "775"))
            _ = try await helpdesk.unlock(username: person, system: e2e.system)
            #expect(try await e2e.deliver() == OutboxWorker.Report(sent: 1))
            #expect(server.bindUser(person, Canary.password) == .success)

            let mails = try e2e.mails(to: person)
            #expect(mails.map(\.subject) == [
                "Your new \(e2e.system) account", "The password of your \(e2e.system) account was reset",
                "Your \(e2e.system) account was unlocked",
            ])
            #expect(try await e2e.outboxIsEmpty())
            let samba = try QueueCanaryScan.regularFiles(under: server.directory + "/log")
            try await e2e.expectNoTrace(of: [Canary.password], directoryLogs: samba)
            try await e2e.expectNoTrace(of: [mailed], directoryLogs: samba, mailsWithSecret: [instructions.messageID])
        }
    }
}
