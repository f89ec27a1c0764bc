import Foundation
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardStore
import KeywardTestSupport
import Testing

/// Operations on one account run in the order they were queued, and an
/// operation a crash left `running` runs again without applying its effect
/// twice.
@Suite("Per-account order and crash recovery", .offThePool)
struct OrderAndRecoveryTests {
    @Test func aResetQueuedBehindACreateRunsAfterIt() async throws {
        let fixture = try await EngineFixture()
        let create = try await fixture.service.createAccounts(username: "jdoe", systems: ["hr"])
        let reset = try await fixture.service.resetPassword(username: "jdoe", system: "hr")
        #expect(try await fixture.store.account(username: "jdoe", system: "hr")?.state == .pending)

        // A batch of up to 32 takes the create alone: the reset waits for it.
        #expect(try await fixture.executor.runBatch() == 1)
        #expect(try await fixture.operations().map(\.state) == [.executed, .created, .created])
        #expect(try await fixture.executor.drain() == 2)

        let operations = try await fixture.operations()
        #expect(operations.map(\.state) == [.executed, .executed, .executed])
        #expect(operations.map(\.action) == [.create, .update, .update])
        // Run before the create, the reset would have found no row and failed.
        let created = try #require(create.generatedPassword).testPlaintext
        let final = try #require(reset.generatedPassword).testPlaintext
        #expect(created != final)
        #expect(try fixture.holds(final))
        #expect(!(try fixture.holds(created)))
        let engineTrail = try await fixture.auditTrail().filter { $0.actor == "engine" }
        #expect(engineTrail.map(\.operationID) == operations.map(\.id))
    }

    @Test func operationsOnDifferentAccountsRunInOneBatch() async throws {
        let fixture = try await EngineFixture()
        let jdoe = try await fixture.service.createAccounts(username: "jdoe", systems: ["hr"])
        let asmith = try await fixture.service.createAccounts(username: "asmith", systems: ["hr"])

        #expect(try await fixture.executor.runBatch() == 2)

        #expect(try await fixture.operations().map(\.state) == [.executed, .executed])
        #expect(try fixture.holds(try #require(jdoe.generatedPassword).testPlaintext))
        #expect(try fixture.holds(try #require(asmith.generatedPassword).testPlaintext, login: "asmith"))
        #expect(try fixture.employee("asmith")?.firstName == "Anna")
    }

    @Test func runWorksThroughTheQueueUntilCancelled() async throws {
        let fixture = try await EngineFixture()
        let receipt = try await fixture.service.createAccounts(username: "jdoe", systems: ["hr"])
        let id = receipt.operationIDs[0]
        let executor = fixture.executor
        let worker = Task { try await executor.run(pollInterval: .milliseconds(10)) }

        var state = try await fixture.operation(id).state
        for _ in 0..<1_000 where !state.isTerminal {
            try await Task.sleep(for: .milliseconds(10))
            state = try await fixture.operation(id).state
        }
        worker.cancel()
        try await worker.value

        #expect(state == .executed)
        #expect(try fixture.holds(try #require(receipt.generatedPassword).testPlaintext))
        let later = try await fixture.service.resetPassword(username: "jdoe", system: "hr")
        #expect(try await fixture.operation(later.operationIDs[0]).state == .created)
    }

    @Test func aCreateTheSystemAppliedBeforeACrashEndsExecutedWithOneRow() async throws {
        let fixture = try await EngineFixture()
        let receipt = try await fixture.service.createAccounts(
            username: "jdoe", systems: ["hr"], password: .chosen(GuardedString("Chosen-Passw0rd!")))
        let claimed = try #require(try await fixture.store.claimDue(limit: 10, now: fixture.clock.now()).first)
        #expect(claimed.operation.state == .running)
        // What the crashed worker did before it could record the outcome.
        try await fixture.connector.create(
            uid: claimed.operation.uid, attributes: claimed.connectorAttributes(), options: PasswordOptions())

        #expect(try await fixture.executor.recoverInterrupted() == 1)
        #expect(try await fixture.operation(claimed.operation.id).wasInterrupted)
        #expect(try await fixture.executor.drain() == 1)

        let operation = try await fixture.operation(receipt.operationIDs[0])
        #expect(operation.state == .executed)
        #expect(operation.attempts == 2)
        #expect(operation.result?.message.contains("interrupted") == true)
        #expect(!operation.wasInterrupted)
        #expect(try fixture.employeeCount() == 1)
        #expect(try fixture.holds("Chosen-Passw0rd!"))
        #expect(try await fixture.store.account(username: "jdoe", system: "hr")?.state == .active)
        #expect(fixture.logs.lines.contains { $0.contains("resuming 1 operation(s)") })
    }

    @Test func aChangeTheSystemAppliedBeforeACrashEndsExecuted() async throws {
        let fixture = try await EngineFixture()
        try await fixture.createJdoe(password: "Old-Passw0rd!")
        let receipt = try await fixture.service.changePassword(
            username: "jdoe", systems: ["hr"], current: GuardedString("Old-Passw0rd!"), new: GuardedString("New-Passw0rd!"))
        let claimed = try #require(try await fixture.store.claimDue(limit: 10, now: fixture.clock.now()).first)
        #expect(claimed.operation.id == receipt.operationIDs[0])
        #expect(claimed.operation.action == .change)
        let current = try #require(claimed.secrets[currentPasswordSecretName])
        try await fixture.connector.changePassword(
            uid: claimed.operation.uid, current: current, attributes: claimed.connectorAttributes())

        #expect(try await fixture.executor.recoverInterrupted() == 1)
        #expect(try await fixture.executor.drain() == 2)

        let operations = try await receipt.operationIDs.asyncMap { try await fixture.operation($0) }
        #expect(operations.map(\.state) == [.executed, .executed])
        #expect(operations[0].attempts == 2)
        #expect(try fixture.holds("New-Passw0rd!"))
        #expect(try fixture.employeeCount() == 1)
        #expect(try await fixture.store.secretCounts().isEmpty)
    }
}
