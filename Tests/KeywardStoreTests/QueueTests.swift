import Foundation
import KeywardCore
import KeywardStore
import KeywardTestSupport
import Testing

/// Queueing, claiming, finishing and recovering operations.
@Suite("Store: queue", .offThePool)
struct QueueTests {
    @Test(arguments: StoreEngine.allCases) func enqueueStoresOperationsAccountsAndAuditInOrder(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let account = AccountRecord(username: "alice", system: "ldap", uid: "alice", state: .pending)
        let ids = try await store.enqueue(
            requestID: "req-1", requestedBy: "cli:root", operations: [Fixtures.reset(), Fixtures.unlock("bob")],
            accounts: [account], audit: [Fixtures.audit()])
        #expect(ids.count == 2)
        #expect(ids[0] < ids[1])
        let reset = try await store.require(ids[0])
        #expect(reset.requestID == "req-1" && reset.requestedBy == "cli:root")
        #expect(reset.state == .created && reset.attempts == 0 && reset.maxAttempts == 3)
        #expect(reset.action == .update && reset.mustChange == true && reset.holdsSecrets)
        #expect(reset.attributes == Fixtures.reset().attributes)
        #expect(!reset.wasInterrupted && reset.result == nil)
        let unlock = try await store.require(ids[1])
        #expect(unlock.username == "bob" && unlock.action == .unlock && !unlock.holdsSecrets && unlock.mustChange == nil)
        #expect(try await store.account(username: "alice", system: "ldap")?.state == .pending)
        #expect(try await store.audit(AuditFilter()).count == 1)
        #expect(try await store.secretCounts() == [folder.key.id: 1])
        #expect(try await store.operation(id: 999) == nil)
    }

    @Test(arguments: StoreEngine.allCases) func claimRespectsDueTimeLimitAndCountsAttempts(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let ids = try await store.enqueue(Fixtures.reset("a"), Fixtures.reset("b"), Fixtures.unlock("c"))
        #expect(try await store.claimDue(limit: 10, now: Date().addingTimeInterval(-86_400)).isEmpty)
        #expect(try await store.claimNow(limit: 0).isEmpty)

        let first = try await store.claimNow(limit: 2)
        #expect(first.map(\.operation.id) == [ids[0], ids[1]])
        for claimed in first {
            #expect(claimed.operation.state == .running)
            #expect(claimed.operation.attempts == 1)
            #expect(claimed.secrets[Fixtures.password] == GuardedString(Canary.password))
        }
        let second = try await store.claimNow(limit: 2)
        #expect(second.map(\.operation.id) == [ids[2]])
        #expect(second.first?.secrets.isEmpty == true)
        #expect(try await store.claimNow().isEmpty)
        #expect(try await store.require(ids[0]).state == .running)

        let retryAt = Date().addingTimeInterval(300)
        try await store.finish(ids[0], .retry(at: retryAt, Fixtures.unreachable))
        #expect(try await store.claimNow().isEmpty)
        let again = try await store.claimDue(limit: 10, now: retryAt)
        #expect(again.map(\.operation.id) == [ids[0]])
        #expect(again.first?.operation.attempts == 2)
        #expect(again.first?.secrets[Fixtures.password] == GuardedString(Canary.password))
    }

    @Test(arguments: StoreEngine.allCases) func operationsOnOneAccountRunInOrder(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let ids = try await store.enqueue(
            Fixtures.reset("alice"), Fixtures.unlock("alice"), Fixtures.unlock("bob"),
            Fixtures.unlock("alice", system: "mail"))
        #expect(try await store.claimNow().map(\.operation.id) == [ids[0], ids[2], ids[3]])
        #expect(try await store.claimNow().isEmpty)

        // A retrying operation still holds the account.
        let later = Date().addingTimeInterval(3600)
        try await store.finish(ids[0], .retry(at: later, Fixtures.unreachable))
        #expect(try await store.claimNow().isEmpty)
        #expect(try await store.claimDue(limit: 10, now: later).map(\.operation.id) == [ids[0]])
        try await store.finish(ids[0], .executed(Fixtures.ok))
        #expect(try await store.claimNow().map(\.operation.id) == [ids[1]])
    }

    @Test(
        "Finishing records the outcome; ending deletes the secrets",
        arguments: StoreEngine.allCases, [
            AttemptOutcome.executed(Fixtures.ok), .failed(OperationResult(code: "not-found", message: "no such uid")),
            .blocked(OperationResult(code: "retries-exhausted", message: "gave up")),
            .retry(at: Date(timeIntervalSince1970: 2_000_000_000), Fixtures.unreachable),
        ])
    func finishRecordsTheOutcome(engine: StoreEngine, outcome: AttemptOutcome) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let id = try #require(try await store.enqueue(Fixtures.reset()).first)
        _ = try await store.claimNow()
        try await store.finish(
            operationID: id, outcome: outcome, account: AccountUpdate(state: .active, locked: false, createIfMissing: true),
            audit: AuditEntry(actor: "engine", action: "reset", username: "alice", outcome: "done"))
        let operation = try await store.require(id)
        switch outcome {
        case .executed(let result):
            #expect(operation.state == .executed && operation.result == result)
        case .failed(let result):
            #expect(operation.state == .failed && operation.result == result)
        case .blocked(let result):
            #expect(operation.state == .blocked && operation.result == result)
        case .retry(let at, let result):
            #expect(operation.state == .retrying && operation.result == result)
            #expect(sameTime(operation.nextAttemptAt, at))
        }
        #expect(operation.holdsSecrets == !operation.state.isTerminal)
        #expect(try await store.secretCounts() == (operation.state.isTerminal ? [:] : [folder.key.id: 1]))
        #expect(try await store.account(username: "alice", system: "ldap")?.state == .active)
        let entry = try #require(try await store.audit(AuditFilter(username: "alice")).first)
        #expect(entry.actor == "engine" && entry.operationID == id)
    }

    @Test(arguments: StoreEngine.allCases) func finishAppliesTheAccountUpdateInsideTheSameTransaction(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        func finished(_ update: AccountUpdate, uid: String = "alice-uid") async throws -> AccountRecord? {
            let id = try #require(try await store.enqueue(Fixtures.reset(uid: uid)).first)
            _ = try await store.claimNow()
            try await store.finish(
                operationID: id, outcome: .executed(Fixtures.ok), account: update,
                audit: Fixtures.audit(action: "attempt", outcome: "executed"))
            return try await store.account(username: "alice", system: "ldap")
        }
        // Not created when the update says so.
        #expect(try await finished(AccountUpdate(state: .failed, createIfMissing: false)) == nil)
        // Created with the operation's uid, active unless told otherwise.
        let created = try #require(try await finished(AccountUpdate(mustChange: true, createIfMissing: true)))
        #expect(created.uid == "alice-uid" && created.state == .active && created.mustChange == true && created.locked == nil)
        // A nil field keeps what is stored; the uid of an existing record stays.
        try await store.saveAccount(
            AccountRecord(username: "alice", system: "ldap", uid: "alice-uid", state: .active, locked: true, mustChange: true))
        let unlocked = try #require(try await finished(AccountUpdate(locked: false, createIfMissing: true), uid: "other"))
        #expect(unlocked.uid == "alice-uid" && unlocked.locked == false && unlocked.mustChange == true)
        let failed = try #require(try await finished(AccountUpdate(state: .failed, createIfMissing: false)))
        #expect(failed.state == .failed && failed.locked == false && failed.mustChange == true)
    }

    @Test(arguments: StoreEngine.allCases) func finishRefusesUnknownAndEndedOperations(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let missing = await storeError { try await store.finish(42, .executed(Fixtures.ok)) }
        #expect(missing?.kind == .notFound)
        #expect(missing?.message.contains("operation 42") == true)

        let id = try #require(try await store.enqueue(Fixtures.unlock()).first)
        _ = try await store.claimNow()
        try await store.finish(id, .executed(Fixtures.ok))
        let ended = await storeError { try await store.finish(id, .failed(Fixtures.unreachable)) }
        #expect(ended?.kind == .invalidState)
        #expect(try await store.require(id).state == .executed)
    }

    @Test(arguments: StoreEngine.allCases) func interruptedOperationsComeBackMarked(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let ids = try await store.enqueue(Fixtures.reset("alice"), Fixtures.unlock("bob"), Fixtures.unlock("carol"))
        _ = try await store.claimNow(limit: 2)
        let now = Date().addingTimeInterval(5 + engine.afterLeases)
        #expect(try await store.recoverInterrupted(now: now) == 2)
        #expect(try await store.recoverInterrupted(now: now) == 0)
        let recovered = try await store.require(ids[0])
        #expect(recovered.state == .retrying && recovered.wasInterrupted)
        #expect(sameTime(recovered.nextAttemptAt, now))
        #expect(try await store.require(ids[2]).state == .created)

        let claimed = try await store.claimDue(limit: 10, now: now)
        #expect(claimed.map(\.operation.id) == ids)
        #expect(claimed[0].operation.wasInterrupted && claimed[0].operation.attempts == 2)
        #expect(claimed[0].secrets[Fixtures.password] == GuardedString(Canary.password))
        try await store.finish(ids[0], .executed(Fixtures.ok))
        #expect(try await store.require(ids[0]).wasInterrupted == false)
    }

    @Test(arguments: StoreEngine.allCases) func listingFiltersNewestFirstAndCountsByState(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let ids = try await store.enqueue(
            Fixtures.unlock("alice"), Fixtures.unlock("bob"), Fixtures.unlock("alice", system: "mail"))
        _ = try await store.claimNow(limit: 1)
        #expect(try await store.operations(OperationFilter()).map(\.id) == ids.reversed())
        #expect(try await store.operations(OperationFilter(username: "alice")).map(\.id) == [ids[2], ids[0]])
        #expect(try await store.operations(OperationFilter(system: "mail")).map(\.id) == [ids[2]])
        #expect(try await store.operations(OperationFilter(states: [.running])).map(\.id) == [ids[0]])
        #expect(try await store.operations(OperationFilter(states: [.running, .created], limit: 2)).map(\.id) == [ids[2], ids[1]])
        let counts = try await store.operationCounts()
        #expect(counts[.created] == 2 && counts[.running] == 1 && counts[.executed] == 0)
    }
}
