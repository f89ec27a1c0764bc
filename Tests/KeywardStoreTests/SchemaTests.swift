import Foundation
import GRDB
import KeywardCore
import KeywardStore
import KeywardTestSupport
import Testing

/// Opening a store: the schema, re-opening, and the files it refuses.
@Suite("Store: schema and opening", .offThePool)
struct SchemaTests {
    static let versions = [
        "v1", "v2: set-password tokens", "v3: API tokens and the notification outbox",
        "v4: the index of claimable operations", "v5: the index of open operations without an IN list",
    ]

    @Test func migrationsCreateTheSchemaAndReopeningIsIdempotent() async throws {
        let folder = try StoreFolder()
        let store = try folder.open()
        _ = try await store.upsertIdentities([Identity(username: "alice")])
        let id = try #require(try await store.enqueue(Fixtures.reset()).first)

        let raw = try folder.rawConnection()
        let (tables, migrations, journal) = try await raw.read { db in
            (
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"),
                try String.fetchOne(db, sql: "PRAGMA journal_mode")
            )
        }
        for table in [
            "accounts", "audit", "identities", "operations", "secrets", "set_password_tokens", "api_tokens",
            "notification_outbox",
        ] {
            #expect(tables.contains(table))
        }
        #expect(migrations == SchemaTests.versions)
        #expect(journal == "wal")
        let indexes = try await raw.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        for index in [
            "operations_due", "operations_account", "operations_claimable", "accounts_system_uid", "audit_username_at",
        ] {
            #expect(indexes.contains(index))
        }

        let reopened = try folder.open()
        let again = try folder.open()
        #expect(try await reopened.identity(username: "alice") != nil)
        #expect(try await again.require(id).state == .created)
        let after = try await raw.read { db in try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") }
        #expect(after == SchemaTests.versions)
    }

    @Test func newDatabaseFileIsPrivate() throws {
        let folder = try StoreFolder()
        _ = try folder.open()
        #expect(try folder.permissions(folder.databasePath) == 0o600)
    }

    @Test func schemaFromANewerKeywardIsTooNew() async throws {
        let folder = try StoreFolder()
        _ = try folder.open()
        try await folder.rawConnection().write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
        }
        let error = #expect(throws: StoreError.self) { try folder.open() }
        #expect(error?.kind == .tooNew)
        #expect(error?.message.contains(folder.databasePath) == true)
        #expect(error?.message.contains("v99-from-the-future") == true)
    }

    @Test func garbageFileIsCorrupt() throws {
        let folder = try StoreFolder()
        let garbage = Data((0..<16_384).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        #expect(FileManager.default.createFile(atPath: folder.databasePath, contents: garbage))
        let error = #expect(throws: StoreError.self) { try folder.open() }
        #expect(error?.kind == .corrupt)
        #expect(
            error?.message.hasPrefix("\(folder.databasePath) is not a Keyward store, or it is damaged (SQLite: ")
                == true)
    }

    @Test func writeWhileAnotherProcessHoldsTheLockIsLocked() async throws {
        let folder = try StoreFolder()
        let store = try folder.open(busyTimeout: .milliseconds(200))
        let other = try folder.rawConnection(holdingLocks: true)
        try other.inDatabase { db in try db.execute(sql: "BEGIN EXCLUSIVE") }
        let error = await storeError { _ = try await store.enqueue(Fixtures.unlock()) }
        #expect(error?.kind == .locked)
        #expect(error?.message.contains(folder.databasePath) == true)
        #expect(error?.message.contains("another process") == true)
        try other.inDatabase { db in try db.execute(sql: "COMMIT") }
        #expect(try await store.enqueue(Fixtures.unlock()).count == 1)
    }

    @Test func openingWhileAnotherProcessHoldsTheLockIsLocked() throws {
        let folder = try StoreFolder()
        let other = try folder.rawConnection(holdingLocks: true)
        try other.inDatabase { db in
            try db.execute(sql: "CREATE TABLE placeholder (x)")
            try db.execute(sql: "BEGIN EXCLUSIVE")
        }
        let started = ContinuousClock.now
        let error = #expect(throws: StoreError.self) { try folder.open(busyTimeout: .milliseconds(200)) }
        #expect(error?.kind == .locked)
        #expect(ContinuousClock.now - started < .seconds(4))
        try other.inDatabase { db in try db.execute(sql: "ROLLBACK") }
    }
}
