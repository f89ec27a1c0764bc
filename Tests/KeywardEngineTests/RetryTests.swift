import Foundation
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardStore
import KeywardTestSupport
import Testing

/// Transient failures retried with the system's backoff on a clock the test
/// moves; permanent failures end the operation at once. Failures come from
/// ``FlakyConnector`` around the real `sql` connector.
@Suite("Retries", .offThePool)
struct RetryTests {
    static let policy = RetryPolicy(maxAttempts: 3, backoff: .exponential, delaySeconds: 10, maxDelaySeconds: 15)

    /// A fixture whose `hr` fails its next `failures` calls with `error`.
    static func fixture(
        failing failures: Int, with error: ConnectorError = ConnectorError(.unreachable, "injected: connection refused")
    ) async throws -> (EngineFixture, FlakyConnector.Faults) {
        let faults = FlakyConnector.Faults()
        faults.arm(failures, with: error)
        let fixture = try await EngineFixture(retry: policy) { FlakyConnector(wrapped: $0, faults: faults) }
        return (fixture, faults)
    }

    @Test func transientFailuresBackOffExponentiallyUpToTheCapThenBlock() async throws {
        let (fixture, faults) = try await Self.fixture(failing: 3)
        let receipt = try await fixture.service.createAccounts(username: "jdoe", systems: ["hr"])
        let id = receipt.operationIDs[0]
        let start = fixture.clock.now()

        #expect(try await fixture.executor.drain() == 1)
        var operation = try await fixture.operation(id)
        #expect(operation.state == .retrying)
        #expect(operation.attempts == 1)
        #expect(operation.result?.code == "unreachable")
        #expect(sameTime(operation.nextAttemptAt, start.addingTimeInterval(10)))
        #expect(operation.holdsSecrets)

        fixture.clock.advance(by: 9.5)
        #expect(try await fixture.executor.drain() == 0)
        #expect(try await fixture.operation(id).attempts == 1)

        fixture.clock.advance(by: 0.5)
        #expect(try await fixture.executor.drain() == 1)
        operation = try await fixture.operation(id)
        #expect(operation.state == .retrying)
        #expect(operation.attempts == 2)
        #expect(sameTime(operation.nextAttemptAt, start.addingTimeInterval(10 + 15)))

        fixture.clock.advance(by: 14.5)
        #expect(try await fixture.executor.drain() == 0)

        fixture.clock.advance(by: 0.5)
        #expect(try await fixture.executor.drain() == 1)
        operation = try await fixture.operation(id)
        #expect(operation.state == .blocked)
        #expect(operation.attempts == 3)
        #expect(operation.result?.code == "retries-exhausted")
        #expect(operation.result?.message.contains("3 attempt(s)") == true)
        #expect(!operation.holdsSecrets)
        #expect(try await fixture.store.secretCounts().isEmpty)
        #expect(faults.calls == 3)
        #expect(try fixture.employeeCount() == 0)
        #expect(try await fixture.store.account(username: "jdoe", system: "hr")?.state == .failed)
        let outcomes = try await fixture.auditTrail(operationID: id).map(\.outcome)
        #expect(outcomes == ["retrying", "retrying", "blocked"])

        fixture.clock.advance(by: 3600)
        #expect(try await fixture.executor.drain() == 0)
    }

    @Test func oneTransientFailureEndsExecutedOnTheSecondAttempt() async throws {
        let (fixture, faults) = try await Self.fixture(failing: 1)
        let receipt = try await fixture.service.createAccounts(username: "jdoe", systems: ["hr"])
        let id = receipt.operationIDs[0]

        #expect(try await fixture.executor.drain() == 1)
        #expect(try await fixture.operation(id).state == .retrying)
        fixture.clock.advance(by: 10)
        #expect(try await fixture.executor.drain() == 1)

        let operation = try await fixture.operation(id)
        #expect(operation.state == .executed)
        #expect(operation.attempts == 2)
        #expect(faults.calls == 2)
        #expect(try fixture.holds(try #require(receipt.generatedPassword).testPlaintext))
        #expect(try await fixture.store.account(username: "jdoe", system: "hr")?.state == .active)
        #expect(try await fixture.auditTrail(operationID: id).map(\.outcome) == ["retrying", "executed"])
    }

    @Test func aThrottledAnswerWaitsAtLeastItsRetryAfter() async throws {
        let (fixture, _) = try await Self.fixture(
            failing: 1, with: ConnectorError(.throttled, "injected: slow down", retryAfter: .seconds(100)))
        let receipt = try await fixture.service.createAccounts(username: "jdoe", systems: ["hr"])
        let id = receipt.operationIDs[0]
        let start = fixture.clock.now()

        #expect(try await fixture.executor.drain() == 1)
        let operation = try await fixture.operation(id)
        #expect(operation.state == .retrying)
        #expect(operation.result?.code == "throttled")
        #expect(operation.nextAttemptAt.timeIntervalSince(start) >= 100 - 0.001)

        fixture.clock.advance(by: 99)
        #expect(try await fixture.executor.drain() == 0)
        fixture.clock.advance(by: 1)
        #expect(try await fixture.executor.drain() == 1)
        #expect(try await fixture.operation(id).state == .executed)
    }

    @Test func aPermanentFailureFailsAtOnce() async throws {
        let (fixture, faults) = try await Self.fixture(
            failing: 1, with: ConnectorError(.notFound, "injected: no account with key 'jdoe'"))
        let receipt = try await fixture.service.createAccounts(username: "jdoe", systems: ["hr"])
        let id = receipt.operationIDs[0]

        #expect(try await fixture.executor.drain() == 1)

        let operation = try await fixture.operation(id)
        #expect(operation.state == .failed)
        #expect(operation.attempts == 1)
        #expect(operation.result?.code == "not-found")
        #expect(!operation.holdsSecrets)
        #expect(try await fixture.store.secretCounts().isEmpty)
        #expect(faults.calls == 1)
        #expect(try await fixture.auditTrail(operationID: id).map(\.outcome) == ["failed"])
        fixture.clock.advance(by: 3600)
        #expect(try await fixture.executor.drain() == 0)

        // The failed creation leaves no account: it may be requested again.
        #expect(try await fixture.store.account(username: "jdoe", system: "hr")?.state == .failed)
        let again = try await fixture.service.createAccounts(username: "jdoe", systems: ["hr"])
        #expect(try await fixture.executor.drain() == 1)
        #expect(try await fixture.operation(again.operationIDs[0]).state == .executed)
        #expect(try await fixture.store.account(username: "jdoe", system: "hr")?.state == .active)
    }

    @Test func anOperationForASystemNoLongerConfiguredIsBlocked() async throws {
        let fixture = try await EngineFixture()
        let receipt = try await fixture.service.createAccounts(username: "jdoe", systems: ["hr"])
        let executor = Executor(
            store: fixture.store, systems: fixture.systems.filter { $0.name != "hr" },
            logger: fixture.executor.logger, now: fixture.executor.now)

        #expect(try await executor.drain() == 1)

        let operation = try await fixture.operation(receipt.operationIDs[0])
        #expect(operation.state == .blocked)
        #expect(operation.result?.code == "unknown-system")
        #expect(operation.result?.message.contains("'hr' is no longer configured") == true)
        #expect(try await fixture.store.secretCounts().isEmpty)
        #expect(try fixture.employeeCount() == 0)
    }
}
