import Foundation
import GRDB

/// Reading the whole store out, for `keyward store migrate`: each table in
/// pages by rowid, every page from one snapshot of the file, so requests
/// that arrive meanwhile are either wholly in the copy or wholly out.
extension SQLiteStore: StoreExporting {
    public func export(
        tables: [String], pageSize: Int, into receive: @Sendable (StoreRowPage) async throws -> Void
    ) async throws {
        let snapshot = try pool.makeSnapshot()
        for table in tables {
            guard storeTransferTables.contains(table) else {
                throw StoreError(.notFound, "the store has no table '\(table)' to copy")
            }
            var after: Int64 = .min
            while true {
                let start = after
                let (columns, rows, last) = try await snapshot.read { db in
                    try Self.page(of: table, after: start, limit: max(1, pageSize), db)
                }
                guard let last else { break }
                try await receive(StoreRowPage(table: table, columns: columns, rows: rows))
                after = last
            }
        }
    }

    /// Up to `limit` rows of `table` after rowid `after`: the columns, the
    /// rows, and the last rowid (nil when there were none).
    private static func page(
        of table: String, after: Int64, limit: Int, _ db: Database
    ) throws -> ([String], [[StoreValue]], Int64?) {
        let columns = try db.columns(in: table).map(\.name)
        let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let rows = try Row.fetchAll(
            db, sql: "SELECT rowid AS keyward_rowid, \(list) FROM \"\(table)\" WHERE rowid > ? ORDER BY rowid LIMIT ?",
            arguments: [after, limit])
        let values = rows.map { row in columns.indices.map { Self.value(row[$0 + 1] as DatabaseValue) } }
        return (columns, values, rows.last.map { $0[0] as Int64 })
    }

    private static func value(_ value: DatabaseValue) -> StoreValue {
        switch value.storage {
        case .null: .null
        case .int64(let number): .integer(number)
        case .double(let number): .real(number)
        case .string(let text): .text(text)
        case .blob(let data): .blob(data)
        }
    }
}
