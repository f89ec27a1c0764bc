import Foundation
import GRDB
import KeywardTestSupport
import Testing

/// A folder with a whole Keyward setup for the queue commands: keyward.yaml
/// (store and key under var/), an `hr` sql connector on var/hr.db (a real
/// SQLite table, PBKDF2 with few iterations so tests run fast), its script,
/// and people.csv.
struct QueueFixture {
    let scratch: Scratch

    /// The people in people.csv.
    static let people = ["ada", "alan", "grace"]

    init(
        operations: String = "initialize, change, reset, unlock",
        retry: String = "{ maxAttempts: 3, backoff: fixed, delay: 0s, maxDelay: 0s }",
        extraConnectors: [String: String] = [:]
    ) throws {
        scratch = try Scratch()
        try scratch.write("keyward.yaml", Self.mainConfiguration)
        try scratch.write("connectors/hr.yaml", Self.hrConnector(operations: operations, retry: retry))
        for (name, text) in extraConnectors {
            try scratch.write("connectors/\(name).yaml", text)
        }
        try scratch.write("scripts/pw.lua", "if attributeValue == nil then return nil end\nreturn attributeValue\n")
        try scratch.write("scripts/broken.lua", "if attributeValue == nil then return nil end\nerror(\"the script gives up\")\nreturn nil\n")
        try scratch.write(
            "people.csv",
            """
            username,givenName,familyName,email,department
            ada,Ada,Lovelace,ada@example.com,Engineering
            alan,Alan,Turing,alan@example.com,Engineering
            grace,Grace,Hopper,grace@example.com,Operations

            """)
        try scratch.makeFolder("var")
        try Self.createTargetTable(at: hrPath)
    }

    var url: URL { scratch.url }
    var hrPath: String { url.appendingPathComponent("var/hr.db").path }
    var storePath: String { url.appendingPathComponent("var/keyward.db").path }

    /// Runs `keyward arguments…` in the folder.
    func run(_ arguments: String..., stdin: String? = nil, environment: [String: String] = [:]) throws -> CommandResult {
        try scratch.run(arguments: arguments, stdin: stdin.map { Data($0.utf8) }, environment: environment)
    }

    /// keygen and import: ready for requests.
    func prepare() throws {
        let keygen = try run("keygen")
        #expect(keygen.status == 0, "\(keygen)")
        let imported = try run("identity", "import", "people.csv")
        #expect(imported.status == 0, "\(imported)")
    }

    static let mainConfiguration = """
        version: 2
        store: sqlite:var/keyward.db
        keyFile: var/keyward.key
        defaults:
          generate: generated
          validate: [chosen]
        policies:
          generated:
            minLength: 20
            classes: { upper: { min: 2 }, lower: { min: 2 }, digit: { min: 2 } }
            generate: characters
          chosen:
            minLength: 12
            dictionary: true

        """

    static func hrConnector(operations: String, retry: String) -> String {
        """
        type: sql
        connection:
          url: sqlite:var/hr.db
          table: employees
          keyColumn: login
          passwordColumn: password_hash
          passwordStorage: pbkdf2-sha256
          pbkdf2Iterations: 1000
          lockedColumn: locked
          mustChangeColumn: must_change
          operations: \(operations)
        retry: \(retry)
        mapping:
          attributes:
            - { name: login, source: username, uid: true }
            - { name: first_name, source: givenName }
            - { name: email, source: email }
            - { name: __PASSWORD__, password: true, transform: scripts/pw.lua }

        """
    }

    /// The target application's table, with a log of every insert (a
    /// trigger) so that a test can count how often each row was created.
    static func createTargetTable(at path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE employees (
                        login TEXT PRIMARY KEY, first_name TEXT, email TEXT, password_hash TEXT,
                        locked INTEGER NOT NULL DEFAULT 0, must_change INTEGER NOT NULL DEFAULT 0);
                    CREATE TABLE inserts (login TEXT NOT NULL);
                    CREATE TRIGGER employees_inserted AFTER INSERT ON employees
                    BEGIN INSERT INTO inserts (login) VALUES (new.login); END;
                    """)
        }
    }

    /// Adds a second password column, `pin_hash`, to the target table.
    static func addPinColumn(at path: String) throws {
        try DatabaseQueue(path: path).write { db in try db.execute(sql: "ALTER TABLE employees ADD COLUMN pin_hash TEXT") }
    }

    /// One value from the target table.
    func hr<T: DatabaseValueConvertible>(_ sql: String) throws -> T? {
        try Self.open(hrPath).read { db in try T.fetchOne(db, sql: sql) }
    }

    /// One value from Keyward's store (read directly, as an auditor would).
    func store<T: DatabaseValueConvertible>(_ sql: String) throws -> T? {
        try Self.open(storePath).read { db in try T.fetchOne(db, sql: sql) }
    }

    /// A connection that waits for a worker's write to end, as Keyward's own do.
    static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Every file under the folder, with its bytes.
    func allFiles() throws -> [(path: String, bytes: Data)] {
        var files: [(String, Data)] = []
        let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey])
        while let file = enumerator?.nextObject() as? URL {
            guard (try file.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            files.append((file.path, try Data(contentsOf: file)))
        }
        return files
    }
}
