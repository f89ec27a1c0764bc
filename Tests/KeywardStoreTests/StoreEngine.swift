import Foundation
import KeywardPostgres
import KeywardStore
import KeywardTestSupport
import Logging
import Testing

/// The engines the store suite runs on: every parameterized test runs once
/// on SQLite (a file in the test's folder) and once on PostgreSQL (a fresh
/// database on the test process's throwaway server).
enum StoreEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// The lease of a PostgreSQL test store, in seconds: a day, longer than
    /// any test looks ahead (claims an hour on must not find the earlier
    /// ones lapsed; the claims tests of KeywardPostgresTests test lapsing).
    static let postgresLease = 86_400

    /// How far past a claim made a minute ahead (``Store/claimNow(limit:at:)``)
    /// `recoverInterrupted` must look to take it: SQLite takes every running
    /// operation; PostgreSQL only those whose lease ran out.
    var afterLeases: TimeInterval {
        self == .sqlite ? 0 : TimeInterval(60 + Self.postgresLease)
    }
}

extension StoreFolder {
    /// Opens the folder's store on `engine`: the SQLite file, or the folder's
    /// PostgreSQL database (made on first use, the same on every reopen).
    func open(_ engine: StoreEngine, keyring: Keyring? = nil) async throws -> any ServingStore {
        switch engine {
        case .sqlite:
            return try open(keyring: keyring)
        case .postgres:
            let database = try postgresDatabase()
            let store = try await PostgresStore.open(
                url: database.url + "&lease=\(StoreEngine.postgresLease)&pool=4&timeout=20",
                keyring: keyring ?? Keyring(current: key), environment: database.environment,
                logger: Logger(label: "keyward.store.test", factory: { _ in SwiftLogNoOpLogHandler() }))
            opened.append(store)
            return store
        }
    }

    /// The folder's PostgreSQL database on the shared test server.
    func postgresDatabase() throws -> PostgresDatabase {
        if let postgres { return postgres }
        let database = try PostgresServer.shared().makeDatabase()
        postgres = database
        return database
    }
}
