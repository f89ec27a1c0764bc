import Foundation
import KeywardTestSupport
import Testing

/// Three `keyward run` processes share one PostgreSQL store and drain 5,000
/// queued password operations to the `sql` connector; one is killed with
/// SIGKILL in the middle. Every operation ends exactly once, each
/// account's operations in order, the system's cap holds across the three,
/// nothing stays claimed and no secret stays in confidential storage. And a
/// worker outlives the database going away.
@Suite("CLI: three workers on one PostgreSQL store", .offThePool)
struct ClusterTests {
    /// People, one create each; and people who also get a reset queued
    /// behind their create, which becomes two operations (`__PASSWORD__`,
    /// then the second password attribute): 4,950 + 2 × 25 = 5,000.
    static let people = 4_950
    static let resets = 25
    static let operations = people + 2 * resets
    static let cap = 6

    @Test func threeWorkersDrainFiveThousandOperationsWhileOneIsKilled() throws {
        let server = try PostgresServer.shared()
        let database = try server.makeDatabase()
        let fixture = try QueueFixture()
        try fixture.scratch.write(
            "keyward.yaml",
            QueueFixture.mainConfiguration.replacingOccurrences(
                of: "store: sqlite:var/keyward.db", with: "store: \"\(database.url)&lease=15\""))
        try #require(Self.connector.contains("maxConcurrent: \(Self.cap)") && Self.connector.contains("name: pin_hash"))
        try fixture.scratch.write("connectors/hr.yaml", Self.connector)
        try QueueFixture.addPinColumn(at: fixture.hrPath)
        var csv = "username,givenName,email\n"
        for index in 0..<Self.people { csv += "user\(index),User \(index),user\(index)@example.com\n" }
        try fixture.scratch.write("many.csv", csv)
        let environment = database.environment
        #expect(try fixture.run("keygen").status == 0)
        let imported = try fixture.run("identity", "import", "many.csv", environment: environment)
        try #require(imported.status == 0, "\(imported)")
        // Queueing 4,950 accounts one person at a time takes minutes in a debug build on a loaded machine.
        let queued = try fixture.scratch.run(
            arguments: ["account", "create", "--all-users", "--system", "hr", "--no-wait"], environment: environment,
            watchdog: 900)
        try #require(queued.status == 0, "\(queued)")
        let sql = { (query: String) throws -> Int in
            Int(try server.psql(query, database: database.name).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        for index in 0..<Self.resets {
            let reset = try fixture.run(
                "password", "reset", "--user", "user\(index * 7)", "--system", "hr", "--no-wait", environment: environment)
            try #require(reset.status == 0, "\(reset)")
        }
        let created = try sql("SELECT count(*) FROM operations WHERE state = 'created'")
        try #require(created == Self.operations, "\(created) operations queued")

        let arguments = ["run", "--workers", "4", "--poll-interval", "0.1", "--verbose"]
        let workers = try (0..<3).map { _ in try Background(arguments, in: fixture.url, environment: environment) }
        var executed = 0
        var mostRunning = 0
        var deadline = Date().addingTimeInterval(180)
        while executed < 1_000 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            executed = try sql("SELECT count(*) FROM operations WHERE state = 'executed'")
            mostRunning = max(mostRunning, try sql("SELECT count(*) FROM operations WHERE state = 'running'"))
        }
        workers[0].kill()
        #expect(executed >= 1_000 && executed < Self.operations, "the kill came at \(executed) executed; it must land mid-batch")

        deadline = Date().addingTimeInterval(300)
        var open = Int.max
        while open > 0 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            open = try sql("SELECT count(*) FROM operations WHERE state IN ('created', 'retrying', 'running')")
            mostRunning = max(mostRunning, try sql("SELECT count(*) FROM operations WHERE state = 'running'"))
        }
        for worker in workers.dropFirst() {
            #expect(worker.terminate() == 0, "\(worker.output.suffix(2_000))")
        }
        #expect(open == 0, "operations still open after the drain")

        // Every operation ended once, executed, with one `executed` entry.
        #expect(try sql("SELECT count(*) FROM operations WHERE state = 'executed'") == Self.operations)
        #expect(try sql("SELECT count(*) FROM audit WHERE outcome = 'executed'") == Self.operations)
        #expect(
            try sql("SELECT count(*) FROM (SELECT operation_id FROM audit WHERE outcome = 'executed' GROUP BY operation_id HAVING count(*) > 1) d")
                == 0)
        // Each account's operations ended in the order they were queued.
        #expect(
            try sql(
                """
                SELECT count(*) FROM operations c
                JOIN operations u ON u.system = c.system AND u.uid = c.uid AND u.id > c.id
                JOIN audit ac ON ac.operation_id = c.id AND ac.outcome = 'executed'
                JOIN audit au ON au.operation_id = u.id AND au.outcome = 'executed'
                WHERE au.id < ac.id
                """) == 0)
        // Nothing claimed, no secret left, the cap held across the three.
        #expect(try sql("SELECT count(*) FROM operations WHERE state = 'running'") == 0)
        #expect(try sql("SELECT count(*) FROM secrets") == 0)
        #expect(mostRunning <= Self.cap, "\(mostRunning) operations ran at once; the cap is \(Self.cap)")
        // The target: each row created once, each with both passwords (a
        // reset that overtook its create would have failed: no such row).
        #expect(try fixture.hr("SELECT count(*) FROM employees") == Self.people)
        #expect(try fixture.hr("SELECT count(*) FROM inserts") == Self.people)
        #expect(try fixture.hr("SELECT count(*) FROM employees WHERE password_hash IS NOT NULL AND pin_hash IS NOT NULL") == Self.people)
        // Both survivors did part of the work.
        for worker in workers.dropFirst() {
            #expect(worker.output.contains(" executed: "), "\(worker.output.suffix(2_000))")
        }
    }

    /// PostgreSQL stopped in the middle of a drain, then started again:
    /// the worker keeps running, waits the outage out, and finishes; every
    /// operation ends once.
    @Test func aWorkerRidesOutTheDatabaseGoingAwayAndComingBack() throws {
        let server = try PostgresServer.dedicated()
        defer { server.destroy() }
        let database = try server.makeDatabase()
        let fixture = try QueueFixture()
        // Set up with the default timeout; the worker then runs with a short one, to notice the outage soon.
        let configuration = { (settings: String) in
            QueueFixture.mainConfiguration.replacingOccurrences(
                of: "store: sqlite:var/keyward.db", with: "store: \"\(database.url)\(settings)\"")
        }
        try fixture.scratch.write("keyward.yaml", configuration(""))
        let people = 600
        var csv = "username,givenName,email\n"
        for index in 0..<people { csv += "user\(index),User \(index),user\(index)@example.com\n" }
        try fixture.scratch.write("many.csv", csv)
        let environment = database.environment
        #expect(try fixture.run("keygen").status == 0)
        try #require(try fixture.run("identity", "import", "many.csv", environment: environment).status == 0)
        try #require(
            try fixture.run("account", "create", "--all-users", "--system", "hr", "--no-wait", environment: environment).status == 0)
        let sql = { (query: String) throws -> Int in
            Int(try server.psql(query, database: database.name).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }

        try fixture.scratch.write("keyward.yaml", configuration("&timeout=2"))
        let worker = try Background(["run", "--workers", "4", "--poll-interval", "0.1"], in: fixture.url, environment: environment)
        var rows = 0
        var deadline = Date().addingTimeInterval(120)
        while rows < 50 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            rows = (try? fixture.hr("SELECT count(*) FROM employees") as Int?) ?? 0
        }
        server.stop()
        Thread.sleep(forTimeInterval: 4)
        #expect(worker.process.isRunning, "the worker exited while the database was away: \(worker.output.suffix(2_000))")
        try server.start()

        deadline = Date().addingTimeInterval(180)
        var executed = 0
        while executed < people && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.2)
            executed = (try? sql("SELECT count(*) FROM operations WHERE state = 'executed'")) ?? 0
        }
        #expect(worker.terminate() == 0, "\(worker.output.suffix(2_000))")
        #expect(executed == people, "\(worker.output.suffix(2_000))")
        #expect(worker.output.contains("the store is unavailable"), "\(worker.output.suffix(2_000))")
        #expect(worker.output.contains("the store answers again"), "\(worker.output.suffix(2_000))")
        #expect(try sql("SELECT count(*) FROM operations WHERE state <> 'executed'") == 0)
        #expect(
            try sql("SELECT count(*) FROM (SELECT operation_id FROM audit WHERE outcome = 'executed' GROUP BY operation_id HAVING count(*) > 1) d")
                == 0)
        #expect(try sql("SELECT count(*) FROM secrets") == 0)
        #expect(try fixture.hr("SELECT count(*) FROM inserts") == people)
    }

    /// The fixture's `hr` with a second password attribute (a PIN hash),
    /// sent as its own operation after the password, a cap of ``cap``
    /// running operations, and more patient retries.
    static let connector = QueueFixture.hrConnector(
        operations: "initialize, change, reset, unlock", retry: "{ maxAttempts: 20, backoff: fixed, delay: 0s, maxDelay: 0s }"
    )
    .replacingOccurrences(of: "type: sql\n", with: "type: sql\nmaxConcurrent: \(cap)\n")
    .replacingOccurrences(
        of: "    - { name: __PASSWORD__, password: true, transform: scripts/pw.lua }\n",
        with: "    - { name: __PASSWORD__, password: true, transform: scripts/pw.lua }\n"
            + "    - { name: pin_hash, password: true, transform: scripts/pw.lua }\n")
}
