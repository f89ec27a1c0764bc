import KeywardConnectors
import KeywardCore
import Logging
import NIOCore
import PostgresNIO

/// The secrets of one transaction (passwords, their hashes, secret
/// attributes), sent to the session by `COPY … FROM STDIN` into a
/// temporary table that empties itself at the end of the transaction;
/// statements read them from there by slot.
///
/// Not as bound parameters: a server that logs statements
/// (`log_statement`, `log_min_duration_statement`,
/// `log_parameter_max_length…`, `auto_explain`) writes bound values into
/// its log, and `pg_stat_activity` can show them. COPY's data is never
/// logged, nor shown; the temporary table is not WAL-logged and lives in
/// the session's memory.
struct PostgresTableSecrets: Sendable {
    /// The temporary table, one per session.
    static let table = "keyward_secret"

    private var values: [GuardedString] = []

    /// Whether there is nothing to send.
    var isEmpty: Bool { values.isEmpty }

    /// Adds `secret`; returns the SQL expression that reads it back (text).
    /// - Throws: ``ConnectorError/Kind/policyRejected`` for bytes PostgreSQL
    ///   text cannot hold (a NUL, invalid UTF-8): refused here, because the
    ///   server's error would quote them.
    mutating func add(_ secret: GuardedString) throws(ConnectorError) -> String {
        guard secret.withUnsafeBytes(Self.isText) else {
            throw ConnectorError(
                .policyRejected, "the value holds a NUL byte or is not UTF-8 text, which a PostgreSQL text column cannot store")
        }
        values.append(secret)
        return "(SELECT value FROM pg_temp.\(Self.table) WHERE slot = \(values.count))"
    }

    /// Whether `bytes` are UTF-8 without a NUL, checked in place.
    static func isText(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar) where scalar.value != 0: continue
            case .emptyInput: return true
            case .scalarValue, .error: return false
            }
        }
    }

    /// Makes the temporary table if this session has none, and copies the
    /// secrets into it. Call inside the transaction that reads them.
    func send(on connection: PostgresConnection, logger: Logger) async throws {
        guard !values.isEmpty else { return }
        _ = try await connection.query(
            """
            DO $$ BEGIN
              IF to_regclass('pg_temp.\(unescaped: Self.table)') IS NULL THEN
                CREATE TEMPORARY TABLE \(unescaped: Self.table) (slot integer PRIMARY KEY, value text NOT NULL)
                  ON COMMIT DELETE ROWS;
              END IF;
            END $$
            """, logger: logger)
        var data = copyData()
        defer { Self.wipe(&data) }
        try await connection.copyFrom(table: Self.table, columns: ["slot", "value"], logger: logger) { writer in
            try await writer.write(data)
        }
    }

    /// The rows in COPY's text format (`slot<TAB>value<LF>`, `\`, tab, CR
    /// and LF escaped), in a buffer of exactly the right size, so that no
    /// copy is left behind by growing it.
    private func copyData() -> ByteBuffer {
        let escaped: (UInt8) -> UInt8? = { byte in
            switch byte {
            case UInt8(ascii: "\\"): UInt8(ascii: "\\")
            case UInt8(ascii: "\t"): UInt8(ascii: "t")
            case UInt8(ascii: "\n"): UInt8(ascii: "n")
            case UInt8(ascii: "\r"): UInt8(ascii: "r")
            default: nil
            }
        }
        var size = 0
        for (index, value) in values.enumerated() {
            size += String(index + 1).utf8.count + 2
            size += value.withUnsafeBytes { bytes in bytes.reduce(0) { $0 + (escaped($1) == nil ? 1 : 2) } }
        }
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        for (index, value) in values.enumerated() {
            buffer.writeString(String(index + 1))
            buffer.writeInteger(UInt8(ascii: "\t"))
            value.withUnsafeBytes { bytes in
                for byte in bytes {
                    if let code = escaped(byte) {
                        buffer.writeInteger(UInt8(ascii: "\\"))
                        buffer.writeInteger(code)
                    } else {
                        buffer.writeInteger(byte)
                    }
                }
            }
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
        return buffer
    }

    /// Zeroes the storage of `buffer` in place, even where postgres-nio
    /// still holds a reference to it (it has copied the bytes into its own
    /// message by then): writing through the buffer's API would copy it first.
    static func wipe(_ buffer: inout ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            SecureMemory.zero(UnsafeMutableRawBufferPointer(mutating: bytes))
        }
    }
}
