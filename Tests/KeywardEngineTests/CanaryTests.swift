import Foundation
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardStore
import KeywardTestSupport
import Testing

/// The canary password through every path the engine has: create, change
/// with a transient failure and its retry, a refused script, and recovery
/// after a crash. Afterwards no file in the folder, no message and no log
/// line holds it.
@Suite("Canary through the engine", .offThePool)
struct CanaryTests {
    @Test func theCanaryNeverReachesAFileAMessageOrALogLine() async throws {
        let faults = FlakyConnector.Faults()
        let fixture = try await EngineFixture(
            retry: RetryPolicy(maxAttempts: 3, backoff: .fixed, delaySeconds: 10, maxDelaySeconds: 10)
        ) { FlakyConnector(wrapped: $0, faults: faults) }
        let canary = Canary.password
        var messages: [String] = []

        // Create with the canary as the chosen password.
        let created = try await fixture.service.createAccounts(
            username: "jdoe", systems: ["hr"], password: .chosen(GuardedString(canary)))
        #expect(created.generatedPassword == nil)
        try await fixture.executor.drain()
        #expect(try fixture.holds(canary))

        // Change to another canary, through one transient failure and its retry.
        faults.arm(1)
        _ = try await fixture.service.changePassword(
            username: "jdoe", systems: ["hr"], current: GuardedString(canary), new: GuardedString(canary + "-2"))
        #expect(try await fixture.executor.drain() == 1)
        #expect(try await fixture.operations().map(\.state) == [.executed, .retrying, .created])
        fixture.clock.advance(by: 10)
        #expect(try await fixture.executor.drain() == 2)
        #expect(try fixture.holds(canary + "-2"))

        // A script that puts the password in its error: refused, nothing queued.
        let refused = await serviceError {
            _ = try await fixture.service.createAccounts(
                username: "jdoe", systems: ["crm"], password: .chosen(GuardedString(canary + "-refused")))
        }
        let refusal = try #require(refused)
        #expect(refusal.kind == .planning)
        messages += [refusal.message, String(describing: refusal), String(reflecting: refusal)]
        messages += [String(reflecting: refusal.planningError as Any)]

        // A reset the system applied just before the worker crashed.
        _ = try await fixture.service.resetPassword(
            username: "jdoe", system: "hr", password: .chosen(GuardedString(canary + "-3")))
        let claimed = try #require(try await fixture.store.claimDue(limit: 10, now: fixture.clock.now()).first)
        try await fixture.connector.update(
            uid: claimed.operation.uid, attributes: claimed.connectorAttributes(), options: PasswordOptions())
        #expect(try await fixture.executor.recoverInterrupted() == 1)
        #expect(try await fixture.executor.drain() == 2)
        #expect(try fixture.holds(canary + "-3"))

        let operations = try await fixture.operations()
        #expect(operations.allSatisfy { $0.state == .executed })
        #expect(try await fixture.store.secretCounts().isEmpty)
        messages += operations.compactMap(\.result?.message)
        let trail = try await fixture.auditTrail()
        #expect(Set(trail.map(\.outcome)) == ["requested", "executed", "retrying", "refused"])
        messages += trail.map(\.message)
        let logLines = fixture.logs.lines
        #expect(logLines.count >= operations.count)
        messages += logLines

        for message in messages {
            #expect(!message.contains(canary), "the canary leaked: \(message)")
        }
        let utf8 = Array(canary.utf8)
        let utf16 = canary.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let names = try FileManager.default.contentsOfDirectory(atPath: fixture.url.path)
        #expect(names.contains("keyward.db") && names.contains("keyward.db-wal") && names.contains("hr.db"))
        for name in names {
            let bytes = Array(try Data(contentsOf: fixture.url.appendingPathComponent(name)))
            #expect(!bytes.contains(bytes: utf8), "\(name) holds the canary as UTF-8")
            #expect(!bytes.contains(bytes: utf16), "\(name) holds the canary as UTF-16LE")
        }
    }
}
