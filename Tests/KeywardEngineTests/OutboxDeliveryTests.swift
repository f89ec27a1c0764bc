import Foundation
import KeywardCore
import KeywardEngine
import KeywardStore
import KeywardTestSupport
import Testing

/// The desk's mails through the outbox to a real aiosmtpd: kept sealed
/// while their operations wait, sent by the worker once they executed, and
/// deleted then.
@Suite("Outbox: sealed until sent, then deleted", .offThePool, .smtpSink)
struct OutboxDeliveryTests {
    @Test("one-way: the mail waits sealed while the operation is queued, then arrives with the password and is deleted")
    func oneWay() async throws {
        let (fixture, receipt, password) = try await OutboxFixture.oneWay(sink: try SMTPSink.shared())
        let worker = try fixture.worker()

        let waiting = try await fixture.store.outbox()
        #expect(waiting.count == 1)
        #expect(waiting.first?.kind == "initialize-one-way" && waiting.first?.carriesSecret == true)
        #expect(waiting.first?.waitsFor == receipt.operationIDs)
        #expect(try await worker.drain() == OutboxWorker.Report(), "nothing is sent before the operation executed")
        #expect(try fixture.mails().isEmpty)
        #expect(try !fixture.storeFilesHold(password), "the password is in the store's files in the clear")
        #expect(try fixture.storeFilesHold(fixture.address), "control: the scan finds the identity's address")

        #expect(try await fixture.engine.executor.drain() == 1)
        #expect(try fixture.engine.holds(password))
        #expect(try await worker.drain() == OutboxWorker.Report(sent: 1))

        let mail = try #require(try fixture.mails().first)
        #expect(try fixture.mails().count == 1)
        #expect(mail.tls && mail.login == SMTPSink.username)
        #expect(mail.text.contains(password))
        #expect(mail.html.contains(OutboxFixture.htmlEscaped(password)))
        #expect(!mail.subject.contains(password))
        #expect(try await fixture.store.outbox().isEmpty, "a sent mail is deleted")
        #expect(try await fixture.store.secretCounts().values.reduce(0, +) == 0)
        let audit = try await fixture.mailAudit()
        #expect(audit.map(\.outcome) == ["queued", "sent"])
        #expect(audit.last?.message == "initialize-one-way mail sent to 1 recipient(s)")
        for text in try await fixture.everythingSaid() {
            #expect(!text.contains(password), "\(text)")
        }
        #expect(try !fixture.storeFilesHold(password))
    }

    @Test("two-way: the link mail is due at once; the link sets the password and then is refused")
    func twoWay() async throws {
        let fixture = try await OutboxFixture(sink: try SMTPSink.shared())
        guard case .linkSent = try await fixture.desk.initialize(username: "jdoe", system: "hr", mode: .twoWay)
        else { throw SMTPSinkError("a two-way initialization mails a link") }
        #expect(try await fixture.store.outbox().first?.waitsFor == [])
        #expect(try await fixture.worker().drain() == OutboxWorker.Report(sent: 1))

        let mail = try #require(try fixture.mails().first)
        let link = try fixture.link(in: mail)
        #expect(mail.html.contains(link) && !mail.subject.contains(link))
        let token = String(link.dropFirst(fixture.linkBase.count))
        #expect(token.count == 43)
        #expect(try !fixture.storeFilesHold(token))

        _ = try await fixture.desk.completeTwoWay(token: token, password: GuardedString(Canary.password))
        #expect(try await fixture.engine.executor.drain() == 1)
        #expect(try fixture.engine.holds(Canary.password))
        let again = await serviceError { _ = try await fixture.desk.completeTwoWay(token: token, password: GuardedString(Canary.password)) }
        #expect(again?.kind == .link)
        for text in try await fixture.everythingSaid() {
            #expect(!text.contains(token) && !text.contains(Canary.password), "\(text)")
        }
    }

    @Test("reset, change and unlock: one confirmation each, after the operation executed, without the password")
    func confirmations() async throws {
        let fixture = try await OutboxFixture(sink: try SMTPSink.shared())
        let worker = try fixture.worker()
        try await fixture.engine.createJdoe(password: "First-Password-1!")
        let desk = fixture.desk

        let reset = try await desk.reset(username: "jdoe", system: "hr", password: .chosen(GuardedString(Canary.password)))
        #expect(try await worker.drain().claimed == 0, "the confirmation waits for the reset")
        let operations = try await fixture.engine.executor.drain()
        #expect(operations == reset.operationIDs.count && operations > 0)
        #expect(try await worker.drain() == OutboxWorker.Report(sent: 1))

        let changed = Canary.password + "-2"
        _ = try await desk.acting(as: "self:jdoe").change(
            username: "jdoe", systems: ["hr"], current: GuardedString(Canary.password), new: GuardedString(changed))
        try await fixture.engine.executor.drain()
        _ = try await desk.unlock(username: "jdoe", system: "hr")
        try await fixture.engine.executor.drain()
        #expect(try await worker.drain() == OutboxWorker.Report(sent: 2))
        #expect(try fixture.engine.holds(changed))

        let mails = try fixture.mails()
        #expect(mails.count == 3)
        for (mail, word) in zip(mails, ["reset", "changed", "unlock"]) {
            #expect(mail.subject.lowercased().contains(word), "\(mail.subject)")
            #expect(!mail.raw.contains(Canary.password) && !mail.text.contains(Canary.password))
        }
        #expect(try await fixture.store.outbox().isEmpty)
    }

    @Test("key rotation re-seals a waiting mail, which still opens and arrives")
    func keyRotation() async throws {
        let (fixture, _, password) = try await OutboxFixture.oneWay(sink: try SMTPSink.shared())
        let old = fixture.store.keyring.current
        let sealedBefore = try await fixture.store.secretCounts()
        #expect(sealedBefore[old.id] == 3, "two operation secrets and the mail")

        let new = MasterKey.generate()
        #expect(try await fixture.store.rotateKey(to: new) == 3)
        #expect(try await fixture.store.secretCounts() == [new.id: 3])
        #expect(try await fixture.store.outbox().first?.keyID == new.id)

        try await fixture.engine.executor.drain()
        #expect(try await fixture.worker().drain() == OutboxWorker.Report(sent: 1))
        #expect(try fixture.mails().first?.text.contains(password) == true)
    }

    @Test("a change on two systems: one confirmation per system, each waiting for its own system's operations")
    func changeOnTwoSystems() async throws {
        let fixture = try await OutboxFixture(sink: try SMTPSink.shared())
        let first = "First-Password-1!"
        try await fixture.engine.createJdoe(password: first)
        // `intranet` is on the same table: the account is there already.
        try await fixture.engine.recordAccount("jdoe", on: "intranet")
        let receipt = try await fixture.desk.acting(as: "self:jdoe").change(
            username: "jdoe", systems: ["hr", "intranet"], current: GuardedString(first), new: GuardedString(Canary.password))
        #expect(Set(receipt.systems) == ["hr", "intranet"])

        let mails = try await fixture.store.outbox()
        #expect(mails.map(\.system).sorted() == ["hr", "intranet"])
        for mail in mails {
            let systems = try await mail.waitsFor.asyncMap { try await fixture.engine.operation($0).system }
            #expect(!systems.isEmpty && systems.allSatisfy { $0 == mail.system }, "\(mail.system): \(systems)")
        }
        #expect(Set(mails.flatMap(\.waitsFor)) == Set(receipt.operationIDs))
        try await fixture.engine.executor.drain()
        #expect(try await fixture.worker().drain() == OutboxWorker.Report(sent: 2))
    }

    @Test("no mail address: initialize is refused naming the person, kind and system, and nothing is queued")
    func noAddress() async throws {
        let fixture = try await OutboxFixture(sink: try SMTPSink.shared())
        _ = try await fixture.store.upsertIdentities([Identity(username: "nomail", givenName: "No", familyName: "Mail")])
        for mode in PasswordDesk.InitializationMode.allCases {
            let error = await serviceError { _ = try await fixture.desk.initialize(username: "nomail", system: "hr", mode: mode) }
            #expect(error?.kind == .notification)
            for word in ["nomail", "initialize-\(mode.rawValue)", "hr", "nothing was queued"] {
                #expect(error?.message.contains(word) == true, "\(error?.message ?? "")")
            }
        }
        #expect(try await fixture.engine.queueIsEmpty())
        #expect(try await fixture.store.outbox().isEmpty)
        #expect(try await fixture.mailAudit().isEmpty)
    }
}
