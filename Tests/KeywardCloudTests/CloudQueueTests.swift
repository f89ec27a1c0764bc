import Foundation
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardStore
import KeywardTestSupport
import Testing

/// Both cloud connectors through the real queue: SQLiteStore,
/// ProvisioningService and Executor, against the fakes.
@Suite("Queue: Entra ID and ServiceNow", .offThePool)
struct CloudQueueTests {
    @Test("accounts are created on both systems and reset on Entra ID, each operation executed once")
    func createAndReset() async throws {
        try await withCloudSystems { systems in
            let engine = try systems.engine()
            let person = CloudFixtures.unique("q")
            let upn = "\(person)@contoso.example"
            try await engine.addIdentity(person)
            let created = try await engine.service.createAccounts(
                username: person, systems: ["entra", "servicenow"], password: .chosen(GuardedString("First#Pass-1")))
            #expect(try await engine.executor.drain() == 2)
            #expect(try await engine.operations(of: created).map(\.state) == [.executed, .executed])
            #expect(systems.graph.verify(upn, "First#Pass-1"))
            #expect(systems.instance.verify(person, "First#Pass-1"))
            #expect(systems.graph.user(upn)?.properties["displayName"] == "Given \(person)")

            let reset = try await engine.service.resetPassword(
                username: person, system: "entra", password: .chosen(GuardedString("Second#Pass-2")), mustChange: false)
            #expect(try await engine.executor.drain() == 1)
            let operation = try #require(try await engine.operations(of: reset).first)
            #expect(operation.state == .executed && operation.result?.message == "password set", "\(operation)")
            #expect(systems.graph.verify(upn, "Second#Pass-2") && !systems.graph.verify(upn, "First#Pass-1"))
            #expect(systems.graph.user(upn)?.forceChangePasswordNextSignIn == false)
            #expect(try await engine.store.secretCounts().isEmpty)
        }
    }

    @Test("a 429 with a long Retry-After: the operation waits at least that long, then is executed", arguments: ["entra", "servicenow"])
    func throttledThenExecuted(system: String) async throws {
        try await withCloudSystems { systems in
            let engine = try systems.engine()
            let person = CloudFixtures.unique("t")
            try await engine.addIdentity(person)
            if system == "entra" { systems.graph.throttle(next: 1, retryAfter: "600") }
            else { systems.instance.throttle(next: 1, retryAfter: "600") }

            let receipt = try await engine.service.createAccounts(
                username: person, systems: [system], password: .chosen(GuardedString("Throttle#Pass-1")))
            let before = engine.now
            #expect(try await engine.executor.drain() == 1)
            let waiting = try #require(try await engine.operations(of: receipt).first)
            #expect(waiting.state == .retrying, "\(waiting)")
            #expect(waiting.result?.code == ConnectorError.Kind.throttled.rawValue)
            #expect(waiting.nextAttemptAt >= before.addingTimeInterval(599), "Retry-After beats the 30 s backoff (allowing for the store's rounding)")
            #expect(waiting.holdsSecrets)

            engine.advance(by: 300)
            #expect(try await engine.executor.drain() == 0, "not due before Retry-After")
            engine.advance(by: 301)
            #expect(try await engine.executor.drain() == 1)
            let made = try #require(try await engine.operations(of: receipt).first)
            #expect(made.state == .executed && made.attempts == 2 && !made.holdsSecrets, "\(made)")
            let verified = system == "entra"
                ? systems.graph.verify("\(person)@contoso.example", "Throttle#Pass-1")
                : systems.instance.verify(person, "Throttle#Pass-1")
            #expect(verified)
            #expect(systems.sleeps.recorded.isEmpty, "600 s is past the wait inside an attempt")
        }
    }

    @Test("a token that expires in the middle of a batch: every reset is executed, with one new token")
    func tokenExpiresMidBatch() async throws {
        try await withCloudSystems { systems in
            let engine = try systems.engine(batchSize: 8, concurrency: 4)
            var people: [String] = []
            for index in 0..<12 {
                let person = CloudFixtures.unique("e\(index)")
                systems.graph.addUser("\(person)@contoso.example", password: "Before#Pass-\(index)")
                try await engine.addIdentity(person)
                try await engine.recordAccount(person, system: "entra", uid: "\(person)@contoso.example")
                _ = try await engine.service.resetPassword(
                    username: person, system: "entra", password: .chosen(GuardedString("After#Pass-\(index)")))
                people.append(person)
            }
            systems.graph.expireTokens(afterRequests: 5)
            #expect(try await engine.executor.drain() == 12)
            let operations = try await engine.operations()
            #expect(operations.allSatisfy { $0.state == .executed && $0.attempts == 1 }, "\(operations)")
            for (index, person) in people.enumerated() {
                #expect(systems.graph.verify("\(person)@contoso.example", "After#Pass-\(index)"))
            }
            #expect(systems.graph.tokensIssued == 2)
            #expect(systems.graph.records.contains { $0.status == 401 })
        }
    }

    @Test("ServiceNow answers with its hibernation page: retried later, then executed")
    func htmlThenExecuted() async throws {
        try await withCloudSystems { systems in
            let engine = try systems.engine()
            let person = CloudFixtures.unique("h")
            try await engine.addIdentity(person)
            systems.instance.answerHTML(next: 1)
            let receipt = try await engine.service.createAccounts(
                username: person, systems: ["servicenow"], password: .chosen(GuardedString("Wake#Pass-1")))
            #expect(try await engine.executor.drain() == 1)
            let waiting = try #require(try await engine.operations(of: receipt).first)
            #expect(waiting.state == .retrying && waiting.result?.code == ConnectorError.Kind.unreachable.rawValue)
            #expect(waiting.result?.message.contains("HTML page") == true)
            engine.advance(by: Double(CloudQueueEngine.retry.delaySeconds))
            #expect(try await engine.executor.drain() == 1)
            #expect(try await engine.operations(of: receipt).first?.state == .executed)
            #expect(systems.instance.verify(person, "Wake#Pass-1"))
        }
    }
}
