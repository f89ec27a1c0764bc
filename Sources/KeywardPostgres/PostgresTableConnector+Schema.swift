import KeywardConnectors
import KeywardCore

extension PostgresTableConnector {
    /// The attribute `column` is: the password, a secret, the key, a flag,
    /// or a plain column, required when it is NOT NULL without a default.
    func schema(of column: PostgresTableColumn) -> AttributeSchema {
        let layout = settings.layout
        if column.name == layout.passwordColumn { return .password }
        if secretColumns.contains(column.name.lowercased()) {
            return AttributeSchema(name: column.name, type: .guardedString, readable: false, returnedByDefault: false)
        }
        if column.name == layout.keyColumn {
            return AttributeSchema(name: column.name, type: Self.type(of: column), updatable: false, required: true)
        }
        if column.name == layout.lockedColumn || column.name == layout.mustChangeColumn {
            return AttributeSchema(name: column.name, type: .boolean)
        }
        return AttributeSchema(
            name: column.name, type: Self.type(of: column), required: column.isNotNull && !column.hasDefault)
    }

    /// The attribute type of a PostgreSQL column type: whole numbers,
    /// booleans and bytes as such, everything else as text.
    static func type(of column: PostgresTableColumn) -> AttributeSchema.ValueType {
        switch column.type {
        case "int2", "int4", "int8": .integer
        case "bool": .boolean
        case "bytea": .binary
        default: .string
        }
    }
}
