import Foundation
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardLDAP
import KeywardStore
import KeywardTestSupport
import Testing

/// slapd is killed (SIGKILL) in the middle of the executor's second batch
/// and started again later on the same ports and data: nothing queued is
/// lost, failed or blocked, everything is made exactly once, and every
/// person binds with the password their last request set. The kill falls
/// between requests; a reset the server made whose answer was lost is the
/// last test.
@Suite("Queue: slapd killed mid-batch", .offThePool, .slapd, .serialized)
struct QueueOutageTests {
    var server: SlapdServer { SlapdServer.current! }

    /// Batches of 8, 4 at a time; the kill comes before the 13th call.
    static let batchSize = 8
    static let callsBeforeCrash = 12
    static let retry = RetryPolicy(maxAttempts: 10, backoff: .fixed, delaySeconds: 1, maxDelaySeconds: 1)

    /// A person of the test: their uid, first password, and the passwords
    /// their resets set, in order.
    struct Person {
        let uid: String
        let original: String
        var resets: [String] = []
        var final: String { resets.last ?? original }
    }

    @Test func everyOperationIsMadeExactlyOnceAfterTheServerComesBack() async throws {
        let server = server
        let trigger = QueueCrashTrigger(after: Self.callsBeforeCrash) { server.crash() }
        let definition = QueueEngine.prepare(LDAPConnectorFixture.definition(server), retry: Self.retry)
        let connector = QueueCrashingConnector(
            wrapped: try LDAPDirectoryConnector(
                definition: definition, environment: LDAPConnectorFixture.environment()),
            trigger: trigger)
        let engine = try QueueEngine(
            system: TargetSystem(definition: definition, connector: connector), batchSize: Self.batchSize,
            concurrency: 4)

        // 30 people get a reset, three of them a second one; three locked people get an unlock.
        let run = UUID().uuidString.prefix(4).lowercased()
        var people = (0..<30).map { Person(uid: "qo\(run)-\($0)", original: "Orig#Pass-\($0)") }
        let locked = (0..<3).map { Person(uid: "qo\(run)-locked-\($0)", original: "Locked#Pass-\($0)") }
        for person in people + locked {
            try await server.addPerson(person.uid, password: person.original)
            try await engine.addIdentity(person.uid)
            try await engine.recordAccount(person.uid)
        }
        for person in locked {
            for _ in 1...3 { #expect(await server.bindResult(SlapdServer.personDN(person.uid), "Wrong#Pass-0") == 49) }
            #expect(await server.bindResult(SlapdServer.personDN(person.uid), person.original) == 49)
        }
        var receipts: [ProvisioningService.Receipt] = []
        func reset(_ index: Int, to password: String) async throws {
            let receipt = try await engine.service.resetPassword(
                username: people[index].uid, system: definition.name, password: .chosen(GuardedString(password)))
            receipts.append(receipt)
            people[index].resets.append(password)
        }
        for index in people.indices {
            try await reset(index, to: "Reset#Pass-\(index)")
            if index % 10 == 4 {
                let receipt = try await engine.service.unlock(username: locked[index / 10].uid, system: definition.name)
                receipts.append(receipt)
            }
        }
        for index in 0..<3 { try await reset(index, to: "Again#Pass-\(index)") }
        let queued = receipts.flatMap(\.operationIDs)
        #expect(queued.count == 36)

        // Every operation is tried once; the kill comes in the second batch.
        #expect(try await engine.executor.drain() == queued.count)
        #expect(await trigger.crashed)
        #expect(!SlapdServer.accepts(port: server.ldapsPort))
        var operations = try await engine.operations()
        #expect(operations.map(\.id) == queued)
        #expect(operations.filter { $0.state == .executed }.count == Self.callsBeforeCrash)
        #expect(operations.filter { $0.state == .retrying }.count == queued.count - Self.callsBeforeCrash)
        try await expectWaiting(engine, attempts: 1)

        // While the server is down, each retry fails the same way.
        engine.advance(by: Double(Self.retry.delaySeconds))
        #expect(try await engine.executor.drain() == queued.count - Self.callsBeforeCrash)
        try await expectWaiting(engine, attempts: 2)

        try server.restart()
        for _ in 1...Self.retry.maxAttempts {
            engine.advance(by: Double(Self.retry.delaySeconds))
            try await engine.executor.drain()
            if try await engine.operations().allSatisfy({ $0.state.isTerminal }) { break }
        }
        operations = try await engine.operations()
        #expect(operations.count == queued.count)
        #expect(operations.allSatisfy { $0.state == .executed }, "\(operations.filter { $0.state != .executed })")
        let executions = try await engine.auditTrail().filter { $0.outcome == "executed" }.compactMap(\.operationID)
        #expect(executions.sorted() == queued.sorted(), "each operation is executed once, and only once")
        #expect(operations.filter { $0.attempts == 3 }.count == queued.count - Self.callsBeforeCrash)
        #expect(try await engine.store.secretCounts().isEmpty)

        for person in people {
            let dn = SlapdServer.personDN(person.uid)
            #expect(await server.bindResult(dn, person.final) == 0, "\(person.uid) binds with \(person.final)")
            for earlier in [person.original] + person.resets.dropLast() {
                #expect(await server.bindResult(dn, earlier) == 49, "\(person.uid) no longer binds with \(earlier)")
            }
        }
        for person in locked {
            #expect(await server.bindResult(SlapdServer.personDN(person.uid), person.original) == 0)
        }
    }

    /// A reset slapd made just before the worker died, unrecorded: on
    /// restart the executor runs it again (at least once). slapd's ppolicy
    /// (`pwdInHistory: 3`, Keyward without `manage`) refuses a reset to the
    /// current password as "in history"; the connector then finds that the
    /// account already binds with that password, so the operation ends
    /// `executed`: its effect happened once.
    @Test func aResetMadeBeforeTheWorkerDiedIsRunAgainAndEndsExecuted() async throws {
        let definition = QueueEngine.prepare(LDAPConnectorFixture.definition(server), retry: Self.retry)
        let connector = try LDAPDirectoryConnector(
            definition: definition, environment: LDAPConnectorFixture.environment())
        let engine = try QueueEngine(system: TargetSystem(definition: definition, connector: connector))
        let uid = LDAPConnectorFixture.unique("qreplay")
        try await server.addPerson(uid, password: "Orig#Pass-1")
        try await engine.addIdentity(uid)
        try await engine.recordAccount(uid)

        let receipt = try await engine.service.resetPassword(
            username: uid, system: definition.name, password: .chosen(GuardedString("Replay#Pass-1")))
        let claimed = try #require(try await engine.store.claimDue(limit: 1, now: engine.now).first)
        let password = try #require(claimed.secrets[AttributeSchema.passwordName])
        try await connector.update(
            uid: uid, attributes: [ConnectorAttribute(name: AttributeSchema.passwordName, value: .secret(password))],
            options: PasswordOptions())
        #expect(try await engine.executor.recoverInterrupted() == 1)
        #expect(try await engine.executor.drain() == 1)

        let operation = try #require(try await engine.operations(of: receipt).first)
        #expect(await server.bindResult(SlapdServer.personDN(uid), "Replay#Pass-1") == 0)
        #expect(operation.state == .executed, "\(operation)")
        #expect(operation.result?.code == "ok", "\(operation)")
        #expect(await server.bindResult(SlapdServer.personDN(uid), "Orig#Pass-1") != 0)
    }

    /// Every operation not executed yet waits to be retried after `attempts`
    /// attempts, the server unreachable, its secrets kept: none is still
    /// queued, running, failed or blocked.
    private func expectWaiting(
        _ engine: QueueEngine, attempts: Int, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async throws {
        for operation in try await engine.operations() where operation.state != .executed {
            #expect(operation.state == .retrying, "\(operation)", sourceLocation: sourceLocation)
            #expect(operation.attempts == attempts, "\(operation)", sourceLocation: sourceLocation)
            #expect(operation.result?.code == ConnectorError.Kind.unreachable.rawValue, sourceLocation: sourceLocation)
            #expect(operation.holdsSecrets == (operation.action == .update), sourceLocation: sourceLocation)
        }
    }
}
