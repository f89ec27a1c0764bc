import Foundation
import KeywardCore
import KeywardPostgres
import KeywardStore
import KeywardTestSupport
import Logging
import Testing

/// Opening PostgreSQL stores on test databases, and the operations the tests queue.
enum PostgresFixture {
    static let quiet = Logger(label: "keyward.store.test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Opens a store on `database` (its URL plus `settings`, such as `&lease=2`).
    static func open(
        _ database: PostgresDatabase, key: MasterKey, settings: String = "", logger: Logger = quiet
    ) async throws -> PostgresStore {
        try await PostgresStore.open(
            url: database.url + (settings.contains("pool=") ? "" : "&pool=4")
                + (settings.contains("timeout=") ? "" : "&timeout=15") + settings, keyring: Keyring(current: key),
            environment: database.environment, logger: logger)
    }

    /// Runs `body` with a store on a fresh database of the shared server, closing it after.
    static func withStore<T>(
        settings: String = "", _ body: (PostgresStore, PostgresDatabase, MasterKey) async throws -> T
    ) async throws -> T {
        let database = try PostgresServer.shared().makeDatabase()
        let key = MasterKey.generate()
        let store = try await open(database, key: key, settings: settings)
        do {
            let value = try await body(store, database, key)
            await store.close()
            return value
        } catch {
            await store.close()
            throw error
        }
    }

    /// A password reset carrying `secret` (the canary by default).
    static func reset(_ username: String, system: String = "ldap", secret: String = Canary.password) -> NewOperation {
        NewOperation(
            system: system, username: username, uid: username, action: .update,
            attributes: [QueuedAttribute(name: "__PASSWORD__", value: nil, isSecret: true, isPassword: true)],
            secrets: ["__PASSWORD__": GuardedString(secret)], mustChange: true, maxAttempts: 3)
    }

    /// An unlock (no secret).
    static func unlock(_ username: String, system: String = "ldap") -> NewOperation {
        NewOperation(system: system, username: username, uid: username, action: .unlock)
    }

    static let ok = OperationResult(code: "ok", message: "done")

    static func audit(_ id: Int64) -> AuditEntry {
        AuditEntry(actor: "engine", action: "attempt", username: "someone", operationID: id, outcome: "executed")
    }
}

extension Store {
    /// Queues `operations` as one request.
    func enqueue(_ operations: [NewOperation]) async throws -> [Int64] {
        try await enqueue(
            requestID: UUID().uuidString, requestedBy: "cli:root", operations: operations, accounts: [], audit: [])
    }

    /// Records `executed` for `id`.
    func execute(_ id: Int64) async throws {
        try await finish(operationID: id, outcome: .executed(PostgresFixture.ok), account: nil, audit: PostgresFixture.audit(id))
    }
}

/// The `StoreError` `body` threw, if it threw one.
func storeError(_ body: () async throws -> Void) async -> StoreError? {
    do {
        try await body()
        return nil
    } catch {
        return error as? StoreError
    }
}
