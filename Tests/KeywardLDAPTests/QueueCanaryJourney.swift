import Foundation
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardStore
import KeywardTestSupport
import Testing

/// The canary password's way through the queue to one directory: create
/// with it, reset to `-2`, change `-2` → `-3` as the person, a reset of an
/// account the directory does not have (failed), and a reset to `-5` while
/// the server is stopped (retrying), then made after it is back (executed).
/// Two refused requests give service errors. Each step is proven by a bind.
///
/// ``run()`` returns every text the engine produced on the way: the
/// service errors, the operations and their results, the audit trail and
/// the executor's log lines.
struct QueueCanaryJourney {
    let directory: QueueDirectory
    let engine: QueueEngine
    /// The person: short enough for AD's sAMAccountName (20 characters).
    let person: String
    /// An account the store has but the directory does not.
    let ghost: String
    /// The wait after a failed attempt; the journey moves the clock past it.
    static let retry = RetryPolicy(maxAttempts: 5, backoff: .fixed, delaySeconds: 30, maxDelaySeconds: 30)

    let canary = Canary.password

    init(directory: QueueDirectory, engine: QueueEngine, tag: String) {
        self.directory = directory
        self.engine = engine
        person = "q\(tag)-\(UUID().uuidString.prefix(6).lowercased())"
        ghost = person + "-gh"
    }

    private var name: String { directory.system.name }

    /// Runs the journey; returns every text it produced.
    func run() async throws -> [String] {
        try await engine.addIdentity(person)
        try await engine.addIdentity(ghost)
        var texts: [String] = []

        let created = try await engine.service.createAccounts(
            username: person, systems: [name], password: .chosen(GuardedString(canary)))
        #expect(created.generatedPassword == nil)
        texts += try await expectExecuted(created)
        #expect(await directory.binds(person, canary))

        texts += try await expectExecuted(
            engine.service.resetPassword(
                username: person, system: name, password: .chosen(GuardedString(canary + "-2"))))
        #expect(await directory.binds(person, canary + "-2"))
        #expect(await directory.binds(person, canary) == false)

        texts += try await expectExecuted(
            engine.service.changePassword(
                username: person, systems: [name], current: GuardedString(canary + "-2"),
                new: GuardedString(canary + "-3")))
        #expect(await directory.binds(person, canary + "-3"))
        #expect(await directory.binds(person, canary + "-2") == false)

        texts += try await resetTheGhost()
        texts += try await resetWhileTheServerIsStopped()
        texts += try await refusedRequests()

        #expect(try await engine.store.secretCounts().isEmpty, "confidential storage still holds secrets")
        let operations = try await engine.operations()
        #expect(engine.logs.lines.count >= operations.count, "one line per attempt at least")
        texts += operations.map { String(reflecting: $0) }
        texts += try await engine.auditTrail().map { String(reflecting: $0) }
        texts += engine.logs.lines
        return texts
    }

    /// Drains the queue: the receipt's one operation ran once and was executed.
    private func expectExecuted(
        _ receipt: ProvisioningService.Receipt, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async throws -> [String] {
        #expect(try await engine.executor.drain() == 1, sourceLocation: sourceLocation)
        let operations = try await engine.operations(of: receipt)
        #expect(operations.map(\.state) == [.executed], "\(operations)", sourceLocation: sourceLocation)
        return [String(reflecting: receipt)]
    }

    /// The store has the ghost's account, the directory has not: the reset fails for good.
    private func resetTheGhost() async throws -> [String] {
        try await engine.recordAccount(ghost)
        let receipt = try await engine.service.resetPassword(
            username: ghost, system: name, password: .chosen(GuardedString(canary + "-4")))
        #expect(try await engine.executor.drain() == 1)
        let operation = try #require(try await engine.operations(of: receipt).first)
        #expect(operation.state == .failed)
        #expect(operation.result?.code == ConnectorError.Kind.notFound.rawValue, "\(operation)")
        #expect(!operation.holdsSecrets)
        return [String(reflecting: receipt)]
    }

    /// The server stops: the reset is retried, not failed, and its secret
    /// kept; once the server is back and the wait is over, it is made.
    private func resetWhileTheServerIsStopped() async throws -> [String] {
        directory.stop()
        let receipt = try await engine.service.resetPassword(
            username: person, system: name, password: .chosen(GuardedString(canary + "-5")))
        // One attempt, then nothing is due until the clock passes the wait.
        #expect(try await engine.executor.drain() == 1)
        let waiting = try #require(try await engine.operations(of: receipt).first)
        #expect(waiting.state == .retrying)
        #expect(waiting.result?.code == ConnectorError.Kind.unreachable.rawValue, "\(waiting)")
        #expect(waiting.attempts == 1 && waiting.holdsSecrets)

        try directory.start()
        engine.advance(by: Double(Self.retry.delaySeconds))
        #expect(try await engine.executor.drain() == 1)
        let made = try #require(try await engine.operations(of: receipt).first)
        #expect(made.state == .executed && made.attempts == 2 && !made.holdsSecrets, "\(made)")
        let outcomes = try await engine.auditTrail().filter { $0.operationID == made.id }.map(\.outcome)
        #expect(outcomes == ["retrying", "executed"])
        #expect(await directory.binds(person, canary + "-5"))
        return [String(reflecting: receipt)]
    }

    /// Two requests refused before anything is queued; their errors' texts.
    private func refusedRequests() async throws -> [String] {
        var errors: [ServiceError] = []
        do {
            _ = try await engine.service.createAccounts(
                username: person, systems: [name], password: .chosen(GuardedString(canary + "-6")))
            Issue.record("a second create was queued")
        } catch {
            #expect(error.kind == .account)
            errors.append(error)
        }
        do {
            _ = try await engine.service.resetPassword(
                username: person, system: name,
                password: .chosen(GuardedString(canary + String(repeating: "-7", count: 30))))
            Issue.record("a password over the policy's 64 characters was queued")
        } catch {
            #expect(error.kind == .planning)
            errors.append(error)
        }
        return errors.flatMap { error in
            [
                error.message, String(describing: error), String(reflecting: error),
                String(reflecting: error.planningError as Any),
            ]
        }
    }
}
