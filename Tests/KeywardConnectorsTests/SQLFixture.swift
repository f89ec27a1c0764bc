import Foundation
import GRDB
import KeywardConnectors
import KeywardCore

/// A temporary folder holding `hr.db` with a `people` table, removed when
/// released, and definitions of the `hr` system on it.
final class SQLFolder {
    let url: URL

    static let location = SourceLocation(file: "connectors/hr.yaml", line: 3, column: 1)
    static let table = """
        CREATE TABLE people(
            username TEXT PRIMARY KEY, given_name TEXT, email TEXT, password TEXT,
            locked INTEGER NOT NULL DEFAULT 0, must_change INTEGER NOT NULL DEFAULT 0)
        """

    /// The database file's path.
    var databasePath: String { url.appendingPathComponent("hr.db").path }

    init(createTable: Bool = true) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-sql-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let queue = try DatabaseQueue(path: databasePath)
        if createTable { try queue.write { db in try db.execute(sql: Self.table) } }
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    var environment: ConnectorEnvironment { ConnectorEnvironment(directory: url.path) }

    /// The `hr` system: `url`, `table`, the flag columns and bcrypt cost 4,
    /// with `overrides` applied (a nil value removes the key).
    static func definition(
        _ overrides: [String: ConnectionValue?] = [:],
        attributes: [AttributeMapping] = SQLFolder.mapping
    ) -> ConnectorDefinition {
        var connection: [String: ConnectionValue] = [
            "url": .plain("sqlite:hr.db"), "table": .plain("people"),
            "lockedColumn": .plain("locked"), "mustChangeColumn": .plain("must_change"),
            "passwordStorage": .plain("bcrypt"), "bcryptCost": .plain("4"),
        ]
        for (key, value) in overrides { connection[key] = value }
        return ConnectorDefinition(
            name: "hr", type: "sql", connection: connection, attributes: attributes, location: location)
    }

    static let mapping: [AttributeMapping] = [
        AttributeMapping(name: "username", source: .identity("username"), isUID: true, location: location),
        AttributeMapping(name: "given_name", source: .identity("givenName"), location: location),
        AttributeMapping(name: "email", source: .identity("email"), location: location),
        AttributeMapping(name: AttributeSchema.passwordName, isPassword: true, location: location),
    ]

    /// A connector on this folder's file.
    func connector(_ overrides: [String: ConnectionValue?] = [:]) throws -> SQLTableConnector {
        try SQLTableConnector(definition: Self.definition(overrides), environment: environment)
    }

    /// A connector whose password storage is `storage`.
    func connector(storage: PasswordHashing) throws -> SQLTableConnector {
        switch storage {
        case .cleartext: try connector(["passwordStorage": .plain("cleartext")])
        case .sha256Hex: try connector(["passwordStorage": .plain("sha256-hex")])
        case .bcrypt(let cost): try connector(["bcryptCost": .plain(String(cost))])
        case .pbkdf2SHA256(let iterations):
            try connector(["passwordStorage": .plain("pbkdf2-sha256"), "pbkdf2Iterations": .plain(String(iterations))])
        }
    }

    /// One column of one row, read past the connector.
    func value(_ column: String, of username: String) throws -> String? {
        try DatabaseQueue(path: databasePath).read { db in
            try String.fetchOne(db, sql: "SELECT \(column) FROM people WHERE username = ?", arguments: [username])
        }
    }

    /// Runs `sql` past the connector.
    func execute(_ sql: String) throws {
        try DatabaseQueue(path: databasePath).write { db in try db.execute(sql: sql) }
    }

    /// The bytes of every file in the folder (the database, any journal).
    func allBytes() throws -> [[UInt8]] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).map { name in
            Array(try Data(contentsOf: url.appendingPathComponent(name)))
        }
    }
}

/// Attributes for the connector's calls.
enum Attributes {
    static func plain(_ name: String, _ value: String?) -> ConnectorAttribute {
        ConnectorAttribute(name: name, value: value.map { .plain($0) })
    }

    static func password(_ secret: String) -> ConnectorAttribute {
        ConnectorAttribute(name: AttributeSchema.passwordName, value: .secret(GuardedString(secret)))
    }

    /// jdoe's attributes and `password`.
    static func jdoe(password secret: String = "Initial#1") -> [ConnectorAttribute] {
        [
            plain("username", "jdoe"), plain("given_name", "John"), plain("email", "jdoe@example.com"),
            password(secret),
        ]
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in these bytes.
    func contains(bytes needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        return (0...(count - needle.count)).contains { start in self[start..<(start + needle.count)].elementsEqual(needle) }
    }
}
