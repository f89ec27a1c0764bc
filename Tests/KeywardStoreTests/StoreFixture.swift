import Foundation
import GRDB
import KeywardCore
import KeywardPostgres
import KeywardStore
import KeywardTestSupport
import Testing

/// A fresh temporary folder holding `keyward.db`, removed when released.
final class StoreFolder {
    let url: URL
    let key: MasterKey

    /// The database file's path.
    var databasePath: String { path("keyward.db") }

    /// The folder's PostgreSQL database, once a test opened it there.
    var postgres: PostgresDatabase?
    /// The PostgreSQL stores opened, closed when the folder goes.
    var opened: [PostgresStore] = []

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        key = MasterKey.generate()
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
        let stores = opened
        Task { for store in stores { await store.close() } }
    }

    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// Opens the store under the folder's key (or the given keyring).
    func open(keyring: Keyring? = nil, busyTimeout: Duration = .seconds(5)) throws -> SQLiteStore {
        try SQLiteStore(path: databasePath, keyring: keyring ?? Keyring(current: key), busyTimeout: busyTimeout)
    }

    /// A plain GRDB connection to the same file, for looking under the store
    /// (or, with `holdingLocks`, for keeping a transaction open across calls).
    func rawConnection(holdingLocks: Bool = false) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = holdingLocks
        return try DatabaseQueue(path: databasePath, configuration: configuration)
    }

    /// The file's mode bits.
    func permissions(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}

/// Operations and records the tests queue.
enum Fixtures {
    static let password = "__PASSWORD__"

    /// A password reset (an update of `__PASSWORD__`) carrying `secret`.
    static func reset(
        _ username: String = "alice", system: String = "ldap", uid: String? = nil, secret: String = Canary.password
    ) -> NewOperation {
        NewOperation(
            system: system, username: username, uid: uid ?? username, action: .update,
            attributes: [QueuedAttribute(name: password, value: nil, isSecret: true, isPassword: true)],
            secrets: [password: GuardedString(secret)], mustChange: true, maxAttempts: 3)
    }

    /// An unlock: no secret at all.
    static func unlock(_ username: String = "alice", system: String = "ldap", uid: String? = nil) -> NewOperation {
        NewOperation(system: system, username: username, uid: uid ?? username, action: .unlock)
    }

    /// A password change carrying the current and the new password.
    static func change(_ username: String = "alice", system: String = "ldap") -> NewOperation {
        NewOperation(
            system: system, username: username, uid: username, action: .change,
            attributes: [QueuedAttribute(name: password, value: nil, isSecret: true, isPassword: true)],
            secrets: [
                password: GuardedString(Canary.password + "-new"),
                currentPasswordSecretName: GuardedString(Canary.password + "-old"),
            ])
    }

    static func audit(_ username: String = "alice", action: String = "reset", outcome: String = "requested", at: Date = Date())
        -> AuditEntry
    {
        AuditEntry(at: at, actor: "cli:root", action: action, username: username, outcome: outcome)
    }

    static let ok = OperationResult(code: "ok", message: "done")
    static let unreachable = OperationResult(code: "unreachable", message: "connection refused")
}

extension Store {
    /// Queues operations as one request, returning their ids.
    func enqueue(_ operations: NewOperation..., request: String = UUID().uuidString) async throws -> [Int64] {
        try await enqueue(
            requestID: request, requestedBy: "cli:root", operations: operations, accounts: [], audit: [])
    }

    /// Claims what is due a minute from now.
    func claimNow(limit: Int = 10, at now: Date = Date().addingTimeInterval(60)) async throws -> [ClaimedOperation] {
        try await claimDue(limit: limit, now: now)
    }

    func finish(_ id: Int64, _ outcome: AttemptOutcome) async throws {
        try await finish(
            operationID: id, outcome: outcome, account: nil, audit: Fixtures.audit(action: "attempt", outcome: "done"))
    }

    func require(_ id: Int64) async throws -> QueuedOperation {
        try #require(try await operation(id: id))
    }
}

/// Runs `body` and returns the `StoreError` it threw.
func storeError(_ body: () async throws -> Void) async -> StoreError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? StoreError
    }
}

/// Whether two times are the same to the millisecond (the store keeps seconds as REAL).
func sameTime(_ a: Date, _ b: Date) -> Bool {
    abs(a.timeIntervalSince1970 - b.timeIntervalSince1970) < 0.001
}
