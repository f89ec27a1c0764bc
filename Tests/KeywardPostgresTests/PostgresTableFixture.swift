import Foundation
import KeywardConnectors
import KeywardCore
import KeywardQueueTestSupport
import KeywardTestSupport
import Logging
import Testing

@testable import KeywardPostgres

/// A fresh database on a test PostgreSQL (the shared one, or a server of
/// the test's own) holding a `people` table, and definitions of the `hr`
/// system on it. `must_change` is a boolean and `locked` an integer, so
/// both kinds of flag column are used.
struct PostgresTableFixture: ConnectorTestFixture {
    let server: PostgresServer
    let database: PostgresDatabase

    static let location = SourceLocation(file: "connectors/hr.yaml", line: 3, column: 1)
    static let table = """
        CREATE TABLE people(
            username text PRIMARY KEY, given_name text, email text UNIQUE, password text,
            locked integer NOT NULL DEFAULT 0, must_change boolean NOT NULL DEFAULT false)
        """

    /// A database on `server` (the shared one when nil), with pgcrypto and the table unless told otherwise.
    init(server: PostgresServer? = nil, pgcrypto: Bool = true, createTable: Bool = true) throws {
        self.server = try server ?? PostgresServer.shared()
        database = try self.server.makeDatabase()
        if pgcrypto { try execute("CREATE EXTENSION pgcrypto") }
        if createTable { try execute(Self.table) }
    }

    static let mapping: [AttributeMapping] = [
        AttributeMapping(name: "username", source: .identity("username"), isUID: true, location: location),
        AttributeMapping(name: "given_name", source: .identity("givenName"), location: location),
        AttributeMapping(name: "email", source: .identity("email"), location: location),
        AttributeMapping(name: AttributeSchema.passwordName, isPassword: true, location: location),
    ]

    /// The `hr` system on this database: verified TLS, the password as a
    /// reference, the flag columns, pgcrypto-bcrypt at cost 4; `overrides`
    /// applied (a nil value removes the key).
    func definition(
        _ overrides: [String: ConnectionValue?] = [:], attributes: [AttributeMapping] = Self.mapping
    ) -> ConnectorDefinition {
        var connection: [String: ConnectionValue] = [
            "url": .plain(database.url + "&connect_timeout=10"), "password": .environment("KEYWARD_TEST_PG_PASSWORD"),
            "table": .plain("people"), "lockedColumn": .plain("locked"), "mustChangeColumn": .plain("must_change"),
            "passwordStorage": .plain("pgcrypto-bcrypt"), "bcryptCost": .plain("4"),
        ]
        for (key, value) in overrides { connection[key] = value }
        return ConnectorDefinition(
            name: "hr", type: "sql", connection: connection, attributes: attributes, location: Self.location)
    }

    /// An environment whose `password` reference is `password`.
    static func environment(password: String?) -> ConnectorEnvironment {
        ConnectorEnvironment(directory: "/") { key in key == "password" ? password.map(GuardedString.init) : nil }
    }

    /// A connector on this database, with the database password given
    /// (wrong ones too) and nothing from the process environment.
    func connector(
        _ overrides: [String: ConnectionValue?] = [:], password: String? = nil, logger: Logger = PostgresTableConnector.silentLogger
    ) throws -> PostgresTableConnector {
        try PostgresTableConnector(
            definition: definition(overrides), environment: Self.environment(password: password ?? database.password),
            logger: logger, processEnvironment: [:])
    }

    /// The connection keys that choose `storage`.
    static func storage(_ storage: PostgresTablePasswordStorage) -> [String: ConnectionValue?] {
        switch storage {
        case .pgcryptoBcrypt(let cost): ["passwordStorage": .plain("pgcrypto-bcrypt"), "bcryptCost": .plain(String(cost))]
        case .keyward(.bcrypt(let cost)): ["passwordStorage": .plain("bcrypt"), "bcryptCost": .plain(String(cost))]
        case .keyward(.pbkdf2SHA256(let iterations)):
            ["passwordStorage": .plain("pbkdf2-sha256"), "pbkdf2Iterations": .plain(String(iterations))]
        case .keyward(.sha256Hex): ["passwordStorage": .plain("sha256-hex")]
        case .keyward(.cleartext): ["passwordStorage": .plain("cleartext")]
        }
    }

    /// Runs `sql` with psql in this database; its unaligned output.
    @discardableResult
    func execute(_ sql: String) throws -> String {
        try server.psql(sql, database: database.name).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// One column of one row, read past the connector (nil for no row or NULL).
    func value(_ column: String, of username: String) throws -> String? {
        let rows = try execute("SELECT coalesce(\(column)::text, '<null>') FROM people WHERE username = '\(username)'")
        return rows.isEmpty || rows == "<null>" ? nil : rows
    }

    /// Whether the stored password of `username` is `password`, asked of
    /// pgcrypto (`password = crypt('…', password)`; never with a canary:
    /// the statement goes to the server's log).
    func cryptVerifies(_ username: String, _ password: String) throws -> Bool {
        try execute("SELECT password = crypt('\(password)', password) FROM people WHERE username = '\(username)'") == "t"
    }

    /// jdoe's attributes and `password`.
    static func jdoe(password secret: String = "Initial#1") -> [ConnectorAttribute] {
        [plain("username", "jdoe"), plain("given_name", "John"), plain("email", "jdoe@example.com"), password(secret)]
    }

    static func plain(_ name: String, _ value: String?) -> ConnectorAttribute {
        ConnectorAttribute(name: name, value: value.map { .plain($0) })
    }
}
