import Foundation
import GRDB
import KeywardCore
import KeywardStore
import KeywardTestSupport
import Testing

/// The outbox's claims are leases: a mail whose worker died before
/// recording the delivery is claimed again once the lease is over, never
/// before, and never lost.
@Suite("Outbox: claims are leases", .offThePool)
struct OutboxLeaseTests {
    @Test("a claimed mail is not claimed again until its lease is over, then with attempts + 1")
    func leaseRunsOut() async throws {
        let fixture = try await EngineFixture()
        let now = Date()
        let id = try await fixture.store.addMail(
            NewOutboxMail(
                kind: "reset", username: "jdoe", system: "hr", requestedBy: "helpdesk:alice", recipientCount: 1,
                carriesSecret: false, payload: GuardedString("{}\nthe message")),
            now: now)

        let first = try await fixture.store.claimDueMail(limit: 4, now: now, lease: .seconds(600))
        #expect(first.map(\.id) == [id] && first.first?.attempts == 1)
        #expect(first.first?.payload == GuardedString("{}\nthe message"))
        #expect(try await fixture.store.outbox().first?.state == .sending)
        #expect(try await fixture.store.claimDueMail(limit: 4, now: now.addingTimeInterval(599), lease: .seconds(600)).isEmpty)

        let again = try await fixture.store.claimDueMail(limit: 4, now: now.addingTimeInterval(601), lease: .seconds(600))
        #expect(again.map(\.id) == [id] && again.first?.attempts == 2)
        try await fixture.store.mailSent(id: id, now: now.addingTimeInterval(602))
        #expect(try await fixture.store.outbox().isEmpty)
    }

    @Test("a mail sealed for another row does not open: it is deleted unsent, the audit says why")
    func tamperedMail() async throws {
        let fixture = try await EngineFixture()
        let now = Date()
        let payload = GuardedString("{}\n" + Canary.password)
        let first = try await fixture.store.addMail(
            NewOutboxMail(kind: "reset", username: "jdoe", system: "hr", requestedBy: "t", recipientCount: 1, carriesSecret: true, payload: payload),
            now: now)
        let second = try await fixture.store.addMail(
            NewOutboxMail(kind: "reset", username: "jdoe", system: "hr", requestedBy: "t", recipientCount: 1, carriesSecret: true, payload: payload),
            now: now)
        // Copy the first row's sealed value over the second's: bound to its row, it must not open there.
        try await DatabaseQueue(path: fixture.store.path).write { db in
            try db.execute(
                sql: "UPDATE notification_outbox SET sealed_message = (SELECT sealed_message FROM notification_outbox WHERE id = ?) WHERE id = ?",
                arguments: [first, second])
        }
        let claimed = try await fixture.store.claimDueMail(limit: 4, now: now, lease: .seconds(600))
        #expect(claimed.map(\.id) == [first])
        #expect(try await fixture.store.outbox().map(\.id) == [first])
        let audit = try #require(try await fixture.auditTrail().last)
        #expect(audit.outcome == "not-sent" && audit.message.contains("outbox mail \(second) does not decrypt"), "\(audit.message)")
        #expect(!audit.message.contains(Canary.password))
    }
}
