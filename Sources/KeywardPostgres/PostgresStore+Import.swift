import Foundation
public import KeywardStore
import NIOCore
import PostgresNIO

/// Taking a whole copy of another store (`keyward store migrate --to`):
/// every table in one transaction, ids kept (a sealed secret opens only on
/// the row it was sealed for), values converted to the column types this
/// schema uses, id sequences moved past the copied rows.
extension PostgresStore: StoreImporting {
    public func rowCounts(tables: [String]) async throws -> [String: Int] {
        try await transaction { connection in
            var counts: [String: Int] = [:]
            for table in tables {
                let rows = try await connection.run(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(Self.quoted(table))"))
                counts[table] = Int(try rows.first?.decode(Int64.self) ?? 0)
            }
            return counts
        }
    }

    public func importAll(from source: any StoreExporting, tables: [String], pageSize: Int) async throws -> [String: Int] {
        let logger = driverLogger
        do {
            return try await client.withConnection { connection in
                try await connection.withTransaction(logger: logger) { connection in
                    // No other writer while the copy runs: a node started
                    // meanwhile waits rather than queue into a half copy.
                    for table in tables {
                        _ = try await connection.run(PostgresQuery(unsafeSQL: "LOCK TABLE \(Self.quoted(table)) IN EXCLUSIVE MODE"))
                    }
                    for table in tables {
                        let rows = try await connection.run(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(Self.quoted(table)) LIMIT 1"))
                        guard rows.isEmpty else {
                            throw StoreError(
                                .invalidState,
                                "the PostgreSQL store is not empty (table \(table) has rows); migrate into a new, empty database")
                        }
                    }
                    let types = try await Self.columnTypes(connection)
                    let copied = CopiedRows()
                    try await source.export(tables: tables, pageSize: pageSize) { page in
                        try await Self.insert(page, types: types, connection)
                        await copied.add(page.rows.count, to: page.table)
                    }
                    for table in tables where types[table]?["id"] != nil { try await Self.advanceSequence(of: table, connection) }
                    return await copied.counts
                }
            }
        } catch let error as StoreError {
            throw error
        } catch let error as PostgresTransactionError {
            throw (error.closureError as? StoreError) ?? PostgresStoreErrors.map(error, settings)
        } catch {
            throw PostgresStoreErrors.map(error, settings)
        }
    }

    /// Every column's type, by table and column.
    private static func columnTypes(_ connection: PostgresConnection) async throws -> [String: [String: String]] {
        let rows = try await connection.run("""
            SELECT table_name, column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema()
            """)
        var types: [String: [String: String]] = [:]
        for row in rows {
            let (table, column, type) = try row.decode((String, String, String).self)
            types[table, default: [:]][column] = type
        }
        return types
    }

    /// Inserts one page with one multi-row statement, every value bound.
    private static func insert(_ page: StoreRowPage, types: [String: [String: String]], _ connection: PostgresConnection) async throws {
        guard !page.rows.isEmpty else { return }
        guard let columns = types[page.table] else {
            throw StoreError(.invalidState, "the PostgreSQL store has no table \(page.table); is it from an older Keyward?")
        }
        let columnTypes = try page.columns.map { name in
            guard let type = columns[name] else {
                throw StoreError(
                    .invalidState,
                    "column \(name) of table \(page.table) does not exist in the PostgreSQL store; upgrade Keyward where the copy runs")
            }
            return type
        }
        var bindings = PostgresBindings(capacity: page.rows.count * page.columns.count)
        var tuples: [String] = []
        var number = 0
        for row in page.rows {
            var placeholders: [String] = []
            for (offset, value) in row.enumerated() {
                try bind(value, as: columnTypes[offset], table: page.table, column: page.columns[offset], into: &bindings)
                number += 1
                placeholders.append("$\(number)")
            }
            tuples.append("(" + placeholders.joined(separator: ", ") + ")")
        }
        let list = page.columns.map(quoted).joined(separator: ", ")
        _ = try await connection.run(
            PostgresQuery(unsafeSQL: "INSERT INTO \(quoted(page.table)) (\(list)) VALUES \(tuples.joined(separator: ", "))", binds: bindings))
    }

    /// Binds `value` as the column's type: SQLite's 0/1 as a boolean, its
    /// whole numbers as doubles where the column holds times.
    private static func bind(
        _ value: StoreValue, as type: String, table: String, column: String, into bindings: inout PostgresBindings
    ) throws {
        switch (value, type) {
        case (.null, _): bindings.appendNull()
        case (.integer(let number), "boolean"): bindings.append(number != 0)
        case (.integer(let number), "bigint"), (.integer(let number), "integer"): bindings.append(number)
        case (.integer(let number), "double precision"): bindings.append(Double(number))
        case (.real(let number), "double precision"): bindings.append(number)
        case (.text(let text), "text"): bindings.append(text)
        case (.blob(let data), "bytea"): bindings.append(ByteBuffer(bytes: data))
        case (.text(let text), "bytea"): bindings.append(ByteBuffer(bytes: Array(text.utf8)))
        default:
            throw StoreError(.invalidState, "column \(column) of table \(table) holds a value PostgreSQL's \(type) column cannot take")
        }
    }

    /// Moves the id sequence of a table with an `id` column, if it has one, past its copied rows.
    private static func advanceSequence(of table: String, _ connection: PostgresConnection) async throws {
        let sequence = try await connection.run("SELECT pg_get_serial_sequence(\(quoted(table)), 'id')")
        guard let name = try sequence.first?.decode(String?.self) else { return }
        _ = try await connection.run(
            PostgresQuery(unsafeSQL: "SELECT setval($1, COALESCE((SELECT max(id) FROM \(quoted(table))), 0) + 1, false)", binds: {
                var bindings = PostgresBindings()
                bindings.append(name)
                return bindings
            }()))
    }

    private static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Rows copied so far, by table.
private actor CopiedRows {
    private(set) var counts: [String: Int] = [:]

    func add(_ count: Int, to table: String) {
        counts[table, default: 0] += count
    }
}
