import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardStore

/// The shared queue test engine, over the cloud systems.
typealias CloudQueueEngine = QueueTestEngine

extension QueueTestEngine {
    /// Retries 30 s apart, ten attempts.
    static let retry = RetryPolicy(maxAttempts: 10, backoff: .fixed, delaySeconds: 30, maxDelaySeconds: 30)

    /// The engine over the cloud systems.
    convenience init(systems: [TargetSystem], batchSize: Int = 32, concurrency: Int = 4) throws {
        try self.init(systems: systems, name: "cloud", batchSize: batchSize, concurrency: concurrency)
    }

    /// `definition` as the engine sees it, retried by ``retry``.
    static func prepare(_ definition: ConnectorDefinition) -> ConnectorDefinition {
        prepare(definition, retry: retry)
    }

    /// Adds the person `username` (email `username@contoso.example`).
    func addIdentity(_ username: String) async throws {
        _ = try await store.upsertIdentities([
            Identity(username: username, givenName: "Given", familyName: username, email: "\(username)@contoso.example")
        ])
    }
}

/// A clock the test moves by hand.
typealias TestClock = ManualClock
