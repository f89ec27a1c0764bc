import Foundation
import KeywardCore
import KeywardEngine
import KeywardStore
import KeywardTestSupport
import Testing

/// Requests the service refuses before anything reaches the queue: each
/// leaves the operations table empty and the target table untouched.
@Suite("Refusals before anything is queued", .offThePool)
struct RefusalTests {
    @Test func anUnknownPersonIsRefusedWithTheImportCommand() async throws {
        let fixture = try await EngineFixture()

        let error = await serviceError { _ = try await fixture.service.createAccounts(username: "nobody", systems: ["hr"]) }

        #expect(error?.kind == .unknownUser)
        #expect(error?.message.contains("'nobody'") == true)
        #expect(error?.message.contains("keyward identity import") == true)
        #expect(try await fixture.queueIsEmpty())
    }

    @Test func anUnknownSystemIsRefusedWithADidYouMean() async throws {
        let fixture = try await EngineFixture()

        let error = await serviceError { _ = try await fixture.service.createAccounts(username: "jdoe", systems: ["payrol"]) }

        #expect(error?.kind == .unknownSystem)
        #expect(error?.message.contains("no system named 'payrol'") == true)
        #expect(error?.message.contains("did you mean 'payroll'?") == true)
        #expect(try await fixture.queueIsEmpty())
        #expect(try await fixture.store.account(username: "jdoe", system: "payrol") == nil)
    }

    @Test func aDisabledSystemIsRefused() async throws {
        let fixture = try await EngineFixture()

        let error = await serviceError { _ = try await fixture.service.createAccounts(username: "jdoe", systems: ["hr", "archive"]) }

        #expect(error?.kind == .unknownSystem)
        #expect(error?.message.contains("system 'archive' is disabled") == true)
        #expect(try await fixture.queueIsEmpty())
        #expect(try fixture.employeeCount() == 0)
    }

    @Test func unlockOnASystemThatDoesNotDeclareItIsUnsupported() async throws {
        let fixture = try await EngineFixture()
        try await fixture.recordAccount(on: "payroll")

        let error = await serviceError { _ = try await fixture.service.unlock(username: "jdoe", system: "payroll") }

        #expect(error?.kind == .unsupported)
        #expect(error?.message.contains("system 'payroll' (type sql) does not support unlock") == true)
        #expect(error?.message.contains("it supports: initialize, reset") == true)
        #expect(try await fixture.queueIsEmpty())
    }

    @Test func changeOnASystemThatDoesNotDeclareItIsUnsupported() async throws {
        let fixture = try await EngineFixture()
        try await fixture.recordAccount(on: "payroll")

        let error = await serviceError {
            _ = try await fixture.service.changePassword(
                username: "jdoe", systems: ["payroll"], current: GuardedString("Old-Passw0rd!"),
                new: GuardedString("New-Passw0rd!"))
        }

        #expect(error?.kind == .unsupported)
        #expect(error?.message.contains("system 'payroll' (type sql) does not support change") == true)
        #expect(error?.message.contains("it supports: initialize, reset") == true)
        #expect(try await fixture.queueIsEmpty())
    }

    @Test func aNewPasswordThatViolatesTheValidatePolicyIsRefused() async throws {
        let fixture = try await EngineFixture()
        try await fixture.recordAccount()

        let error = await serviceError {
            _ = try await fixture.service.changePassword(
                username: "jdoe", systems: ["hr"], current: GuardedString("Old-Passw0rd!"), new: GuardedString("short"))
        }

        #expect(error?.kind == .planning)
        #expect(error?.planningError?.code == .policyViolation)
        #expect(try await fixture.queueIsEmpty())
        #expect(try await fixture.auditTrail().map(\.outcome) == ["refused"])
    }

    @Test(arguments: [["hr", "crm"], ["crm", "hr"]])
    func aScriptFailureOnOneSystemQueuesNothingForAnySystem(systems: [String]) async throws {
        let fixture = try await EngineFixture()

        let error = await serviceError {
            _ = try await fixture.service.createAccounts(
                username: "jdoe", systems: systems, password: .chosen(GuardedString("Chosen-Passw0rd!")))
        }

        #expect(error?.kind == .planning)
        #expect(error?.planningError?.code == .scriptFailed)
        #expect(error?.planningError?.system == "crm")
        #expect(error?.planningError?.scriptID == "fail.lua")
        #expect(error?.message.contains("nothing was queued for any system") == true)
        #expect(try await fixture.queueIsEmpty())
        #expect(try await fixture.store.accounts(username: "jdoe").isEmpty)
        #expect(try fixture.employeeCount() == 0)
        #expect(try await fixture.auditTrail().map(\.outcome) == ["refused", "refused"])
    }

    @Test func createForAPersonWhoAlreadyHasTheAccountIsRefused() async throws {
        let fixture = try await EngineFixture()
        try await fixture.recordAccount()

        let error = await serviceError { _ = try await fixture.service.createAccounts(username: "jdoe", systems: ["hr"]) }

        #expect(error?.kind == .account)
        #expect(error?.message.contains("jdoe already has an account on hr") == true)
        #expect(try await fixture.queueIsEmpty())
    }
}
