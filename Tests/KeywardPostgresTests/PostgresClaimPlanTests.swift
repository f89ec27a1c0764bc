import Foundation
import KeywardStore
import KeywardTestSupport
import Testing

@testable import KeywardPostgres

/// The claim's plan must not depend on the statistics: a queue's are
/// usually stale, since autovacuum analyzes only after a tenth of the
/// table has changed.
@Suite("PostgreSQL: the claim's query plan", .offThePool)
struct PostgresClaimPlanTests {
    @Test func aBurstAfterAQuietSpellIsClaimedByAWalkInIDOrder() async throws {
        try await PostgresFixture.withStore { store, database, _ in
            let server = try PostgresServer.shared()
            func insert(_ count: Int, state: String) -> String {
                """
                INSERT INTO operations (
                    request_id, requested_by, system, username, uid, action, state, max_attempts,
                    next_attempt_at, created_at, updated_at)
                SELECT 'r', 'test', 'hr', 'u' || (i % 500), 'u' || (i % 500), 'unlock', '\(state)', 3, 0, 0, 0
                FROM generate_series(1, \(count)) i
                """
            }
            // A history analyzed while nothing waited, then a burst the statistics do not know.
            try server.psql(
                "ALTER TABLE operations SET (autovacuum_enabled = off); \(insert(20_000, state: "executed")); ANALYZE operations",
                database: database.name)
            try server.psql(insert(5_000, state: "created"), database: database.name)

            let plan = try server.psql(
                """
                BEGIN; \(PostgresStore.claimPlanSetting);
                PREPARE claim(double precision, bigint) AS \(PostgresStore.claimCandidates);
                EXPLAIN EXECUTE claim(1e12, 32); ROLLBACK
                """, database: database.name)
            #expect(plan.contains("Index Scan using operations_claimable on operations o"), "\(plan)")
            #expect(!plan.contains("Sort"), "\(plan)")
            #expect(!plan.contains("Join"), "\(plan)")
            #expect(plan.contains("Index Only Scan using operations_open on operations p"), "\(plan)")

            // The first open operation of each account, oldest first, in a
            // transaction that set what the plan above was made with (the
            // test server logs every statement).
            let logged = server.logText().count
            let claimed = try await store.claimDue(limit: 32, now: Date(), systemLimits: [:])
            #expect(claimed.map(\.operation.id) == Array(20_001...20_032))
            #expect(server.logText().dropFirst(logged).contains(PostgresStore.claimPlanSetting))
        }
    }
}
