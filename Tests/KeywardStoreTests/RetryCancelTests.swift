import Foundation
import KeywardCore
import KeywardStore
import KeywardTestSupport
import Testing

/// What an admin may do to a queued operation, and what is refused.
@Suite("Store: retry and cancel", .offThePool)
struct RetryCancelTests {
    @Test(arguments: StoreEngine.allCases) func retryingOperationBecomesDueNow(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let id = try #require(try await store.enqueue(Fixtures.reset()).first)
        _ = try await store.claimNow()
        try await store.finish(id, .retry(at: Date().addingTimeInterval(3600), Fixtures.unreachable))
        let now = Date()
        let retried = try await store.retry(operationID: id, actor: "cli:root", now: now)
        #expect(retried.state == .retrying && retried.holdsSecrets)
        #expect(sameTime(retried.nextAttemptAt, now))
        #expect(try await store.claimDue(limit: 10, now: now).map(\.operation.id) == [id])
        let entry = try #require(try await store.audit(AuditFilter()).first)
        #expect(entry.action == "retry" && entry.outcome == "requested")
        #expect(entry.actor == "cli:root" && entry.operationID == id && entry.system == "ldap")
    }

    @Test(arguments: StoreEngine.allCases, [AttemptOutcome.failed(Fixtures.unreachable), .blocked(Fixtures.unreachable)])
    func endedOperationWithoutSecretIsQueuedAgain(engine: StoreEngine, outcome: AttemptOutcome) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let id = try #require(try await store.enqueue(Fixtures.unlock()).first)
        _ = try await store.claimNow()
        try await store.finish(id, outcome)
        let retried = try await store.retry(operationID: id, actor: "cli:root", now: Date())
        #expect(retried.state == .created && retried.attempts == 0 && retried.result == nil)
        let claimed = try await store.claimNow()
        #expect(claimed.map(\.operation.id) == [id])
        #expect(claimed.first?.operation.attempts == 1)
    }

    @Test(arguments: StoreEngine.allCases, [false, true])
    func endedPasswordOperationIsRefused(engine: StoreEngine, isChange: Bool) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let operation = isChange ? Fixtures.change() : Fixtures.reset()
        let id = try #require(try await store.enqueue(operation).first)
        _ = try await store.claimNow()
        try await store.finish(id, .failed(Fixtures.unreachable))
        let error = await storeError { _ = try await store.retry(operationID: id, actor: "cli:root", now: Date()) }
        #expect(error?.kind == .invalidState)
        #expect(
            error?.message
                == "operation \(id) carried a password, which was deleted when it ended; request it again (keyward password reset --user alice --system ldap)"
        )
        #expect(try await store.require(id).state == .failed)
        #expect(try await store.audit(AuditFilter()).allSatisfy { $0.action != "retry" })
    }

    @Test(arguments: StoreEngine.allCases) func retryRefusesOtherStates(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let ids = try await store.enqueue(Fixtures.unlock("alice"), Fixtures.unlock("bob"))
        let created = await storeError { _ = try await store.retry(operationID: ids[0], actor: "cli:root", now: Date()) }
        #expect(created?.kind == .invalidState)
        #expect(created?.message.contains("is created") == true)
        _ = try await store.claimNow()
        let running = await storeError { _ = try await store.retry(operationID: ids[0], actor: "cli:root", now: Date()) }
        #expect(running?.message.contains("is running") == true)
        try await store.finish(ids[0], .executed(Fixtures.ok))
        let executed = await storeError { _ = try await store.retry(operationID: ids[0], actor: "cli:root", now: Date()) }
        #expect(executed?.kind == .invalidState)
        #expect(executed?.message.contains("is executed") == true)
        let missing = await storeError { _ = try await store.retry(operationID: 999, actor: "cli:root", now: Date()) }
        #expect(missing?.kind == .notFound)
    }

    @Test(arguments: StoreEngine.allCases) func cancelEndsQueuedOperationsAndDeletesTheirSecrets(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let ids = try await store.enqueue(Fixtures.reset("alice"), Fixtures.reset("bob"))
        let cancelled = try await store.cancel(operationID: ids[0], actor: "cli:root", now: Date())
        #expect(cancelled.state == .cancelled && !cancelled.holdsSecrets)
        #expect(try await store.secretCounts() == [folder.key.id: 1])
        let entry = try #require(try await store.audit(AuditFilter(username: "alice")).first)
        #expect(entry.action == "cancel" && entry.outcome == "cancelled" && entry.operationID == ids[0])

        _ = try await store.claimNow()
        try await store.finish(ids[1], .retry(at: Date().addingTimeInterval(60), Fixtures.unreachable))
        #expect(try await store.cancel(operationID: ids[1], actor: "cli:root", now: Date()).state == .cancelled)
        #expect(try await store.secretCounts().isEmpty)
    }

    @Test(arguments: StoreEngine.allCases) func cancelRefusesOperationsThatAreRunningOrEnded(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let id = try #require(try await store.enqueue(Fixtures.reset()).first)
        _ = try await store.claimNow()
        let running = await storeError { _ = try await store.cancel(operationID: id, actor: "cli:root", now: Date()) }
        #expect(running?.kind == .invalidState)
        #expect(running?.message.contains("is running") == true)
        try await store.finish(id, .executed(Fixtures.ok))
        let executed = await storeError { _ = try await store.cancel(operationID: id, actor: "cli:root", now: Date()) }
        #expect(executed?.kind == .invalidState)
        #expect(executed?.message.contains("is executed") == true)
        let missing = await storeError { _ = try await store.cancel(operationID: 999, actor: "cli:root", now: Date()) }
        #expect(missing?.kind == .notFound)
    }
}
