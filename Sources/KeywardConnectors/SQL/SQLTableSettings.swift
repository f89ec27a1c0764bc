public import KeywardCore

/// The settings of an `sql` system, read from its definition's `connection`
/// block and checked: the database, the table, its columns, and how the
/// password is stored.
///
/// Every key holds plain text; a secret reference where plain text is
/// expected is a configuration error. Table and column names must be plain
/// identifiers (`^[A-Za-z_][A-Za-z0-9_]*$`): they are double-quoted into
/// SQL, and values are only ever bound as parameters.
public struct SQLTableSettings: Sendable, Equatable {
    /// The SQLite file, resolved against the environment's directory.
    public let databasePath: String
    /// The accounts table.
    public let table: String
    /// The column that holds the uid.
    public let keyColumn: String
    /// The column `__PASSWORD__` is stored in.
    public let passwordColumn: String
    /// An integer column, 1 when the account is locked.
    public let lockedColumn: String?
    /// An integer column, 1 when the password must change at next login.
    public let mustChangeColumn: String?
    /// How `__PASSWORD__` is stored.
    public let passwordStorage: PasswordHashing
    /// The password operations the table supports.
    public let operations: Set<PasswordOperation>
    /// Things that work but should change, one sentence each (a legacy
    /// password storage, a setting SQLite ignores).
    public let warnings: [String]

    /// The keys this connector reads.
    static let knownKeys: Set<String> = [
        "url", "table", "keyColumn", "passwordColumn", "lockedColumn", "mustChangeColumn",
        "passwordStorage", "bcryptCost", "pbkdf2Iterations", "operations",
    ]

    /// Reads and checks the settings of `definition`.
    /// - Throws: ``ConnectorError/Kind/configuration`` naming the system, the
    ///   key and the definition's location.
    public init(definition: ConnectorDefinition, environment: ConnectorEnvironment) throws(ConnectorError) {
        let reader = ConnectionReader(definition: definition)

        databasePath = environment.path(try reader.sqlitePath())
        let layout = try SQLTableLayout(definition: definition)
        table = layout.table
        keyColumn = layout.keyColumn
        passwordColumn = layout.passwordColumn
        lockedColumn = layout.lockedColumn
        mustChangeColumn = layout.mustChangeColumn
        operations = layout.operations
        passwordStorage = try reader.passwordStorage()

        var warnings: [String] = []
        let system = "system '\(definition.name)'"
        if let warning = passwordStorage.legacyWarning(system: system) { warnings.append(warning) }
        for key in ["username", "password"] where definition.connection[key] != nil {
            warnings.append("\(system): SQLite has no users, so connection key '\(key)' is ignored")
        }
        self.warnings = warnings
    }
}

/// The sql connector's own settings.
extension ConnectionReader {
    func identifier(_ key: String, required: Bool = false) throws(ConnectorError) -> String? {
        guard let name = try plain(key) else {
            if required { throw error(key, "is required") }
            return nil
        }
        guard SQLIdentifier.isValid(name) else {
            throw error(key, "must be a plain name (letters, digits and _, not starting with a digit), not '\(name)'")
        }
        return name
    }

    func sqlitePath() throws(ConnectorError) -> String {
        guard let url = try plain("url") else { throw error("url", "is required: sqlite:PATH") }
        let lowered = url.lowercased()
        if lowered.hasPrefix("postgres:") || lowered.hasPrefix("postgresql:") {
            throw error("url", "is a PostgreSQL URL, which this connector cannot open (KeywardPostgres's can); use sqlite:PATH")
        }
        guard lowered.hasPrefix("sqlite:") else {
            throw error("url", "must be sqlite:PATH (a path relative to keyward.yaml's folder, or absolute)")
        }
        let path = String(url.dropFirst("sqlite:".count))
        if path.hasPrefix("//") {
            throw error("url", "must be sqlite:PATH without '//' (sqlite:data/app.db or sqlite:/var/lib/app.db)")
        }
        if path.isEmpty { throw error("url", "has no path: sqlite:PATH") }
        return path
    }

    func passwordStorage() throws(ConnectorError) -> PasswordHashing {
        let cost = try integer("bcryptCost", in: PasswordHashing.bcryptCosts) ?? 12
        let iterations = try integer(
            "pbkdf2Iterations", in: PasswordHashing.minimumPBKDF2Iterations...Int(UInt32.max)) ?? 600_000
        switch try plain("passwordStorage") ?? "bcrypt" {
        case "bcrypt": return .bcrypt(cost: cost)
        case "pbkdf2-sha256": return .pbkdf2SHA256(iterations: iterations)
        case "sha256-hex": return .sha256Hex
        case "cleartext": return .cleartext
        case "pgcrypto-bcrypt":
            throw error("passwordStorage", "is pgcrypto-bcrypt, which hashes in PostgreSQL: use it with a postgres:// url, or bcrypt here")
        case let other:
            throw error("passwordStorage", "must be bcrypt, pbkdf2-sha256, sha256-hex or cleartext (or pgcrypto-bcrypt on PostgreSQL), not '\(other)'")
        }
    }

    func operations(hasLockedColumn: Bool) throws(ConnectorError) -> Set<PasswordOperation> {
        guard let text = try plain("operations") else {
            return hasLockedColumn ? Set(PasswordOperation.allCases) : [.initialize, .change, .reset]
        }
        var operations: Set<PasswordOperation> = []
        for word in text.split(separator: ",") {
            let name = String(word).trimmingWhitespace
            if name.isEmpty { continue }
            guard let operation = PasswordOperation(rawValue: name) else {
                throw error("operations", "lists '\(name)'; the operations are initialize, change, reset and unlock")
            }
            operations.insert(operation)
        }
        if operations.isEmpty { throw error("operations", "lists no operation") }
        if operations.contains(.unlock) && !hasLockedColumn {
            throw error("operations", "lists unlock, which needs lockedColumn")
        }
        return operations
    }
}

/// Table and column names that are safe to double-quote into SQL.
public enum SQLIdentifier {
    /// Whether `name` matches `^[A-Za-z_][A-Za-z0-9_]*$`.
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isLetter($0) || (0x30...0x39).contains($0) }
    }

    /// `name` in double quotes, any double quote in it doubled (names read
    /// from the table itself need not be valid).
    public static func quoted(_ name: String) -> String { "\"" + name.replacing("\"", with: "\"\"") + "\"" }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
