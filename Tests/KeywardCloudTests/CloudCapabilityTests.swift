import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardStore
import KeywardTestSupport
import Testing

/// What the fixed matrix refuses at request time: change and unlock on
/// Entra ID; change, reset and unlock on ServiceNow. Each refusal names the
/// system and what it supports, and nothing is queued or sent.
@Suite("Queue: operations the cloud systems do not have", .offThePool)
struct CloudCapabilityTests {
    enum Request: String, CaseIterable {
        case change, reset, unlock
    }

    static let refusals: [(String, Request)] = [
        ("entra", .change), ("entra", .unlock), ("servicenow", .change), ("servicenow", .reset), ("servicenow", .unlock),
    ]

    @Test("refused before anything is queued", arguments: refusals)
    func refused(system: String, request: Request) async throws {
        try await withCloudSystems { systems in
            let engine = try systems.engine()
            let person = CloudFixtures.unique("c")
            try await engine.addIdentity(person)
            try await engine.recordAccount(
                person, system: system, uid: system == "entra" ? "\(person)@contoso.example" : person)
            do throws(ServiceError) {
                switch request {
                case .change:
                    _ = try await engine.service.changePassword(
                        username: person, systems: [system], current: GuardedString("Old#Pass-1"),
                        new: GuardedString("New#Pass-2"))
                case .reset:
                    _ = try await engine.service.resetPassword(
                        username: person, system: system, password: .chosen(GuardedString("New#Pass-2")))
                case .unlock:
                    _ = try await engine.service.unlock(username: person, system: system)
                }
                Issue.record("\(request) on \(system) was accepted")
            } catch {
                #expect(error.kind == .unsupported)
                let supported = system == "entra" ? "initialize, reset" : "initialize"
                #expect(
                    error.message
                        == "system '\(system)' (type \(system)) does not support \(request.rawValue); it supports: "
                        + "\(supported). Nothing was queued.")
            }
            #expect(try await engine.operations().isEmpty)
            #expect(systems.graph.records.isEmpty && systems.instance.records.isEmpty)
        }
    }

    @Test("the allowed ones are accepted: reset on Entra ID, initialize on both")
    func allowed() async throws {
        try await withCloudSystems { systems in
            let engine = try systems.engine()
            let person = CloudFixtures.unique("a")
            try await engine.addIdentity(person)
            _ = try await engine.service.createAccounts(
                username: person, systems: ["entra", "servicenow"], password: .chosen(GuardedString("Allowed#Pass-1")))
            #expect(try await engine.executor.drain() == 2)
            _ = try await engine.service.resetPassword(
                username: person, system: "entra", password: .chosen(GuardedString("Allowed#Pass-2")))
            #expect(try await engine.executor.drain() == 1)
            #expect(try await engine.operations().allSatisfy { $0.state == .executed })
        }
    }
}
