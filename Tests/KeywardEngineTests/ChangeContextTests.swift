import Foundation
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardStore
import KeywardTestSupport
import Testing

/// How a change request finds its systems and transforms the current
/// password.
@Suite("Change requests", .offThePool)
struct ChangeContextTests {
    /// `salted.lua` appends `context.email`: the stored value depends on the
    /// account's attributes, so the current password must be transformed
    /// with the same context as the new one, or the system cannot verify it.
    @Test func theCurrentPasswordIsTransformedWithTheAccountsContextLikeTheNewOne() async throws {
        let fixture = try await EngineFixture(passwordScript: "salted.lua")
        try await fixture.createJdoe(password: "Old-Passw0rd!")
        let hash = try #require(try fixture.employee("jdoe")?.passwordHash)
        #expect(EngineFixture.storage.verify(GuardedString("Old-Passw0rd!|jdoe@example.com"), against: hash))

        let error = await serviceError {
            _ = try await fixture.service.changePassword(
                username: "jdoe", systems: ["hr"], current: GuardedString("Old-Passw0rd!"),
                new: GuardedString("New-Passw0rd!"))
        }
        try #require(error == nil, "refused: \(error?.message ?? "")")
        try await fixture.executor.drain()

        #expect(try await fixture.operations().map(\.state) == [.executed, .executed, .executed])
        let changed = try #require(try fixture.employee("jdoe")?.passwordHash)
        #expect(EngineFixture.storage.verify(GuardedString("New-Passw0rd!|jdoe@example.com"), against: changed))
    }

    @Test func changeWithoutSystemsReachesEveryAccountThatSupportsIt() async throws {
        let fixture = try await EngineFixture()
        try await fixture.createJdoe(password: "Old-Passw0rd!")
        try await fixture.recordAccount(on: "payroll")

        let receipt = try await fixture.service.changePassword(
            username: "jdoe", systems: nil, current: GuardedString("Old-Passw0rd!"), new: GuardedString("New-Passw0rd!"))

        #expect(receipt.systems == ["hr"])
        try await fixture.executor.drain()
        #expect(try fixture.holds("New-Passw0rd!"))
    }

    /// A failed creation leaves no account: "every account" leaves it out
    /// instead of refusing the whole request.
    @Test func changeWithoutSystemsSkipsAnAccountWhoseCreationFailed() async throws {
        let fixture = try await EngineFixture()
        try await fixture.createJdoe(password: "Old-Passw0rd!")
        try await fixture.recordAccount(on: "intranet", state: .failed)

        let error = await serviceError {
            let receipt = try await fixture.service.changePassword(
                username: "jdoe", systems: nil, current: GuardedString("Old-Passw0rd!"),
                new: GuardedString("New-Passw0rd!"))
            #expect(receipt.systems == ["hr"])
        }
        try #require(error == nil, "refused: \(error?.message ?? "")")
        try await fixture.executor.drain()
        #expect(try fixture.holds("New-Passw0rd!"))
    }

    /// A disabled system takes part in no request: "every account" leaves
    /// it out instead of refusing the whole request.
    @Test func changeWithoutSystemsSkipsAnAccountOnADisabledSystem() async throws {
        let fixture = try await EngineFixture()
        try await fixture.createJdoe(password: "Old-Passw0rd!")
        try await fixture.recordAccount(on: "archive")

        let error = await serviceError {
            let receipt = try await fixture.service.changePassword(
                username: "jdoe", systems: nil, current: GuardedString("Old-Passw0rd!"),
                new: GuardedString("New-Passw0rd!"))
            #expect(receipt.systems == ["hr"])
        }
        try #require(error == nil, "refused: \(error?.message ?? "")")
        try await fixture.executor.drain()
        #expect(try fixture.holds("New-Passw0rd!"))
    }
}
