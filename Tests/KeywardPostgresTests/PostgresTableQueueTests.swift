import Foundation
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardStore
import KeywardTestSupport
import Testing

@testable import KeywardPostgres

/// The canary through the real engine (service, queue, executor) to a
/// table on PostgreSQL with pgcrypto-bcrypt: create, reset, change as the
/// person, and a reset while the server is stopped (retrying, then made
/// once it is back). Afterwards the canary is in no text the engine
/// produced, no file of the store's folder, no table of the database in
/// the clear, and not in the server's log.
@Suite("PostgresTable: through the queue", .offThePool, .serialized)
struct PostgresTableQueueTests {
    typealias F = PostgresTableFixture
    static let retry = RetryPolicy(maxAttempts: 5, backoff: .fixed, delaySeconds: 30, maxDelaySeconds: 30)

    @Test func theCanaryGoesThroughTheQueueAndLeavesNoTrace() async throws {
        let server = try PostgresServer.dedicated()
        defer { server.destroy() }
        let fixture = try F(server: server)
        let definition = QueueTestEngine.prepare(fixture.definition(), retry: Self.retry)
        let connector = try PostgresTableConnector(
            definition: definition, environment: F.environment(password: fixture.database.password),
            logger: PostgresTableConnector.silentLogger, processEnvironment: [:])
        let engine = try QueueTestEngine(
            systems: [TargetSystem(definition: definition, connector: connector)], name: "pgtable")
        let person = F.unique("q")
        _ = try await engine.store.upsertIdentities([
            Identity(username: person, givenName: "Given", familyName: "Family", email: "\(person)@example.org")
        ])
        let canary = Canary.password
        func stored() throws -> String { try #require(try fixture.value("password", of: person)) }
        func verifies(_ password: String) throws -> Bool {
            PasswordHashing.bcrypt(cost: 4).verify(GuardedString(password), against: try stored())
        }
        var texts: [String] = []
        func expectExecuted(_ receipt: ProvisioningService.Receipt) async throws {
            #expect(try await engine.executor.drain() == 1)
            let operations = try await engine.operations(of: receipt)
            #expect(operations.map(\.state) == [.executed], "\(operations)")
            texts.append(String(reflecting: receipt))
        }

        try await expectExecuted(
            engine.service.createAccounts(username: person, systems: ["hr"], password: .chosen(GuardedString(canary))))
        #expect(try stored().hasPrefix("$2a$04$") && verifies(canary))
        #expect(try fixture.value("given_name", of: person) == "Given")

        try await expectExecuted(
            engine.service.resetPassword(username: person, system: "hr", password: .chosen(GuardedString(canary + "-2"))))
        #expect(try verifies(canary + "-2") && !verifies(canary))

        try await expectExecuted(
            engine.service.changePassword(
                username: person, systems: ["hr"], current: GuardedString(canary + "-2"), new: GuardedString(canary + "-3")))
        #expect(try verifies(canary + "-3"))

        // The server stops: the reset waits, its secret kept, and is made once the server is back.
        server.stop()
        let receipt = try await engine.service.resetPassword(
            username: person, system: "hr", password: .chosen(GuardedString(canary + "-5")))
        #expect(try await engine.executor.drain() == 1)
        let waiting = try #require(try await engine.operations(of: receipt).first)
        #expect(waiting.state == .retrying && waiting.holdsSecrets, "\(waiting)")
        #expect(waiting.result?.code == ConnectorError.Kind.unreachable.rawValue, "\(waiting)")
        try server.start()
        engine.advance(by: Double(Self.retry.delaySeconds))
        #expect(try await engine.executor.drain() == 1)
        let made = try #require(try await engine.operations(of: receipt).first)
        #expect(made.state == .executed && made.attempts == 2 && !made.holdsSecrets, "\(made)")
        #expect(try verifies(canary + "-5"))

        #expect(try await engine.store.secretCounts().isEmpty, "confidential storage still holds secrets")
        texts += try await engine.operations().map { String(reflecting: $0) }
        texts += try await engine.auditTrail().map { String(reflecting: $0) }
        texts += engine.logs.lines
        #expect(engine.logs.lines.count >= 5, "one line per attempt at least")
        for text in texts {
            #expect(!text.contains("CANARY"), "\(text)")
        }
        for name in try engine.storeFiles() {
            let bytes = try Data(contentsOf: engine.folder.appendingPathComponent(name))
            #expect(bytes.range(of: Data("CANARY".utf8)) == nil, "\(name)")
        }
        #expect(!(try server.pgDump(database: fixture.database.name)).contains("CANARY"))
        #expect(server.logText().contains("UPDATE \"people\" SET \"password\" = crypt("), "the log has the journey")
        #expect(!server.logText().contains("CANARY"))
    }
}
