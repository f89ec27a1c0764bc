import Foundation
import KeywardCore
import KeywardEngine
import KeywardStore
import KeywardTestSupport
import Logging
import Testing

/// `maxConcurrent:` caps how many of a system's operations run at once,
/// counting every worker that shares the store, not just one executor's.
@Suite("Per-system concurrency caps", .offThePool)
struct SystemLimitTests {
    @Test func theStoreClaimsNoMoreThanTheCapCountingRunningOnes() async throws {
        let fixture = try await EngineFixture()
        _ = try await fixture.service.createAccounts(username: "jdoe", systems: ["hr"])
        _ = try await fixture.service.createAccounts(username: "asmith", systems: ["hr"])
        let now = fixture.clock.now()

        let first = try await fixture.store.claimDue(limit: 10, now: now, systemLimits: ["hr": 1])
        #expect(first.count == 1)
        // The first is still running (another worker holds it): no room.
        #expect(try await fixture.store.claimDue(limit: 10, now: now, systemLimits: ["hr": 1]).isEmpty)
        // A cap on another system does not hold this one back.
        let second = try await fixture.store.claimDue(limit: 10, now: now, systemLimits: ["crm": 1])
        #expect(second.count == 1)
        #expect(first[0].operation.id != second[0].operation.id)
    }

    @Test func anExecutorWithACappedSystemRunsItsBatchOneAtATime() async throws {
        let fixture = try await EngineFixture()
        _ = try await fixture.service.createAccounts(username: "jdoe", systems: ["hr"])
        _ = try await fixture.service.createAccounts(username: "asmith", systems: ["hr"])
        let capped = fixture.systems.map { system in
            var system = system
            system.definition.maxConcurrent = 1
            return system
        }
        let clock = fixture.clock
        let executor = Executor(store: fixture.store, systems: capped, logger: Logger(label: "test"), now: { clock.now() })

        #expect(try await executor.runBatch() == 1)
        #expect(try await executor.runBatch() == 1)
        #expect(try await executor.runBatch() == 0)
        #expect(try await fixture.operations().map(\.state) == [.executed, .executed])
    }
}
