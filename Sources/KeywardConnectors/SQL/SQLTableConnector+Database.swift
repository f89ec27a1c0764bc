import GRDB
import KeywardCore

extension SQLTableConnector {
    /// The table's name, quoted for SQL.
    var quotedTable: String { SQLIdentifier.quoted(settings.table) }

    /// Runs `body` on the database outside any write transaction.
    func read<Result: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> Result
    ) async throws(ConnectorError) -> Result {
        do {
            return try await database.queue().read(body)
        } catch {
            throw Self.error(for: error, system: definition.name, path: settings.databasePath)
        }
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction, so that a read
    /// followed by a write cannot be overtaken by another writer; an error
    /// rolls everything back.
    func write<Result: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> Result
    ) async throws(ConnectorError) -> Result {
        do {
            return try await database.queue().writeWithoutTransaction { db in
                var result: Result?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch {
            throw Self.error(for: error, system: definition.name, path: settings.databasePath)
        }
    }

    /// The table's columns.
    /// - Throws: ``ConnectorError/Kind/configuration`` when the table does not exist.
    func columns(_ db: Database) throws -> [ColumnInfo] {
        guard try db.tableExists(settings.table) else {
            throw ConnectorError(
                .configuration,
                "table \(settings.table) does not exist in \(settings.databasePath) "
                    + "(system '\(definition.name)', \(definition.location))")
        }
        return try db.columns(in: settings.table)
    }

    /// Checks that every column in `names` exists in the table.
    func checkColumns(_ names: some Sequence<String>, _ db: Database) throws {
        let existing = Set(try columns(db).map { $0.name.lowercased() })
        for name in names where !existing.contains(name.lowercased()) {
            throw ConnectorError(
                .configuration,
                "column '\(name)' does not exist in table \(settings.table) of system '\(definition.name)'")
        }
    }

    /// The error for a uid that has no row.
    func notFound(_ uid: String) -> ConnectorError {
        ConnectorError(.notFound, "no account with key '\(uid)' in table \(settings.table) of system '\(definition.name)'")
    }

    /// `error` as a ``ConnectorError``. SQLite's own message is kept (it
    /// names tables, columns and constraints, never a bound value); the
    /// statement and its arguments are not.
    static func error(for error: any Error, system: String, path: String) -> ConnectorError {
        if let error = error as? ConnectorError { return error }
        guard let error = error as? DatabaseError else {
            if error is CancellationError { return ConnectorError(.failed, "system '\(system)': the operation was cancelled") }
            return ConnectorError(.failed, "system '\(system)': the database call failed (\(type(of: error)))")
        }
        let detail = error.message ?? "SQLite result code \(error.extendedResultCode.rawValue)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return ConnectorError(
                .timedOut, "system '\(system)': \(path) stayed locked by another connection; try again later (\(detail))")
        case .SQLITE_CANTOPEN, .SQLITE_IOERR:
            return ConnectorError(.unreachable, "system '\(system)': cannot open or read \(path) (\(detail))")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return ConnectorError(.permissionDenied, "system '\(system)': \(path) may not be written (\(detail))")
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return ConnectorError(.configuration, "system '\(system)': \(path) is not a usable SQLite database (\(detail))")
        default:
            return ConnectorError(.failed, "system '\(system)': SQLite refused the statement (\(detail))")
        }
    }
}
