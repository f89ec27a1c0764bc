import Foundation
import KeywardPostgres
import KeywardStore
import KeywardTestSupport
import Logging
import Testing

/// Opening the store: TLS verified against the test CA (and nothing else),
/// never plain text unless asked, a refused login named as such, and the
/// migrations run once however many nodes start together.
@Suite("PostgreSQL: connecting and migrating", .offThePool)
struct PostgresConnectionTests {
    @Test func verifyFullAgainstTheTestCAOpensAndMigrates() async throws {
        try await PostgresFixture.withStore { store, database, _ in
            #expect(store.settings.tlsMode == .verifyFull)
            #expect(try await store.identities().isEmpty)
            let server = try PostgresServer.shared()
            let applied = try server.psql("SELECT id FROM keyward_migrations ORDER BY id", database: database.name)
            #expect(
                applied
                    == "v1\nv2: set-password tokens\nv3: API tokens and the notification outbox\n"
                    + "v4: the index of claimable operations\n"
                    + "v5: the index of open operations without an IN list\n")
            let ssl = try server.psql(
                "SELECT bool_and(ssl) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE datname = '\(database.name)'")
            #expect(ssl == "t\n")
        }
    }

    @Test func aCertificateFromAnotherCAIsRefusedClearly() async throws {
        let server = try PostgresServer.shared()
        let database = try server.makeDatabase()
        let error = await storeError {
            _ = try await PostgresStore.open(
                url: database.url(sslmode: "verify-full", caPath: server.otherCAPath), keyring: Keyring(current: .generate()),
                environment: database.environment, logger: PostgresFixture.quiet)
        }
        #expect(error?.kind == .misconfigured)
        #expect(error?.message.contains("the server's certificate was refused") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("sslrootcert") == true)
        #expect(error?.message.contains(database.password) == false)
    }

    @Test func aHostTheCertificateDoesNotNameIsRefused() async throws {
        let database = try PostgresServer.shared().makeDatabase()
        let error = await storeError {
            _ = try await PostgresStore.open(
                url: database.url(sslmode: "verify-full", host: "127.0.0.2"), keyring: Keyring(current: .generate()),
                environment: database.environment, logger: PostgresFixture.quiet)
        }
        #expect(error?.kind == .misconfigured)
        #expect(error?.message.contains("the server's certificate was refused") == true, "\(error?.message ?? "")")
    }

    @Test func requireEncryptsWithoutVerifyingAndIsWarned() async throws {
        let database = try PostgresServer.shared().makeDatabase()
        let logs = LogCapture()
        let logger = Logger(label: "keyward.store.test") { _ in CapturingLogHandler(capture: logs) }
        let store = try await PostgresStore.open(
            url: database.url(sslmode: "require", host: "127.0.0.2", caPath: "/nonexistent"), keyring: Keyring(current: .generate()),
            environment: database.environment, logger: logger)
        #expect(try await store.operationCounts()[.created] == 0)
        await store.close()
        #expect(logs.lines.contains { $0.contains("sslmode=require") && $0.contains("does not verify") })
    }

    @Test func aServerWithoutTLSIsRefusedUnlessTLSIsDisabled() async throws {
        let plain = try PostgresServer.dedicated(tls: false)
        defer { plain.destroy() }
        let database = try plain.makeDatabase()
        for mode in ["verify-full", "require"] {
            let error = await storeError {
                _ = try await PostgresStore.open(
                    url: database.url(sslmode: mode, caPath: plain.caPath), keyring: Keyring(current: .generate()),
                    environment: database.environment, logger: PostgresFixture.quiet)
            }
            #expect(error?.kind == .misconfigured, "\(mode)")
            #expect(error?.message.contains("does not speak TLS") == true, "\(error?.message ?? "")")
        }
        let logs = LogCapture()
        let logger = Logger(label: "keyward.store.test") { _ in CapturingLogHandler(capture: logs) }
        let store = try await PostgresStore.open(
            url: database.url, keyring: Keyring(current: .generate()), environment: database.environment, logger: logger)
        #expect(try await store.identities().isEmpty)
        await store.close()
        #expect(logs.lines.contains { $0.contains("sslmode=disable") && $0.contains("unencrypted") })
    }

    @Test func aWrongPasswordIsNamedAndNeverShown() async throws {
        let database = try PostgresServer.shared().makeDatabase()
        let error = await storeError {
            _ = try await PostgresStore.open(
                url: database.url, keyring: Keyring(current: .generate()), environment: ["PGPASSWORD": Canary.password],
                logger: PostgresFixture.quiet)
        }
        #expect(error?.kind == .misconfigured)
        #expect(error?.message.contains("the login was refused") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(Canary.password) == false)
        #expect(!(try PostgresServer.shared().logText()).contains(Canary.password))
    }

    @Test func nodesStartingTogetherMigrateOnce() async throws {
        let database = try PostgresServer.shared().makeDatabase()
        let key = MasterKey.generate()
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<6 { group.addTask { try await PostgresFixture.open(database, key: key) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 6)
        let applied = try PostgresServer.shared().psql("SELECT count(*) FROM keyward_migrations", database: database.name)
        #expect(applied == "5\n")
        let ids = try await stores[0].enqueue([PostgresFixture.unlock("alice")])
        #expect(try await stores[5].operation(id: ids[0])?.username == "alice")
        for store in stores { await store.close() }
    }

    @Test func aSchemaFromANewerKeywardIsTooNew() async throws {
        let database = try PostgresServer.shared().makeDatabase()
        let key = MasterKey.generate()
        await (try await PostgresFixture.open(database, key: key)).close()
        try PostgresServer.shared().psql(
            "INSERT INTO keyward_migrations VALUES ('v99: from the future', 0)", database: database.name)
        let error = await storeError { _ = try await PostgresFixture.open(database, key: key) }
        #expect(error?.kind == .tooNew)
        #expect(error?.message.contains("v99: from the future") == true)
        #expect(error?.message.contains(database.name) == true)
    }
}
