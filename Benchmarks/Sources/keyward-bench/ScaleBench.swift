import Foundation

/// Figure (h): queued password operations per second drained to the `sql`
/// connector by 1, 2 and 4 `keyward run --drain` processes sharing a
/// PostgreSQL store, beside one process on a SQLite store, in one run.
///
/// Each run starts from a fresh store and a fresh target table (in its own
/// PostgreSQL database, so every setup writes to the same kind of target):
/// `keyward identity import` and `account create --all-users --no-wait`
/// queue ``operations`` creates with generated passwords (not timed); then
/// the processes start together and the clock runs until the last exits
/// (process start-up included). Each process has ``workers`` workers.
/// Afterwards every operation must be executed and every row present.
struct ScaleBench {
    /// One way to run the queue.
    struct Setup: Sendable {
        let postgresStore: Bool
        let processes: Int
        var label: String { postgresStore ? "postgresql" : "sqlite" }
    }

    static let setups = [
        Setup(postgresStore: false, processes: 1), Setup(postgresStore: true, processes: 1),
        Setup(postgresStore: true, processes: 2), Setup(postgresStore: true, processes: 4),
    ]

    let keyward: String
    let postgres: Postgres
    let operations: Int
    let workers: Int
    private let counter = Counter()

    /// Operations per second of one run of `setup`.
    func measure(_ setup: Setup) throws -> Double {
        let number = counter.next()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-scale-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder + "/var", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/connectors", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/scripts", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let storeDatabase = "store_\(number)"
        let targetDatabase = "target_\(number)"
        try postgres.psql("CREATE DATABASE \(targetDatabase)")
        try postgres.psql(
            "CREATE TABLE employees (login TEXT PRIMARY KEY, first_name TEXT, email TEXT, password_hash TEXT)",
            database: targetDatabase)
        if setup.postgresStore { try postgres.psql("CREATE DATABASE \(storeDatabase)") }
        defer {
            _ = try? postgres.psql("DROP DATABASE IF EXISTS \(targetDatabase) WITH (FORCE)")
            _ = try? postgres.psql("DROP DATABASE IF EXISTS \(storeDatabase) WITH (FORCE)")
        }
        let store = setup.postgresStore ? "\"\(postgres.url(storeDatabase))\"" : "sqlite:var/keyward.db"
        try Self.configuration(store: store).write(toFile: folder + "/keyward.yaml", atomically: true, encoding: .utf8)
        try Self.connector(url: postgres.url(targetDatabase)).write(toFile: folder + "/connectors/hr.yaml", atomically: true, encoding: .utf8)
        try "return attributeValue\n".write(toFile: folder + "/scripts/pw.lua", atomically: true, encoding: .utf8)
        var people = "username,givenName,email\n"
        for index in 0..<operations { people += "p\(index),Person \(index),p\(index)@example.com\n" }
        try people.write(toFile: folder + "/people.csv", atomically: true, encoding: .utf8)

        let environment = ["PGPASSWORD": Postgres.password]
        try keywardCommand(["keygen"], in: folder, environment: environment)
        try keywardCommand(["identity", "import", "people.csv"], in: folder, environment: environment)
        try keywardCommand(["account", "create", "--all-users", "--system", "hr", "--no-wait"], in: folder, environment: environment)

        let start = Clock.now()
        let processes = try (0..<setup.processes).map { _ in
            try spawn(["run", "--drain", "--workers", String(workers)], in: folder, environment: environment)
        }
        for process in processes {
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw QueueBench.Failure("`keyward run --drain` exited \(process.terminationStatus) (\(setup.label) × \(setup.processes))")
            }
        }
        let elapsed = Clock.now() - start

        let executed: Int
        if setup.postgresStore {
            executed = Int(try postgres.psql("SELECT count(*) FROM operations WHERE state = 'executed'", database: storeDatabase)) ?? -1
        } else {
            executed = Int(try Postgres.run("/usr/bin/sqlite3", [folder + "/var/keyward.db", "SELECT count(*) FROM operations WHERE state = 'executed'"])) ?? -1
        }
        let rows = Int(try postgres.psql("SELECT count(*) FROM employees WHERE password_hash IS NOT NULL", database: targetDatabase)) ?? -1
        guard executed == operations, rows == operations else {
            throw QueueBench.Failure(
                "\(setup.label) × \(setup.processes): \(executed) of \(operations) operations executed, \(rows) rows with a password")
        }
        return Double(operations) / (Double(elapsed) / 1e9)
    }

    private func keywardCommand(_ arguments: [String], in folder: String, environment: [String: String]) throws {
        let process = try spawn(arguments, in: folder, environment: environment)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw QueueBench.Failure("`keyward \(arguments.joined(separator: " "))` exited \(process.terminationStatus) in \(folder)")
        }
    }

    private func spawn(_ arguments: [String], in folder: String, environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: keyward)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func configuration(store: String) -> String {
        """
        version: 2
        store: \(store)
        keyFile: var/keyward.key
        defaults:
          generate: generated
          validate: [generated]
        policies:
          generated:
            minLength: 20
            classes: { upper: { min: 2 }, lower: { min: 2 }, digit: { min: 2 } }
            generate: characters

        """
    }

    static func connector(url: String) -> String {
        """
        type: sql
        connection:
          url: \(url)
          table: employees
          keyColumn: login
          passwordColumn: password_hash
          passwordStorage: pbkdf2-sha256
          pbkdf2Iterations: 1000
          operations: initialize, reset
        mapping:
          attributes:
            - { name: login, source: username, uid: true }
            - { name: first_name, source: givenName }
            - { name: email, source: email }
            - { name: __PASSWORD__, password: true, transform: scripts/pw.lua }

        """
    }

    /// Numbers the runs, for their databases' names.
    final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()

        func next() -> Int {
            lock.withLock {
                value += 1
                return value
            }
        }
    }
}
