import Foundation
public import KeywardStore
public import Logging
import PostgresNIO
import Synchronization

/// The scale-out store: the same schema, queue and confidential storage as
/// ``SQLiteStore``, in PostgreSQL, shared by any number of Keyward processes
/// on any number of machines.
///
/// - Workers claim due operations with `FOR UPDATE SKIP LOCKED`, one
///   account's operations in order, per-system caps counted across every
///   worker (claims that must count take one advisory lock). A claim is a
///   lease: this store renews its own claims while it runs, and a claim
///   whose lease ran out (its worker died) is taken again by the next claim,
///   marked interrupted; a late ``finish(operationID:outcome:account:audit:)``
///   from the worker that lost it is refused.
/// - Secrets reach SQL only as AES-GCM ciphertext, and every value goes as a
///   bind parameter: no statement text, and so no line of PostgreSQL's log
///   of a failed statement, ever holds one.
/// - When the database goes away, calls fail with `.unavailable`
///   (``StoreError/isTransient``) after at most the `timeout` setting, and
///   work again once it is back: the pool reconnects by itself.
///
/// Open with ``open(url:keyring:environment:logger:)``; call ``close()`` when done.
public final class PostgresStore: ServingStore {
    /// How it connects (never the password).
    public let settings: PostgresStoreSettings
    let client: PostgresClient
    // Every writer reads it inside its transaction; `rotateKey` replaces it there.
    let keys: Mutex<Keyring>
    /// This store's name in `claimed_by`: its claims are the rows with it.
    let worker: String
    /// For PostgresNIO, warnings and worse only: its debug lines are not ours to publish.
    let driverLogger: Logger
    let logger: Logger
    private let tasks: Mutex<[Task<Void, Never>]>

    private init(settings: PostgresStoreSettings, client: PostgresClient, keyring: Keyring, logger: Logger) {
        self.settings = settings
        self.client = client
        self.keys = Mutex(keyring)
        self.worker = "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8))"
        self.logger = logger
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        self.driverLogger = quiet
        self.tasks = Mutex([])
    }

    /// Opens the store the `store: postgres://…` URL names, its password
    /// from `environment` (``PostgresStoreSettings``), and brings its schema
    /// up to date (once, however many processes start together).
    ///
    /// Fails with `.misconfigured` for wrong settings, a refused login or a
    /// certificate that does not verify; `.unavailable` when the server
    /// cannot be reached; `.tooNew` for a schema from a newer Keyward.
    public static func open(
        url: String, keyring: Keyring, environment: [String: String], logger: Logger
    ) async throws(StoreError) -> PostgresStore {
        let settings = try PostgresStoreSettings.parse(url: url, environment: environment)
        return try await open(settings: settings, keyring: keyring, logger: logger)
    }

    /// Opens the store with parsed settings (see ``open(url:keyring:environment:logger:)``).
    public static func open(
        settings: PostgresStoreSettings, keyring: Keyring, logger: Logger
    ) async throws(StoreError) -> PostgresStore {
        for warning in settings.warnings { logger.warning("\(warning)") }
        let tls = try PostgresTLS(settings)
        try await PostgresMigrations.migrate(settings: settings, tls: tls, logger: logger)
        let client = PostgresClient(configuration: tls.clientConfiguration(settings), backgroundLogger: Logger(
            label: "keyward.store.postgres", factory: { _ in SwiftLogNoOpLogHandler() }))
        let store = PostgresStore(settings: settings, client: client, keyring: keyring, logger: logger)
        store.tasks.withLock { tasks in
            tasks.append(Task { await client.run() })
            tasks.append(Task { await store.renewLeases() })
        }
        return store
    }

    /// Stops renewing claims and closes every connection. Calls after it
    /// fail; claims still held lapse after their lease.
    public func close() async {
        let tasks = self.tasks.withLock { tasks in
            defer { tasks = [] }
            return tasks
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
    }

    /// The keyring in force (after ``rotateKey(to:)``, the new key is current).
    public var keyring: Keyring {
        keys.withLock { $0 }
    }

    /// Runs `body` in one transaction on a pooled connection, within the
    /// `timeout` setting. Errors become ``StoreError``s.
    func transaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let logger = driverLogger
        return try await within(settings.timeout) { [client] in
            try await client.withConnection { connection in
                try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
            }
        }
    }

    /// Runs `body` and fails it as `.unavailable` when it takes longer than
    /// `limit` (see ``firstOutcome(of:after:late:)``).
    private func within<T: Sendable>(
        _ limit: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        do {
            return try await firstOutcome(of: body, after: limit) { [settings] in
                PostgresStoreErrors.timedOut(settings, limit)
            }
        } catch let error as CancellationError {
            throw error
        } catch let error as StoreError {
            throw error
        } catch {
            throw PostgresStoreErrors.map(error, settings)
        }
    }
}
