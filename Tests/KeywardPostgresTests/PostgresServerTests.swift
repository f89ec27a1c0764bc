import KeywardTestSupport
import Testing

/// The test harness itself: the shared server, fresh databases, the dump
/// and the log, and a dedicated server stopped and started again.
@Suite("PostgreSQL: test server", .offThePool)
struct PostgresServerTests {
    @Test func sharedServerMakesFreshDatabasesAndDumpsThem() throws {
        let server = try PostgresServer.shared()
        let first = try server.makeDatabase()
        let second = try server.makeDatabase()
        #expect(first.name != second.name)
        #expect(first.url.hasPrefix("postgres://\(PostgresServer.user)@127.0.0.1:\(server.port)/\(first.name)?sslmode=verify-full"))
        #expect(!first.url.contains(PostgresServer.password))
        try server.psql("CREATE TABLE marks (note TEXT); INSERT INTO marks VALUES ('harness-mark')", database: first.name)
        #expect(try server.psql("SELECT note FROM marks", database: first.name) == "harness-mark\n")
        #expect(try server.pgDump(database: first.name).contains("harness-mark"))
        #expect(!(try server.pgDump(database: second.name)).contains("harness-mark"))
        #expect(server.logText().contains("INSERT INTO marks"))
        #expect(try server.psql("SHOW ssl") == "on\n")
    }

    @Test func dedicatedServerStopsAndStartsOnTheSamePortAndData() throws {
        let server = try PostgresServer.dedicated()
        defer { server.destroy() }
        let database = try server.makeDatabase()
        try server.psql("CREATE TABLE kept (n INT); INSERT INTO kept VALUES (7)", database: database.name)
        server.stop()
        #expect(throws: PostgresServerError.self) { try server.psql("SELECT 1", database: database.name) }
        try server.start()
        #expect(try server.psql("SELECT n FROM kept", database: database.name) == "7\n")
    }

    @Test func aDedicatedServerWhosePortWasTakenStartsOnTheNext() throws {
        // Bound, not listening, on 127.0.0.1 only: postgres binds 127.0.0.2
        // and would start half on the taken port.
        let taken = try SilentListener(listening: false)
        let free = try FreePort.next()
        var ports = [taken.port, free].makeIterator()
        let server = try PostgresServer.dedicated {
            let port = ports.next()
            return try #require(port, "the server asked for a third port")
        }
        defer { server.destroy() }
        #expect(server.port == free)
        #expect(try server.psql("SELECT 1") == "1\n")
    }
}
