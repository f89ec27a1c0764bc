import GRDB
import KeywardTestSupport
import Testing

@testable import KeywardStore

/// The claim's query must not grow with the queue's history.
@Suite("Store: the claim's query plan", .offThePool)
struct ClaimPlanTests {
    @Test func theClaimSearchesTheDueOperationsEvenWhenStatisticsFavourAWalkByID() async throws {
        let folder = try StoreFolder()
        _ = try folder.open()
        let plan = try await folder.rawConnection().write { db in
            // A long history of ended operations and a few queued ones, and
            // statistics that know it: a walk in id order with an early LIMIT
            // then looks cheap to SQLite, and passes every ended operation.
            try db.execute(
                sql: """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
                    INSERT INTO operations (
                        request_id, requested_by, system, username, uid, action, state, max_attempts,
                        next_attempt_at, created_at, updated_at)
                    SELECT 'r', 'test', 'hr', 'u' || (i % 500), 'u' || (i % 500), 'update',
                        CASE WHEN i > 19950 THEN 'created' ELSE 'executed' END, 3, 0, 0, 0
                    FROM n
                    """)
            try db.execute(sql: "ANALYZE")
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteStore.claimCandidates, arguments: [1.0, 32])
                .map { $0["detail"] as String }
        }
        #expect(plan.first?.contains("USING INDEX operations_due") == true, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN o") }, "\(plan)")
    }
}
