import Foundation
import KeywardCore
import KeywardPostgres
import KeywardStore
import KeywardTestSupport
import Testing

/// The database lost mid-batch: PostgreSQL stopped while a worker holds
/// claims, then started again.
@Suite("PostgreSQL: losing the database", .offThePool)
struct PostgresOutageTests {
    @Test func callsFailTransientlyWhileItIsGoneAndNothingIsLostOrDoneTwice() async throws {
        let server = try PostgresServer.dedicated()
        defer { server.destroy() }
        let database = try server.makeDatabase()
        let store = try await PostgresFixture.open(database, key: .generate(), settings: "&timeout=10")
        let ids = try await store.enqueue((0..<30).map { PostgresFixture.reset("p\($0 % 10)", system: "sys\($0 / 10)") })
        let batch = try await store.claimDue(limit: 8, now: Date())
        #expect(batch.count == 8)
        try await store.execute(batch[0].operation.id)

        server.stop()
        let claim = await storeError { _ = try await store.claimDue(limit: 8, now: Date()) }
        #expect(claim?.kind == .unavailable && claim?.isTransient == true, "\(claim?.message ?? "no error")")
        let finish = await storeError { try await store.execute(batch[1].operation.id) }
        #expect(finish?.kind == .unavailable && finish?.isTransient == true, "\(finish?.message ?? "no error")")
        #expect(finish?.message.contains(database.password) == false)
        try server.start()

        // The same store, no restart, as a worker does: what fails for a
        // transient reason is tried again; the batch in hand is finished, then the rest drained.
        for claimed in batch.dropFirst() {
            try await Self.finish(claimed.operation.id, in: store)
        }
        var executed = batch.map(\.operation.id)
        while true {
            let claimed = try await Self.untilAvailable { try await store.claimDue(limit: 8, now: Date()) }
            if claimed.isEmpty { break }
            for operation in claimed {
                try await Self.finish(operation.operation.id, in: store)
                executed.append(operation.operation.id)
            }
        }
        #expect(executed.sorted() == ids, "none lost, none twice")
        let operations = try await store.operations(OperationFilter(limit: 100))
        #expect(operations.count == 30 && operations.allSatisfy { $0.state == .executed && $0.attempts == 1 })
        #expect(try await store.audit(AuditFilter(limit: 1000)).filter { $0.action == "attempt" }.count == 30)
        #expect(try await store.secretCounts().isEmpty)
        await store.close()
    }

    /// Records `executed` until it is recorded: a try that failed as
    /// unavailable may have committed all the same (the answer was lost),
    /// and then the next try finds the operation executed already.
    private static func finish(_ id: Int64, in store: PostgresStore) async throws {
        var retried = false
        while true {
            do {
                return try await untilAvailable {
                    do {
                        try await store.execute(id)
                    } catch let error as StoreError where error.isTransient {
                        retried = true
                        throw error
                    }
                }
            } catch let error as StoreError where retried && error.kind == .invalidState {
                #expect(try await untilAvailable { try await store.operation(id: id) }?.state == .executed)
                return
            }
        }
    }

    /// Runs `body` until it does not fail for a transient reason (at most 20 times).
    private static func untilAvailable<T>(_ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let error as StoreError where error.isTransient && attempt < 20 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(250))
            }
        }
    }
}
