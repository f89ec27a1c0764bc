import KeywardCore
import KeywardStore
import KeywardTestSupport
import Testing

/// `keyward serve` answers its requests on Swift's cooperative pool, which
/// has one thread per core. A store read there must never hold a pool thread
/// waiting for a reader connection: the reads that hold the readers need
/// those same threads to finish and give them back.
@Suite("Store: reads from the cooperative pool under load", .offThePool)
struct PoolLoadTests {
    @Test func manyConcurrentLookupsAndListsAllFinish() async throws {
        let folder = try StoreFolder()
        let store = try folder.open()
        _ = try await store.upsertIdentities([Identity(username: "alice"), Identity(username: "bob")])
        let reads = try await StuckPool.run(
            seconds: 60, test: "PoolLoadTests",
            reason: "64 clients' reads did not finish in 60 s: the cooperative pool's threads wait for reader "
                + "connections that only those threads can give back"
        ) {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for client in 0..<64 {
                    group.addTask {
                        var found = 0
                        for _ in 0..<20 {
                            // The request path's lookup by key, then a list as the console's pages read.
                            let username = client % 2 == 0 ? "alice" : "bob"
                            if try await store.identityAndAccounts(username: username) != nil { found += 1 }
                            found += try await store.identities().count
                        }
                        return found
                    }
                }
                return try await group.reduce(0, +)
            }
        }
        #expect(reads == 64 * 20 * 3)
    }
}
