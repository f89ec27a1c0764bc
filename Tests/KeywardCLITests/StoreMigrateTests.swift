import Foundation
import KeywardTestSupport
import Testing

/// `keyward store migrate --to postgres://…`: the SQLite store copied into an
/// empty PostgreSQL database, all or nothing, then used from there.
@Suite("CLI: store migrate", .offThePool)
struct StoreMigrateTests {
    @Test func aCopiedStoreRunsItsQueueFromPostgreSQL() throws {
        let server = try PostgresServer.shared()
        let database = try server.makeDatabase()
        let fixture = try QueueFixture()
        try fixture.prepare()
        // Queued work waiting in the SQLite store: three creates (generated
        // passwords, sealed) and one chosen canary reset behind one of them.
        #expect(try fixture.run("account", "create", "--all-users", "--system", "hr", "--no-wait").status == 0)
        let reset = try fixture.run(
            "password", "reset", "--user", "ada", "--system", "hr", "--stdin", "--no-wait", stdin: Canary.password + "\n")
        #expect(reset.status == 0, "\(reset)")
        #expect(try fixture.run("token", "create", "--name", "portal", "--scope", "change").status == 0)
        let idsBefore = try fixture.run("queue", "list")
        let auditBefore: Int = try #require(try fixture.store("SELECT count(*) FROM audit"))

        let migrated = try fixture.run("store", "migrate", "--to", database.url, environment: database.environment)
        #expect(migrated.status == 0, "\(migrated)")
        #expect(migrated.stdout.contains("operations"), "\(migrated)")
        #expect(migrated.stderr.contains("done: set `store:"), "\(migrated)")
        #expect(!migrated.allOutput.contains(Canary.password))
        // The source is untouched; the copy holds the same rows.
        #expect(try fixture.store("SELECT count(*) FROM operations WHERE state = 'created'") == 4)
        let count = { (table: String) throws -> Int in
            Int(try server.psql("SELECT count(*) FROM \(table)", database: database.name)
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        #expect(try count("operations") == 4)
        #expect(try count("secrets") == 4)
        #expect(try count("audit") == auditBefore)
        #expect(try count("api_tokens") == 1)
        #expect(try count("identities") == QueueFixture.people.count)
        let dump = try server.pgDump(database: database.name)
        #expect(!dump.contains(Canary.password))

        // Switched over: the same queue, run from PostgreSQL, the sealed
        // passwords opened with the same key under their kept ids.
        try fixture.scratch.write(
            "keyward.yaml",
            QueueFixture.mainConfiguration.replacingOccurrences(
                of: "store: sqlite:var/keyward.db", with: "store: \"\(database.url)\""))
        let listed = try fixture.run("queue", "list", environment: database.environment)
        #expect(listed.status == 0, "\(listed)")
        #expect(listed.stdout == idsBefore.stdout)
        let drained = try fixture.run("run", "--drain", environment: database.environment)
        #expect(drained.status == 0, "\(drained)")
        #expect(try count("operations WHERE state = 'executed'") == 4)
        #expect(try count("secrets") == 0)
        #expect(try fixture.hr("SELECT count(*) FROM employees") == QueueFixture.people.count)
        // New ids continue after the copied ones (a sequence left at 1 would collide).
        let later = try fixture.run(
            "password", "reset", "--user", "ada", "--system", "hr", "--no-wait", environment: database.environment)
        #expect(later.status == 0, "\(later)")
        #expect(try count("operations") == 5)
        #expect(try count("operations WHERE id = 5 AND state = 'created'") == 1)
        let tokens = try fixture.run("token", "list", environment: database.environment)
        #expect(tokens.stdout.contains("portal"), "\(tokens)")
    }

    @Test func aDatabaseThatIsNotEmptyIsRefusedAndKeepsItsRows() throws {
        let server = try PostgresServer.shared()
        let database = try server.makeDatabase()
        let fixture = try QueueFixture()
        try fixture.prepare()
        #expect(try fixture.run("account", "create", "--all-users", "--system", "hr", "--no-wait").status == 0)
        #expect(try fixture.run("store", "migrate", "--to", database.url, environment: database.environment).status == 0)

        let again = try fixture.run("store", "migrate", "--to", database.url, environment: database.environment)
        #expect(again.status == 2, "\(again)")
        #expect(again.stderr.contains("not empty"), "\(again)")
        let operations = try server.psql("SELECT count(*) FROM operations", database: database.name)
        #expect(operations.trimmingCharacters(in: .whitespacesAndNewlines) == "3")
    }

    @Test func wrongTargetsAreRefusedWithAMessage() throws {
        let server = try PostgresServer.shared()
        let database = try server.makeDatabase()
        let fixture = try QueueFixture()
        try fixture.prepare()

        let notPostgres = try fixture.run("store", "migrate", "--to", "mysql://keyward@db/keyward")
        #expect(notPostgres.status == 2)
        #expect(notPostgres.stderr.contains("postgres:// URL"), "\(notPostgres)")

        let secret = "Url-Secret-\(UUID().uuidString.prefix(6))"
        let withPassword = try fixture.run(
            "store", "migrate", "--to", "postgres://keyward:\(secret)@127.0.0.1:\(database.port)/\(database.name)")
        #expect(withPassword.status == 2, "\(withPassword)")
        #expect(!withPassword.allOutput.contains(secret))

        let wrongPassword = try fixture.run(
            "store", "migrate", "--to", database.url, environment: ["PGPASSWORD": "not-the-password"])
        #expect(wrongPassword.status == 2, "\(wrongPassword)")
        #expect(!wrongPassword.allOutput.contains("not-the-password"))

        let otherCA = try fixture.run(
            "store", "migrate", "--to", database.url(sslmode: "verify-full", caPath: server.otherCAPath),
            environment: database.environment)
        #expect(otherCA.status == 2, "\(otherCA)")

        // Already on PostgreSQL: nothing to copy from.
        try fixture.scratch.write(
            "keyward.yaml",
            QueueFixture.mainConfiguration.replacingOccurrences(
                of: "store: sqlite:var/keyward.db", with: "store: \"\(database.url)\""))
        let fromPostgres = try fixture.run("store", "migrate", "--to", database.url, environment: database.environment)
        #expect(fromPostgres.status == 2)
        #expect(fromPostgres.stderr.contains("PostgreSQL already"), "\(fromPostgres)")
    }
}
