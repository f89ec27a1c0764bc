import Foundation
import GRDB
import KeywardCore
import KeywardTestSupport
import Testing

@testable import KeywardStore

/// The claim's query must not grow with the queue's history, nor with its backlog.
@Suite("Store: the claim's query plan", .offThePool)
struct ClaimPlanTests {
    /// A long history of ended operations, then `waiting` queued ones, and
    /// statistics that know it. Returns the plan of the claim's query.
    private func plan(waiting: Int) async throws -> [String] {
        let folder = try StoreFolder()
        _ = try folder.open()
        return try await folder.rawConnection().write { db in
            try db.execute(
                sql: """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000 + ?)
                    INSERT INTO operations (
                        request_id, requested_by, system, username, uid, action, state, max_attempts,
                        next_attempt_at, created_at, updated_at)
                    SELECT 'r', 'test', 'hr', 'u' || (i % 500), 'u' || (i % 500), 'update',
                        CASE WHEN i > 20000 THEN 'created' ELSE 'executed' END, 3, 0, 0, 0
                    FROM n
                    """,
                arguments: [waiting])
            try db.execute(sql: "ANALYZE")
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteStore.claimCandidates, arguments: [1.0, 32])
                .map { $0["detail"] as String }
        }
    }

    /// With statistics, SQLite would rather walk the whole table in id
    /// order (past every operation that ever ended), or search every due
    /// operation and sort them (the whole backlog): the claim walks the
    /// claimable ones in id order and stops at its batch.
    @Test(arguments: [50, 20_000])
    func theClaimWalksTheClaimableOperationsInIDOrder(waiting: Int) async throws {
        let plan = try await plan(waiting: waiting)
        #expect(plan.first == "SCAN o USING INDEX operations_claimable", "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        #expect(plan.contains { $0.contains("SEARCH p USING INDEX operations_open") }, "\(plan)")
    }

    /// SQLite codes an IN list of three values in a partial index's WHERE
    /// as a temporary B-tree, built and dropped at every write of an
    /// operation on the one writer (migration v5 rewrote `operations_open`
    /// for this). Checked on a store opened at v4, which the opening
    /// upgrades, and whose claim then still finds the index.
    @Test func writingAnOperationBuildsNoTemporaryTable() async throws {
        let folder = try StoreFolder()
        try SQLiteStore.migrator.migrate(try folder.rawConnection(), upTo: "v4: the index of claimable operations")
        _ = try folder.open()
        // A connection opened after the upgrade: EXPLAIN compiles against
        // the schema a connection last read, and runs nothing that would
        // notice it changed.
        let (opcodes, plan) = try await folder.rawConnection().read { db in
            let writes = [
                (
                    """
                    INSERT INTO operations (
                        request_id, requested_by, system, username, uid, action, state, max_attempts,
                        next_attempt_at, created_at, updated_at)
                    VALUES ('r', 'test', 'hr', 'alice', 'alice', 'unlock', 'created', 3, 0, 0, 0)
                    """, StatementArguments()
                ),
                ("UPDATE operations SET state = ?, updated_at = ? WHERE id = ?", ["running", 1.0, 1] as StatementArguments),
                ("DELETE FROM operations WHERE id = ?", [1] as StatementArguments),
            ]
            let opcodes = try writes.flatMap { sql, arguments in
                try Row.fetchAll(db, sql: "EXPLAIN " + sql, arguments: arguments).map { $0["opcode"] as String }
            }
            let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteStore.claimCandidates, arguments: [1.0, 32])
                .map { $0["detail"] as String }
            return (opcodes, plan)
        }
        #expect(opcodes.contains("IdxInsert"))
        #expect(!opcodes.contains("OpenEphemeral"), "\(opcodes)")
        #expect(plan.contains { $0.contains("SEARCH p USING INDEX operations_open") }, "\(plan)")
    }

    /// A store made before the index (v3) gets it when opened, and keeps its queue.
    @Test func aVersion3StoreGainsTheIndexAndKeepsItsQueue() async throws {
        let folder = try StoreFolder()
        let raw = try folder.rawConnection()
        try SQLiteStore.migrator.migrate(raw, upTo: "v3: API tokens and the notification outbox")
        try await raw.write { db in
            try db.execute(
                sql: """
                    INSERT INTO operations (
                        request_id, requested_by, system, username, uid, action, state, max_attempts,
                        next_attempt_at, created_at, updated_at)
                    VALUES ('r', 'test', 'hr', 'alice', 'alice', 'unlock', 'created', 3, 0, 0, 0)
                    """)
        }
        let store = try folder.open()
        let indexes = try await raw.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        #expect(indexes.contains("operations_claimable"))
        let claimed = try await store.claimDue(limit: 10, now: Date(), systemLimits: [:])
        #expect(claimed.map(\.operation.uid) == ["alice"])
    }
}
