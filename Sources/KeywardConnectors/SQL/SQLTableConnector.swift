import Foundation
import GRDB
public import KeywardCore

/// The `sql` connector: accounts are rows of one table in an SQLite file,
/// keyed by ``SQLTableSettings/keyColumn``, with the password hashed into
/// ``SQLTableSettings/passwordColumn`` as
/// ``SQLTableSettings/passwordStorage`` says.
///
/// Attribute names are column names, except `__PASSWORD__`, which goes to
/// the password column. Other password attributes arrive already
/// transformed by their scripts and are stored as they are. A read never
/// returns the password column or a password attribute's column.
///
/// The file is opened once, on first use, without changing its journal mode
/// (it belongs to an application); writes take the lock at once
/// (`BEGIN IMMEDIATE`) and wait up to five seconds for another writer.
public struct SQLTableConnector: Connector {
    /// The system's definition, as configured.
    public let definition: ConnectorDefinition
    /// The settings read from the definition.
    public let settings: SQLTableSettings

    let database: LazyDatabase
    /// Lowercased names of the columns that hold passwords: never read back.
    let secretColumns: Set<String>

    /// The password operations the table supports (`operations`).
    public var capabilities: Set<PasswordOperation> { settings.operations }

    /// Legacy password storage, ignored settings.
    public var warnings: [String] { settings.warnings }

    /// Reads the settings and checks the database file exists (it is opened on first use).
    /// - Throws: ``ConnectorError/Kind/configuration`` for a wrong setting or
    ///   a database file that does not exist; ``ConnectorError/Kind/unreachable``
    ///   when the file cannot be opened.
    public init(definition: ConnectorDefinition, environment: ConnectorEnvironment) throws(ConnectorError) {
        try self.init(definition: definition, environment: environment, busyTimeout: 5)
    }

    /// Tests shorten `busyTimeout`, the seconds a statement waits for
    /// another connection's lock.
    init(definition: ConnectorDefinition, environment: ConnectorEnvironment, busyTimeout: Double) throws(ConnectorError) {
        let settings = try SQLTableSettings(definition: definition, environment: environment)
        self.definition = definition
        self.settings = settings

        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: settings.databasePath, isDirectory: &isDirectory),
            !isDirectory.boolValue
        else {
            throw ConnectorError(
                .configuration,
                "system '\(definition.name)' (\(definition.location)): the database file \(settings.databasePath) "
                    + "does not exist; create it or fix connection key 'url'")
        }

        var configuration = Configuration()
        configuration.label = "keyward.sql.\(definition.name)"
        configuration.busyMode = .timeout(busyTimeout)
        configuration.prepareDatabase { db in
            // Overwrite deleted content (old hashes, legacy cleartext) with
            // zeroes instead of leaving it in free pages of the file.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        database = LazyDatabase(path: settings.databasePath, configuration: configuration)

        secretColumns = try SQLTableLayout(definition: definition).secretColumns(of: definition)
    }

    /// Registers this connector for definitions with `type: sql`.
    public static func register(in registry: inout ConnectorRegistry) {
        registry.register(type: "sql") { definition, environment throws(ConnectorError) in
            try SQLTableConnector(definition: definition, environment: environment)
        }
    }

    /// The table's columns as attributes: the key column required and not
    /// updatable, the password column as `__PASSWORD__`, password
    /// attributes' columns as unreadable secrets, the flag columns as
    /// booleans.
    public func schema() async throws(ConnectorError) -> [AttributeSchema] {
        let columns = try await read { db in try self.columns(db) }
        return columns.map(schema(of:))
    }

    /// Checks that the table exists with the configured columns and a column
    /// for every mapped attribute.
    public func test() async throws(ConnectorError) {
        let columns = try await read { db in try self.columns(db) }
        let names = Set(columns.map { $0.name.lowercased() })
        try SQLTableLayout(definition: definition).checkColumns(of: definition) { names.contains($0.lowercased()) }
    }

    /// Reads the row of `uid`: every column but the password column and the
    /// columns of password attributes, and the flag columns as booleans.
    public func get(uid: String) async throws(ConnectorError) -> AccountSnapshot {
        let values = try await read { db -> [String: DatabaseValue]? in
            let readable = try self.columns(db).map(\.name).filter { !self.secretColumns.contains($0.lowercased()) }
            let sql = "SELECT \(readable.map(SQLIdentifier.quoted).joined(separator: ", ")) FROM \(self.quotedTable) "
                + "WHERE \(SQLIdentifier.quoted(self.settings.keyColumn)) = ? LIMIT 1"
            guard let row = try Row.fetchOne(db, sql: sql, arguments: [uid]) else { return nil }
            var values: [String: DatabaseValue] = [:]
            for (column, value) in row { values[column] = value }
            return values
        }
        guard let values else { throw notFound(uid) }

        var attributes: [String: String] = [:]
        for (column, value) in values {
            switch value.storage {
            case .string(let text): attributes[column] = text
            case .int64(let number): attributes[column] = String(number)
            case .double(let number): attributes[column] = String(number)
            case .null, .blob: break
            }
        }
        func flag(_ column: String?) -> Bool? {
            guard let column, let value = values.first(where: { $0.key.lowercased() == column.lowercased() })?.value
            else { return nil }
            return Int64.fromDatabaseValue(value).map { $0 != 0 }
        }
        return AccountSnapshot(
            uid: uid, attributes: attributes, locked: flag(settings.lockedColumn),
            mustChange: flag(settings.mustChangeColumn))
    }

    private func schema(of column: ColumnInfo) -> AttributeSchema {
        let name = column.name.lowercased()
        if name == settings.passwordColumn.lowercased() { return .password }
        if secretColumns.contains(name) {
            return AttributeSchema(name: column.name, type: .guardedString, readable: false, returnedByDefault: false)
        }
        if name == settings.keyColumn.lowercased() {
            return AttributeSchema(name: column.name, type: type(of: column), updatable: false, required: true)
        }
        if name == settings.lockedColumn?.lowercased() || name == settings.mustChangeColumn?.lowercased() {
            return AttributeSchema(name: column.name, type: .boolean)
        }
        let generated = column.primaryKeyIndex > 0 && column.type.uppercased() == "INTEGER"
        let required = column.isNotNull && column.defaultValueSQL == nil && !generated
        return AttributeSchema(name: column.name, type: type(of: column), required: required)
    }

    /// The type SQLite's affinity rules give a declared column type.
    private func type(of column: ColumnInfo) -> AttributeSchema.ValueType {
        let declared = column.type.uppercased()
        if declared.contains("INT") { return .integer }
        if declared.contains("CHAR") || declared.contains("CLOB") || declared.contains("TEXT") { return .string }
        if declared.contains("BLOB") { return .binary }
        return .string
    }
}
