import Foundation
import KeywardCore
import KeywardPostgres
import KeywardStore
import KeywardTestSupport
import Synchronization
import Testing

/// Many workers, one queue: several store instances (as several nodes
/// would open) claiming from one database at once.
@Suite("PostgreSQL: claims shared by several workers", .offThePool)
struct PostgresClaimTests {
    @Test func workersClaimingAtOnceTakeEachOperationOnceAndOneAccountInOrder() async throws {
        let database = try PostgresServer.shared().makeDatabase()
        let key = MasterKey.generate()
        var stores: [PostgresStore] = []
        for _ in 0..<4 { stores.append(try await PostgresFixture.open(database, key: key)) }
        let operations = (0..<3).flatMap { round in
            (0..<12).map { person in PostgresFixture.unlock("p\(person)", system: "sys\((person + round) % 3)") }
        }
        // Each person's three unlocks are on three systems; a fourth on the first system follows.
        let ids = try await stores[0].enqueue(operations + (0..<12).map { PostgresFixture.unlock("p\($0)", system: "sys\($0 % 3)") })
        let events = EventLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in stores {
                group.addTask {
                    var idle = 0
                    while idle < 3 {
                        let claimed = try await store.claimDue(limit: 4, now: Date())
                        idle = claimed.isEmpty ? idle + 1 : 0
                        for operation in claimed { events.claimed(operation.operation.id) }
                        for operation in claimed {
                            events.finishing(operation.operation.id)
                            try await store.execute(operation.operation.id)
                        }
                        if claimed.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let claims = events.claims()
        #expect(claims.count == ids.count)
        #expect(Set(claims).count == ids.count, "an operation was claimed twice")
        #expect(try await stores[0].operationCounts()[.executed] == ids.count)
        #expect(try await stores[0].operations(OperationFilter(limit: 1000)).allSatisfy { $0.attempts == 1 })
        // The fourth operation on an account was claimed only after the first one's finish began.
        for person in 0..<12 {
            let first = ids[person]
            let fourth = ids[36 + person]
            #expect(try #require(events.sequence(ofClaim: fourth)) > #require(events.sequence(ofFinishing: first)))
        }
        for store in stores { await store.close() }
    }

    @Test func systemLimitsHoldAcrossWorkers() async throws {
        let database = try PostgresServer.shared().makeDatabase()
        let key = MasterKey.generate()
        var stores: [PostgresStore] = []
        for _ in 0..<4 { stores.append(try await PostgresFixture.open(database, key: key)) }
        _ = try await stores[0].enqueue((0..<20).map { PostgresFixture.unlock("u\($0)", system: "slow") })
        let limits = ["slow": 3]
        func claimEverywhere() async throws -> [(PostgresStore, Int64)] {
            try await withThrowingTaskGroup(of: [(PostgresStore, Int64)].self) { group in
                for store in stores {
                    group.addTask {
                        try await store.claimDue(limit: 5, now: Date(), systemLimits: limits).map { (store, $0.operation.id) }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
        }
        let first = try await claimEverywhere()
        #expect(first.count == 3)
        #expect(try await claimEverywhere().isEmpty)
        let (owner, id) = try #require(first.first)
        try await owner.execute(id)
        #expect(try await claimEverywhere().count == 1)
        #expect(try await stores[0].operationCounts()[.running] == 3)
        for store in stores { await store.close() }
    }

    @Test func aLapsedClaimIsTakenAgainMarkedAndTheLateFinishIsRefused() async throws {
        let database = try PostgresServer.shared().makeDatabase()
        let key = MasterKey.generate()
        let first = try await PostgresFixture.open(database, key: key, settings: "&lease=5")
        let second = try await PostgresFixture.open(database, key: key, settings: "&lease=5")
        let id = try #require(try await first.enqueue([PostgresFixture.reset("alice")]).first)
        let now = Date()
        #expect(try await first.claimDue(limit: 10, now: now).map(\.operation.id) == [id])
        #expect(try await second.claimDue(limit: 10, now: now).isEmpty)
        #expect(try await second.recoverInterrupted(now: now) == 0)

        // Past the lease (as if the first worker had died), the second takes it.
        let later = now.addingTimeInterval(60)
        let retaken = try await second.claimDue(limit: 10, now: later)
        #expect(retaken.map(\.operation.id) == [id])
        #expect(retaken.first?.operation.wasInterrupted == true && retaken.first?.operation.attempts == 2)
        #expect(retaken.first?.secrets["__PASSWORD__"] == GuardedString(Canary.password))

        let late = await storeError { try await first.execute(id) }
        #expect(late?.kind == .invalidState)
        #expect(late?.message.contains("operation \(id) is no longer this worker's") == true, "\(late?.message ?? "")")
        try await second.execute(id)
        #expect(try await second.operation(id: id)?.state == .executed)
        let ended = await storeError { try await first.execute(id) }
        #expect(ended?.message == "operation \(id) has already ended (executed)")
        await first.close()
        await second.close()
    }

    @Test func recoveryTakesOnlyLapsedClaims() async throws {
        try await PostgresFixture.withStore(settings: "&lease=3600") { store, database, key in
            let other = try await PostgresFixture.open(database, key: key, settings: "&lease=1")
            let ids = try await store.enqueue([PostgresFixture.unlock("a"), PostgresFixture.unlock("b")])
            let now = Date()
            #expect(try await store.claimDue(limit: 1, now: now).map(\.operation.id) == [ids[0]])
            #expect(try await other.claimDue(limit: 1, now: now).map(\.operation.id) == [ids[1]])
            // A hundred seconds on, the other worker's one-second lease has run out; this store's hour has not.
            let later = now.addingTimeInterval(100)
            #expect(try await store.recoverInterrupted(now: later) == 1)
            #expect(try await store.operation(id: ids[1])?.state == .retrying)
            #expect(try await store.operation(id: ids[1])?.wasInterrupted == true)
            #expect(try await store.operation(id: ids[0])?.state == .running)
            await other.close()
        }
    }

    @Test func aRunningStoreRenewsItsClaims() async throws {
        try await PostgresFixture.withStore(settings: "&lease=2") { store, database, key in
            let other = try await PostgresFixture.open(database, key: key, settings: "&lease=2")
            let id = try #require(try await store.enqueue([PostgresFixture.unlock("a")]).first)
            #expect(try await store.claimDue(limit: 1, now: Date()).count == 1)
            try await Task.sleep(for: .seconds(4))
            #expect(try await other.claimDue(limit: 1, now: Date()).isEmpty)
            try await store.execute(id)
            await other.close()
        }
    }
}

/// What the workers did, in one order.
private final class EventLog: Sendable {
    private let events = Mutex<[(kind: String, id: Int64)]>([])

    func claimed(_ id: Int64) { events.withLock { $0.append(("claim", id)) } }
    func finishing(_ id: Int64) { events.withLock { $0.append(("finish", id)) } }
    func claims() -> [Int64] { events.withLock { $0.filter { $0.kind == "claim" }.map(\.id) } }
    func sequence(ofClaim id: Int64) -> Int? { events.withLock { $0.firstIndex { $0 == ("claim", id) } } }
    func sequence(ofFinishing id: Int64) -> Int? { events.withLock { $0.firstIndex { $0 == ("finish", id) } } }
}
