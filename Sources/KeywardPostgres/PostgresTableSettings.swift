import Foundation
public import KeywardConnectors
import KeywardCore

/// How `__PASSWORD__` is stored in a table on PostgreSQL.
public enum PostgresTablePasswordStorage: Sendable, Hashable, CustomStringConvertible {
    /// bcrypt computed in the database by pgcrypto:
    /// `crypt(password, gen_salt('bf', cost))`, checked with
    /// `column = crypt(password, column)`.
    case pgcryptoBcrypt(cost: Int)
    /// Hashed by Keyward, as the SQLite connector does.
    case keyward(PasswordHashing)

    /// The storage as a configuration names it.
    public var description: String {
        switch self {
        case .pgcryptoBcrypt(let cost): "pgcrypto-bcrypt (cost \(cost))"
        case .keyward(let hashing): hashing.description
        }
    }
}

/// The settings of an `sql` system whose `url` is a PostgreSQL one: the
/// table part as for SQLite (``SQLTableLayout``), the password storage
/// (with `pgcrypto-bcrypt` besides SQLite's), and where the database is.
public struct PostgresTableSettings: Sendable {
    /// The table, its columns and operations.
    public let layout: SQLTableLayout
    /// How `__PASSWORD__` is stored.
    public let passwordStorage: PostgresTablePasswordStorage
    /// Things that work but should change (plaintext or unverified TLS,
    /// legacy password storage), one sentence each.
    public let warnings: [String]
    /// Where the database is and how to log in.
    let access: PostgresTableAccess

    /// Reads and checks the settings of `definition`; the password comes
    /// from `password`, else `PGPASSWORD`/`PGPASSFILE`/`HOME` in
    /// `processEnvironment`.
    /// - Throws: ``ConnectorError/Kind/configuration`` naming the system,
    ///   the key and the definition's location.
    init(
        definition: ConnectorDefinition, environment: ConnectorEnvironment, processEnvironment: [String: String]
    ) throws(ConnectorError) {
        let reader = ConnectionReader(definition: definition)
        let endpoint = try PostgresTableEndpoint(reader: reader, environment: environment)
        layout = try SQLTableLayout(definition: definition)
        if try reader.plain("passwordStorage") == "pgcrypto-bcrypt" {
            passwordStorage = .pgcryptoBcrypt(cost: try reader.integer("bcryptCost", in: PasswordHashing.bcryptCosts) ?? 12)
        } else {
            passwordStorage = .keyward(try PasswordHashing(definition: definition))
        }
        let password = try PostgresTablePassword.find(
            for: endpoint, reader: reader, environment: environment, processEnvironment: processEnvironment)
        access = try PostgresTableAccess(endpoint: endpoint, password: password, reader: reader)

        let system = "system '\(definition.name)'"
        var warnings = endpoint.warnings(system: system)
        if case .keyward(let hashing) = passwordStorage, let warning = hashing.legacyWarning(system: system) {
            warnings.append(warning)
        }
        self.warnings = warnings
    }
}
