import Foundation
public import KeywardConnectors
public import KeywardCore
public import Logging
import PostgresNIO

/// The `sql` connector on PostgreSQL: accounts are rows of one table in a
/// target application's own database, keyed by the key column, with the
/// password hashed into the password column: by pgcrypto in the database
/// (`passwordStorage: pgcrypto-bcrypt`) or by Keyward, as the SQLite
/// connector does. Same settings, same behaviour, same errors; chosen when
/// `url` is `postgres://USER@HOST:PORT/DATABASE?sslmode=…&sslrootcert=…`.
///
/// Names are used exactly as written (double-quoted: on PostgreSQL they
/// are case-sensitive, and a table created without quotes has lowercase
/// names). Plain values are bound as parameters of no declared type, so a
/// flag column may be an integer or a boolean. Secrets (passwords, their
/// hashes, secret attributes) are never bound: they go by COPY
/// (``PostgresTableSecrets``), out of reach of the server's statement log.
///
/// Sessions come from a pool opened on first use (``PostgresTablePool``);
/// each write is one transaction, and a change locks the row
/// (`SELECT … FOR UPDATE`) between checking the current password and
/// writing the new one.
public struct PostgresTableConnector: Connector {
    /// The system's definition, as configured.
    public let definition: ConnectorDefinition
    /// The settings read from the definition.
    public let settings: PostgresTableSettings

    let pool: PostgresTablePool
    let failure: PostgresTableFailure
    /// postgres-nio's logger: never below info, whose lines print protocol messages.
    let logger: Logger
    /// Lowercased names of the columns that hold passwords: never read back.
    let secretColumns: Set<String>

    /// The password operations the table supports (`operations`).
    public var capabilities: Set<PasswordOperation> { settings.layout.operations }

    /// TLS that is off or unverified, legacy password storage.
    public var warnings: [String] { settings.warnings }

    /// Reads the settings; connects on first use. The database password
    /// comes from `password: ${env:…}`/`${file:…}`, else `PGPASSWORD`, else
    /// a `.pgpass` line; postgres-nio's background lines (at info and
    /// above) go to `logger`.
    /// - Throws: ``ConnectorError/Kind/configuration`` for a wrong setting.
    public init(
        definition: ConnectorDefinition, environment: ConnectorEnvironment, logger: Logger = silentLogger
    ) throws(ConnectorError) {
        try self.init(
            definition: definition, environment: environment, logger: logger,
            processEnvironment: ProcessInfo.processInfo.environment)
    }

    /// Tests give the process environment (`PGPASSWORD`, `PGPASSFILE`, `HOME`).
    init(
        definition: ConnectorDefinition, environment: ConnectorEnvironment, logger: Logger,
        processEnvironment: [String: String]
    ) throws(ConnectorError) {
        settings = try PostgresTableSettings(
            definition: definition, environment: environment, processEnvironment: processEnvironment)
        self.definition = definition
        var logger = logger
        logger.logLevel = max(logger.logLevel, .info)
        self.logger = logger
        pool = PostgresTablePool(access: settings.access, logger: logger)
        let endpoint = settings.access.endpoint
        failure = PostgresTableFailure(system: "system '\(definition.name)'", database: endpoint.label, user: endpoint.user)
        secretColumns = settings.layout.secretColumns(of: definition)
    }

    /// A logger that drops everything.
    public static let silentLogger = Logger(label: "keyward.sql.postgres") { _ in SwiftLogNoOpLogHandler() }

    /// Registers the `sql` type: PostgreSQL for a `postgres://` (or
    /// `postgresql://`) url, the SQLite connector for anything else.
    /// Replaces ``SQLTableConnector/register(in:)``.
    public static func register(in registry: inout ConnectorRegistry, logger: Logger = silentLogger) {
        registry.register(type: "sql") { definition, environment throws(ConnectorError) -> any Connector in
            if case .plain(let url) = definition.connection["url"], PostgresTableEndpoint.isPostgres(url) {
                return try PostgresTableConnector(definition: definition, environment: environment, logger: logger)
            }
            return try SQLTableConnector(definition: definition, environment: environment)
        }
    }

    /// The table's columns as attributes: the key column required and not
    /// updatable, the password column as `__PASSWORD__`, password
    /// attributes' columns as unreadable secrets, the flag columns as booleans.
    public func schema() async throws(ConnectorError) -> [AttributeSchema] {
        try await catalog().map(schema(of:))
    }

    /// Checks that the table exists with the configured columns and a
    /// column for every mapped attribute, and, for pgcrypto-bcrypt, that
    /// pgcrypto's functions are there.
    public func test() async throws(ConnectorError) {
        let names = Set(try await catalog().map(\.name))
        try settings.layout.checkColumns(of: definition) { names.contains($0) }
        if case .pgcryptoBcrypt = settings.passwordStorage {
            let present = try await session { connection in
                let rows = try await connection.query(
                    "SELECT to_regprocedure('crypt(text,text)') IS NOT NULL AND to_regprocedure('gen_salt(text,integer)') IS NOT NULL",
                    logger: logger
                ).collect()
                return try rows.first?.decode(Bool.self) ?? false
            }
            if !present { throw pgcryptoMissing }
        }
    }

    /// Reads the row of `uid`: every column but the password column and the
    /// columns of password attributes (as text), and the flag columns as booleans.
    public func get(uid: String) async throws(ConnectorError) -> AccountSnapshot {
        let readable = try await catalog().map(\.name).filter { !secretColumns.contains($0.lowercased()) }
        var statement = PostgresTableStatement("SELECT ")
        statement.append(readable.map { "\(Self.quoted($0))::text" }.joined(separator: ", "))
        statement.append(" FROM \(quotedTable) WHERE \(Self.quoted(settings.layout.keyColumn)) = ")
        statement.append(statement.bind(uid) + " LIMIT 1")
        let query = statement.query
        let values = try await session { connection -> [String: String?]? in
            guard let row = try await connection.query(query, logger: logger).collect().first else { return nil }
            var values: [String: String?] = [:]
            for (name, cell) in zip(readable, row) { values[name] = try cell.decode(String?.self) }
            return values
        }
        guard let values else { throw notFound(uid) }
        func flag(_ column: String?) -> Bool? {
            guard let column, case .some(.some(let text)) = values[column] else { return nil }
            return Self.flag(text)
        }
        return AccountSnapshot(
            uid: uid, attributes: values.compactMapValues { $0 }, locked: flag(settings.layout.lockedColumn),
            mustChange: flag(settings.layout.mustChangeColumn))
    }

    /// A flag column's text as a boolean: a whole number is true unless
    /// 0 (as in SQLite), a boolean as PostgreSQL writes it.
    static func flag(_ text: String) -> Bool? {
        if let number = Int(text) { return number != 0 }
        switch text.lowercased() {
        case "t", "true", "y", "yes", "on": return true
        case "f", "false", "n", "no", "off": return false
        default: return nil
        }
    }

    /// `name`, quoted.
    static func quoted(_ name: String) -> String { PostgresTableStatement.quoted(name) }

    /// The table's name, quoted.
    var quotedTable: String { Self.quoted(settings.layout.table) }
}
