import Foundation
import KeywardCore
import KeywardStore
import KeywardTestSupport
import Testing

/// Identities, accounts and the audit log.
@Suite("Store: identities, accounts, audit", .offThePool)
struct RecordTests {
    @Test(arguments: StoreEngine.allCases) func upsertCountsInsertsAndUpdates(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let alice = Identity(
            username: "alice", givenName: "Alice", familyName: "Liddell", email: "alice@example.org",
            managerEmail: "queen@example.org", attributes: ["department": "wonder", "number": "42"])
        let bob = Identity(username: "bob")
        #expect(try await store.upsertIdentities([alice, bob]) == ImportSummary(inserted: 2, updated: 0))
        #expect(try await store.identity(username: "alice") == alice)

        var changed = alice
        changed.email = "alice@example.com"
        changed.attributes = ["department": "looking-glass"]
        let carol = Identity(username: "carol", givenName: "Carol")
        #expect(try await store.upsertIdentities([changed, carol]) == ImportSummary(inserted: 1, updated: 1))
        #expect(try await store.identity(username: "alice") == changed)
        #expect(try await store.identity(username: "nobody") == nil)
        #expect(try await store.identities().map(\.username) == ["alice", "bob", "carol"])
        #expect(try await store.upsertIdentities([]) == ImportSummary())
    }

    @Test(arguments: StoreEngine.allCases) func accountsAreSavedReplacedAndListedBySystem(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let at = Date(timeIntervalSince1970: 1_700_000_000.25)
        let ldap = AccountRecord(username: "alice", system: "ldap", uid: "alice", state: .pending, updatedAt: at)
        let mail = AccountRecord(
            username: "alice", system: "mail", uid: "a.liddell", state: .active, locked: false, mustChange: true,
            updatedAt: at)
        try await store.saveAccount(mail)
        try await store.saveAccount(ldap)
        try await store.saveAccount(AccountRecord(username: "bob", system: "ldap", uid: "bob", state: .failed))
        #expect(try await store.accounts(username: "alice") == [ldap, mail])
        #expect(try await store.account(username: "alice", system: "mail") == mail)
        #expect(try await store.account(username: "alice", system: "crm") == nil)

        var active = ldap
        active.state = .active
        active.locked = true
        try await store.saveAccount(active)
        #expect(try await store.account(username: "alice", system: "ldap") == active)
        #expect(try await store.accounts(username: "alice").count == 2)
    }

    @Test(arguments: StoreEngine.allCases) func auditFiltersByUsernameAndSinceNewestFirst(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        try await store.appendAudit([
            Fixtures.audit("alice", action: "create", at: start),
            Fixtures.audit("bob", action: "create", at: start.addingTimeInterval(10)),
            Fixtures.audit("alice", action: "reset", at: start.addingTimeInterval(20)),
            AuditEntry(
                at: start.addingTimeInterval(30), actor: "api:helpdesk", action: "unlock", username: "alice",
                system: "ldap", uid: "alice", operationID: 7, outcome: "executed", message: "unlocked"),
        ])
        let alice = try await store.audit(AuditFilter(username: "alice"))
        #expect(alice.map(\.action) == ["unlock", "reset", "create"])
        #expect(alice.allSatisfy { $0.id > 0 })
        let last = try #require(alice.first)
        #expect(last.actor == "api:helpdesk")
        #expect(last.system == "ldap" && last.uid == "alice" && last.operationID == 7)
        #expect(last.outcome == "executed" && last.message == "unlocked")
        #expect(sameTime(last.at, start.addingTimeInterval(30)))

        let recent = try await store.audit(AuditFilter(since: start.addingTimeInterval(10)))
        #expect(recent.map(\.username) == ["alice", "alice", "bob"])
        let aliceRecent = try await store.audit(AuditFilter(username: "alice", since: start.addingTimeInterval(15)))
        #expect(aliceRecent.map(\.action) == ["unlock", "reset"])
        #expect(try await store.audit(AuditFilter(limit: 1)).map(\.action) == ["unlock"])
        #expect(try await store.audit(AuditFilter(username: "nobody")).isEmpty)
    }
}
