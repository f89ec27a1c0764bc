import Foundation
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardStore
import KeywardTestSupport
import Testing

/// Create, change, reset and unlock from the request to the row in the
/// target table: the real service, store, Lua scripts and `sql` connector.
@Suite("Password operations end to end", .offThePool)
struct PasswordOperationTests {
    @Test func createQueuesAPendingAccountThenTheExecutorWritesTheRowWithTheGeneratedPassword() async throws {
        let fixture = try await EngineFixture()

        let receipt = try await fixture.service.createAccounts(username: "jdoe", systems: ["hr"])

        #expect(receipt.systems == ["hr"])
        #expect(receipt.operationIDs.count == 1)
        let queued = try await fixture.operations()
        #expect(queued.map(\.state) == [.created])
        #expect(queued.map(\.action) == [.create])
        #expect(try await fixture.store.account(username: "jdoe", system: "hr")?.state == .pending)
        #expect(try fixture.employee("jdoe") == nil)

        #expect(try await fixture.executor.drain() == 1)

        let row = try #require(try fixture.employee("jdoe"))
        #expect(row.firstName == "John")
        #expect(row.email == "jdoe@example.com")
        let generated = try #require(receipt.generatedPassword)
        #expect(generated.count == 20)
        #expect(try fixture.holds(generated.testPlaintext))
        #expect(!(try fixture.holds(generated.testPlaintext + "x")))

        let operation = try await fixture.operation(receipt.operationIDs[0])
        #expect(operation.state == .executed)
        #expect(operation.attempts == 1)
        #expect(operation.result?.code == "ok")
        #expect(!operation.holdsSecrets)
        #expect(try await fixture.store.secretCounts().isEmpty)
        let account = try #require(try await fixture.store.account(username: "jdoe", system: "hr"))
        #expect(account.state == .active)
        #expect(account.locked == false)

        let trail = try await fixture.auditTrail()
        #expect(trail.map(\.outcome) == ["requested", "executed"])
        #expect(trail.map(\.actor) == ["cli:test", "engine"])
        #expect(trail.last?.operationID == receipt.operationIDs[0])
    }

    @Test func changeWithTheRightCurrentPasswordRunsBothOperations() async throws {
        let fixture = try await EngineFixture()
        try await fixture.createJdoe(password: "Old-Passw0rd!")

        let receipt = try await fixture.service.changePassword(
            username: "jdoe", systems: ["hr"], current: GuardedString("Old-Passw0rd!"), new: GuardedString("New-Passw0rd!"))
        #expect(receipt.generatedPassword == nil)
        #expect(receipt.operationIDs.count == 2)
        #expect(try await fixture.executor.drain() == 2)

        let operations = try await receipt.operationIDs.asyncMap { try await fixture.operation($0) }
        #expect(operations.map(\.action) == [.change, .update])
        #expect(operations.map(\.state) == [.executed, .executed])
        #expect(operations[1].attributes.map(\.name) == ["portal_hash"])
        #expect(try fixture.holds("New-Passw0rd!"))
        let row = try #require(try fixture.employee("jdoe"))
        #expect(!EngineFixture.storage.verify(GuardedString("Old-Passw0rd!"), against: try #require(row.passwordHash)))
        #expect(row.portalHash != EngineFixture.portalHash(login: "jdoe", password: "Old-Passw0rd!"))
        #expect(try await fixture.store.secretCounts().isEmpty)
    }

    @Test func changeWithAWrongCurrentPasswordFailsTheFirstOperationAndCancelsTheSecond() async throws {
        let fixture = try await EngineFixture()
        try await fixture.createJdoe(password: "Old-Passw0rd!")
        let before = try #require(try fixture.employee("jdoe"))

        let receipt = try await fixture.service.changePassword(
            username: "jdoe", systems: ["hr"], current: GuardedString("Wrong-Passw0rd!"), new: GuardedString("New-Passw0rd!"))
        try await fixture.executor.drain()

        let change = try await fixture.operation(receipt.operationIDs[0])
        let portal = try await fixture.operation(receipt.operationIDs[1])
        #expect(change.state == .failed)
        #expect(change.result?.code == "credentials-rejected")
        #expect(portal.state == .cancelled)
        #expect(portal.attempts == 0)
        #expect(try fixture.employee("jdoe") == before)
        #expect(try fixture.holds("Old-Passw0rd!"))
        #expect(try await fixture.store.secretCounts().isEmpty)
        #expect(try await fixture.auditTrail(operationID: portal.id).map(\.outcome) == ["cancelled"])
    }

    @Test func resetWithMustChangeSetsTheColumnAndTheAccountRecord() async throws {
        let fixture = try await EngineFixture()
        try await fixture.createJdoe(password: "Old-Passw0rd!")
        #expect(try fixture.employee("jdoe")?.mustChange == 0)

        let receipt = try await fixture.service.resetPassword(username: "jdoe", system: "hr", mustChange: true)
        #expect(try await fixture.executor.drain() == 2)

        let generated = try #require(receipt.generatedPassword)
        #expect(try fixture.holds(generated.testPlaintext))
        #expect(try fixture.employee("jdoe")?.mustChange == 1)
        let account = try #require(try await fixture.store.account(username: "jdoe", system: "hr"))
        #expect(account.mustChange == true)
        let operations = try await receipt.operationIDs.asyncMap { try await fixture.operation($0) }
        #expect(operations.map(\.state) == [.executed, .executed])
        #expect(operations.map(\.mustChange) == [true, true])
    }

    @Test func resetForAPersonWithoutAnAccountIsRefused() async throws {
        let fixture = try await EngineFixture()

        let error = await serviceError { _ = try await fixture.service.resetPassword(username: "asmith", system: "hr") }

        #expect(error?.kind == .account)
        #expect(error?.message.contains("asmith has no account on hr") == true)
        #expect(try await fixture.queueIsEmpty())
    }

    @Test func unlockClearsTheLockedColumnAndTheAccountRecord() async throws {
        let fixture = try await EngineFixture()
        try await fixture.createJdoe(password: "Old-Passw0rd!")
        try fixture.executeOnTarget("UPDATE employees SET locked = 1 WHERE login = 'jdoe'")
        var account = try #require(try await fixture.store.account(username: "jdoe", system: "hr"))
        account.locked = true
        try await fixture.store.saveAccount(account)

        let receipt = try await fixture.service.unlock(username: "jdoe", system: "hr")
        #expect(receipt.generatedPassword == nil)
        #expect(try await fixture.executor.drain() == 1)

        #expect(try fixture.employee("jdoe")?.locked == 0)
        #expect(try await fixture.store.account(username: "jdoe", system: "hr")?.locked == false)
        #expect(try await fixture.operation(receipt.operationIDs[0]).result?.message == "unlocked")
        #expect(try fixture.holds("Old-Passw0rd!"))
    }
}
