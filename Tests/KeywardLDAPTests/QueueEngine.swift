import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardStore

/// The shared queue test engine, over one directory system.
typealias QueueEngine = QueueTestEngine

extension QueueTestEngine {
    /// The engine over `system` alone.
    convenience init(system: TargetSystem, batchSize: Int = 32, concurrency: Int = 4) throws {
        try self.init(systems: [system], name: "queue", batchSize: batchSize, concurrency: concurrency)
    }

    /// The one directory system.
    var system: TargetSystem { systems[0] }

    /// Adds the person `username` (given name, family name and email made
    /// from it) to the store's identities.
    func addIdentity(_ username: String) async throws {
        _ = try await store.upsertIdentities([
            Identity(
                username: username, givenName: "Given \(username)", familyName: "Family",
                email: "\(username)@example.org")
        ])
    }

    /// Records that `username` has the account `uid` on the system, queueing nothing.
    func recordAccount(_ username: String, uid: String? = nil) async throws {
        try await recordAccount(username, system: system.name, uid: uid ?? username)
    }
}
