import KeywardConnectors
import KeywardCore
import NIOCore
import PostgresNIO

/// One SQL statement being built: its text, with `$n` for each bound
/// value, and the bound values. Names are quoted (``SQLIdentifier``);
/// values are bound, never written into the text; secrets are neither:
/// they go by ``PostgresTableSecrets`` and the text only names their slot.
struct PostgresTableStatement: Sendable {
    /// The SQL text.
    private(set) var sql: String
    private var bindings = PostgresBindings()

    /// A statement starting with `sql`.
    init(_ sql: String = "") {
        self.sql = sql
    }

    /// Appends SQL text.
    mutating func append(_ text: String) {
        sql += text
    }

    /// Binds `text` as a value of no declared type, as a quoted literal
    /// would be: PostgreSQL reads it as the type its place needs (`'1'`
    /// is 1 for an integer column, true for a boolean one); returns its `$n`.
    mutating func bind(_ text: String) -> String {
        bindings.append(UntypedText(text: text))
        return "$\(bindings.count)"
    }

    /// `name`, quoted.
    static func quoted(_ name: String) -> String { SQLIdentifier.quoted(name) }

    /// The statement for postgres-nio.
    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: bindings) }
}

/// Text bound with type OID 0 (unspecified), so the server infers the type.
private struct UntypedText: PostgresNonThrowingEncodable, PostgresDynamicTypeEncodable {
    let text: String

    static var psqlType: PostgresDataType { .null }
    static var psqlFormat: PostgresFormat { .text }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeString(text)
    }
}
