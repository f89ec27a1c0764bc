public import Foundation

/// One stored value, as it moves between engines: what SQLite and
/// PostgreSQL columns hold, without either's types.
public enum StoreValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    /// Sealed secrets and hashes: ciphertext, never a password in the clear.
    case blob(Data)
}

/// A page of one table's rows, columns named, for copying a store to
/// another engine (`keyward store migrate`).
public struct StoreRowPage: Sendable {
    /// The table.
    public var table: String
    /// The columns, in the order of each row's values.
    public var columns: [String]
    /// The rows.
    public var rows: [[StoreValue]]

    /// Creates a page.
    public init(table: String, columns: [String], rows: [[StoreValue]]) {
        self.table = table
        self.columns = columns
        self.rows = rows
    }
}

/// The tables a store copy carries, parents before children. Every id is
/// kept: a sealed secret is bound to its row's id, so it opens only there.
public let storeTransferTables = [
    "identities", "accounts", "operations", "secrets", "audit", "set_password_tokens", "api_tokens",
    "notification_outbox",
]

/// A store whose every row can be read out, page by page, to be copied
/// into a store on another engine.
public protocol StoreExporting: Sendable {
    /// Calls `receive` with the rows of `table`, in pages of at most
    /// `pageSize`, in the order of their ids, all from one consistent
    /// snapshot of the store.
    func export(
        tables: [String], pageSize: Int, into receive: @Sendable (StoreRowPage) async throws -> Void
    ) async throws
}

/// A store that can take a whole copy of another: every table at once,
/// into an empty store, all or nothing.
public protocol StoreImporting: Sendable {
    /// How many rows each of `tables` holds now.
    func rowCounts(tables: [String]) async throws -> [String: Int]

    /// Copies what `source` exports into this store in one transaction,
    /// ids kept and id sequences moved past them. Refused (`.invalidState`)
    /// unless every table is empty; on any failure nothing is kept.
    /// Returns the rows copied, by table.
    func importAll(from source: any StoreExporting, tables: [String], pageSize: Int) async throws -> [String: Int]
}
