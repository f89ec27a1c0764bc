public import KeywardCore

/// The table part of an `sql` system's settings, whatever database holds
/// the table: the table, its key, password and flag columns, and the
/// operations it supports. ``SQLTableSettings`` (SQLite) and the PostgreSQL
/// table connector read it alike, so both take the same keys and say the
/// same things about them.
///
/// Names must be plain identifiers (``SQLIdentifier/isValid(_:)``): they are
/// double-quoted into SQL; values are only ever bound.
public struct SQLTableLayout: Sendable, Equatable {
    /// The accounts table.
    public let table: String
    /// The column that holds the uid.
    public let keyColumn: String
    /// The column `__PASSWORD__` is stored in.
    public let passwordColumn: String
    /// A column that is 1 (or true) when the account is locked.
    public let lockedColumn: String?
    /// A column that is 1 (or true) when the password must change at next login.
    public let mustChangeColumn: String?
    /// The password operations the table supports.
    public let operations: Set<PasswordOperation>

    /// Reads `table`, `keyColumn` (default: the uid attribute), `passwordColumn`
    /// (default `password`), `lockedColumn`, `mustChangeColumn` and `operations`.
    /// - Throws: ``ConnectorError/Kind/configuration`` naming the system, the
    ///   key and the definition's location.
    public init(definition: ConnectorDefinition) throws(ConnectorError) {
        let reader = ConnectionReader(definition: definition)
        table = try reader.identifier("table", required: true) ?? ""
        guard let key = try reader.identifier("keyColumn") ?? definition.uidAttribute?.name else {
            throw reader.error("keyColumn", "is not set and no mapped attribute has uid: true; set one of them")
        }
        guard SQLIdentifier.isValid(key) else {
            throw reader.error("keyColumn", "defaults to the uid attribute '\(key)', which is not a plain column name; set keyColumn")
        }
        keyColumn = key
        passwordColumn = try reader.identifier("passwordColumn") ?? "password"
        lockedColumn = try reader.identifier("lockedColumn")
        mustChangeColumn = try reader.identifier("mustChangeColumn")
        operations = try reader.operations(hasLockedColumn: lockedColumn != nil)
    }

    /// Checks that the table has the configured columns and a column for
    /// every mapped attribute of `definition`; `has` says whether it has a
    /// column of a name (as the database compares names).
    /// - Throws: ``ConnectorError/Kind/configuration`` naming the first
    ///   missing column and the key or attribute that wants it.
    public func checkColumns(of definition: ConnectorDefinition, has: (String) -> Bool) throws(ConnectorError) {
        let configured: [(key: String, column: String?)] = [
            ("keyColumn", keyColumn), ("passwordColumn", passwordColumn),
            ("lockedColumn", lockedColumn), ("mustChangeColumn", mustChangeColumn),
        ]
        for (key, column) in configured {
            if let column, !has(column) {
                throw ConnectorError(
                    .configuration,
                    "column '\(column)' (connection key '\(key)') does not exist in table \(table) "
                        + "of system '\(definition.name)'")
            }
        }
        for attribute in definition.attributes where attribute.name != AttributeSchema.passwordName {
            if !has(attribute.name) {
                throw ConnectorError(
                    .configuration,
                    "mapped attribute '\(attribute.name)' (\(attribute.location)) has no column in table "
                        + "\(table) of system '\(definition.name)'")
            }
        }
    }

    /// Lowercased names of the columns that hold passwords, never read
    /// back: the password column and the columns of `definition`'s other
    /// password attributes.
    public func secretColumns(of definition: ConnectorDefinition) -> Set<String> {
        var columns: Set<String> = [passwordColumn.lowercased()]
        for attribute in definition.passwordAttributes where attribute.name != AttributeSchema.passwordName {
            columns.insert(attribute.name.lowercased())
        }
        return columns
    }
}

extension PasswordHashing {
    /// Reads `passwordStorage` (default bcrypt), `bcryptCost` (default 12)
    /// and `pbkdf2Iterations` (default 600 000) of `definition`.
    /// - Throws: ``ConnectorError/Kind/configuration`` naming the key.
    public init(definition: ConnectorDefinition) throws(ConnectorError) {
        self = try ConnectionReader(definition: definition).passwordStorage()
    }

    /// The start-up warning a legacy storage deserves (`system` names the
    /// system), nil for bcrypt and PBKDF2.
    public func legacyWarning(system: String) -> String? {
        switch self {
        case .cleartext:
            "\(system): passwordStorage cleartext keeps passwords readable in the table; use bcrypt or pbkdf2-sha256"
        case .sha256Hex:
            "\(system): passwordStorage sha256-hex is an unsalted legacy hash that is cheap to crack; "
                + "use bcrypt or pbkdf2-sha256"
        case .bcrypt, .pbkdf2SHA256:
            nil
        }
    }
}
