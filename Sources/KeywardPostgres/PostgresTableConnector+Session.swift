import KeywardConnectors
import KeywardCore
import PostgresNIO

/// One column of the table, from PostgreSQL's catalog.
struct PostgresTableColumn: Sendable {
    /// The column's name.
    let name: String
    /// Its type's name (`int4`, `bool`, `varchar`, …).
    let type: String
    /// Whether it is NOT NULL.
    let isNotNull: Bool
    /// Whether the server fills it when an insert leaves it out (a
    /// default, an identity, a generated column).
    let hasDefault: Bool
}

extension PostgresTableConnector {
    /// Runs `body` on a pooled session, outside a transaction.
    /// - Throws: what ``explain(_:columns:)`` makes of a failure.
    func session<Result: Sendable>(
        columns: [String] = [], _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws(ConnectorError) -> Result {
        do {
            return try await pool.withConnection(body)
        } catch {
            throw await explain(error, columns: columns)
        }
    }

    /// Runs `body` in one transaction on a pooled session; an error rolls
    /// everything back. `columns` are those the statements name, for the
    /// message when one of them does not exist.
    func transaction<Result: Sendable>(
        columns: [String], _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws(ConnectorError) -> Result {
        let logger = logger
        return try await session(columns: columns) { connection in
            _ = try await connection.query("BEGIN", logger: logger).collect()
            do {
                let result = try await body(connection)
                _ = try await connection.query("COMMIT", logger: logger).collect()
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger).collect()
                throw error
            }
        }
    }

    /// The table's columns, in order.
    /// - Throws: ``ConnectorError/Kind/configuration`` when the table does not exist.
    func catalog() async throws(ConnectorError) -> [PostgresTableColumn] {
        let table = settings.layout.table
        let logger = logger
        let found = try await session { connection in try await Self.columns(of: table, on: connection, logger: logger) }
        guard let found else { throw tableMissing }
        return found
    }

    /// The columns of `table` (found as the session's search path finds
    /// it), nil when there is no such table.
    static func columns(
        of table: String, on connection: PostgresConnection, logger: Logger
    ) async throws -> [PostgresTableColumn]? {
        let rows = try await connection.query(
            """
            SELECT r.oid IS NOT NULL, a.attname::text, t.typname::text, a.attnotnull,
                   a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> ''
            FROM (SELECT to_regclass(\(quoted(table))) AS oid) r
            LEFT JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
            LEFT JOIN pg_type t ON t.oid = a.atttypid
            ORDER BY a.attnum
            """, logger: logger
        ).collect()
        let decoded = try rows.map { try $0.decode((Bool, String?, String?, Bool?, Bool?).self) }
        guard let first = decoded.first, first.0 else { return nil }
        return decoded.compactMap { _, name, type, isNotNull, hasDefault in
            guard let name, let type else { return nil }
            return PostgresTableColumn(
                name: name, type: type, isNotNull: isNotNull ?? false, hasDefault: hasDefault ?? false)
        }
    }

    /// `error` as a connector error; a missing table, a missing one of
    /// `columns`, or missing pgcrypto functions get their own message.
    func explain(_ error: any Error, columns: [String]) async -> ConnectorError {
        switch PostgresTableFailure.sqlState(of: error) {
        case "42P01":
            return tableMissing
        case "42703":
            if let missing = await missingColumn(among: columns) { return missing }
        case "42883":
            if case .pgcryptoBcrypt = settings.passwordStorage { return pgcryptoMissing }
        default:
            break
        }
        return failure.connectorError(for: error)
    }

    /// The error for the first of `columns` the table lacks, if the catalog says so.
    private func missingColumn(among columns: [String]) async -> ConnectorError? {
        guard let existing = try? await catalog().map(\.name) else { return nil }
        return columns.first { !existing.contains($0) }.map(columnMissing)
    }

    /// The error for a column the table does not have.
    func columnMissing(_ name: String) -> ConnectorError {
        ConnectorError(
            .configuration,
            "column '\(name)' does not exist in table \(settings.layout.table) of system '\(definition.name)'")
    }

    /// The error for a table the database does not have.
    var tableMissing: ConnectorError {
        ConnectorError(
            .configuration,
            "table \(settings.layout.table) does not exist in \(settings.access.endpoint.label) for user "
                + "'\(settings.access.endpoint.user)' (system '\(definition.name)', \(definition.location)); "
                + "names are case-sensitive on PostgreSQL")
    }

    /// The error for pgcrypto-bcrypt without pgcrypto.
    var pgcryptoMissing: ConnectorError {
        ConnectorError(
            .configuration,
            "system '\(definition.name)' (\(definition.location)) has passwordStorage pgcrypto-bcrypt, but "
                + "\(settings.access.endpoint.label) has no pgcrypto: run CREATE EXTENSION pgcrypto there "
                + "(or choose passwordStorage bcrypt)")
    }

    /// The error for a uid that has no row.
    func notFound(_ uid: String) -> ConnectorError {
        ConnectorError(
            .notFound, "no account with key '\(uid)' in table \(settings.layout.table) of system '\(definition.name)'")
    }
}
