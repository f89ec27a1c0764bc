import GRDB
import GRDBSQLite
import KeywardCore

/// A value bound into a statement. Values are always parameters, never SQL
/// text.
enum SQLValue: Sendable {
    /// NULL.
    case null
    /// Text that is not secret (a plain attribute, a hash).
    case text(String)
    /// An integer (a flag column).
    case integer(Int)
    /// A secret's bytes, stored as TEXT without ever becoming a Swift
    /// `String` or a `Data`.
    case secret(GuardedString)

    /// Runs `sql` with `values` for its `?` parameters, in order.
    ///
    /// GRDB binds the non-secret values. Each secret is copied into a
    /// buffer this function owns and bound with `sqlite3_bind_text` and
    /// `SQLITE_STATIC`, so SQLite reads it in place; the bindings are
    /// cleared and the buffers wiped before this returns.
    static func execute(_ sql: String, _ values: [SQLValue], in db: Database) throws {
        let statement = try db.makeStatement(sql: sql)
        var arguments: [(any DatabaseValueConvertible)?] = []
        var secrets: [(index: Int32, count: Int, buffer: UnsafeMutableRawBufferPointer)] = []
        defer {
            sqlite3_clear_bindings(statement.sqliteStatement)
            for secret in secrets {
                SecureMemory.zero(secret.buffer)
                secret.buffer.deallocate()
            }
        }
        for (offset, value) in values.enumerated() {
            switch value {
            case .null:
                arguments.append(nil)
            case .text(let text):
                arguments.append(text)
            case .integer(let number):
                arguments.append(number)
            case .secret(let secret):
                arguments.append(nil)
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(secret.count, 1), alignment: 1)
                buffer.initializeMemory(as: UInt8.self, repeating: 0)
                secret.withUnsafeBytes { buffer.copyMemory(from: $0) }
                secrets.append((Int32(offset + 1), secret.count, buffer))
            }
        }
        // GRDB binds the other values (NULL where a secret goes) and clears
        // earlier bindings; then the secrets are bound over their NULLs.
        // `execute()` without arguments only resets, so the bindings stay.
        statement.setUncheckedArguments(StatementArguments(arguments))
        for secret in secrets {
            let code = sqlite3_bind_text(
                statement.sqliteStatement, secret.index, secret.buffer.baseAddress?.assumingMemoryBound(to: CChar.self),
                Int32(secret.count), nil)
            if code != SQLITE_OK { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
        }
        try statement.execute()
    }
}
