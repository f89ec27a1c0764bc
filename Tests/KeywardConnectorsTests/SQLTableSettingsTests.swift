import Foundation
import KeywardConnectors
import KeywardCore
import KeywardTestSupport
import Testing

/// Reading an `sql` system's connection settings, and every way they can be wrong.
@Suite("SQL: settings", .offThePool)
struct SQLTableSettingsTests {
    static let environment = ConnectorEnvironment(directory: "/srv/keyward")

    static func settings(_ overrides: [String: ConnectionValue?]) throws(ConnectorError) -> SQLTableSettings {
        try SQLTableSettings(definition: SQLFolder.definition(overrides), environment: environment)
    }

    @Test func theDefaultsComeFromTheMapping() throws {
        let settings = try Self.settings([
            "lockedColumn": nil, "mustChangeColumn": nil, "passwordStorage": nil, "bcryptCost": nil,
        ])
        #expect(settings.databasePath == "/srv/keyward/hr.db")
        #expect(settings.table == "people")
        #expect(settings.keyColumn == "username")
        #expect(settings.passwordColumn == "password")
        #expect(settings.lockedColumn == nil)
        #expect(settings.mustChangeColumn == nil)
        #expect(settings.passwordStorage == .bcrypt(cost: 12))
        #expect(settings.operations == [.initialize, .change, .reset])
        #expect(settings.warnings.isEmpty)
    }

    @Test func everySettingIsRead() throws {
        let settings = try Self.settings([
            "url": .plain("sqlite:/var/lib/app/app.db"), "keyColumn": .plain("login"),
            "passwordColumn": .plain("pw_hash"), "passwordStorage": .plain("pbkdf2-sha256"),
            "pbkdf2Iterations": .plain("310000"), "operations": .plain(" reset, unlock ,change"),
        ])
        #expect(settings.databasePath == "/var/lib/app/app.db")
        #expect(settings.keyColumn == "login")
        #expect(settings.passwordColumn == "pw_hash")
        #expect(settings.lockedColumn == "locked")
        #expect(settings.mustChangeColumn == "must_change")
        #expect(settings.passwordStorage == .pbkdf2SHA256(iterations: 310_000))
        #expect(settings.operations == [.reset, .unlock, .change])
        #expect(try Self.settings([:]).operations == Set(PasswordOperation.allCases))
        #expect(try Self.settings(["bcryptCost": .plain("31")]).passwordStorage == .bcrypt(cost: 31))
    }

    static let mistakes: [(key: String, overrides: [String: ConnectionValue?], says: String)] = [
        ("url", ["url": nil], "is required"),
        ("url", ["url": .plain("postgres://db.example.com/hr")], "is a PostgreSQL URL, which this connector cannot open"),
        ("url", ["url": .plain("postgresql://db/hr")], "use sqlite:PATH"),
        ("passwordStorage", ["passwordStorage": .plain("pgcrypto-bcrypt")], "use it with a postgres:// url"),
        ("url", ["url": .plain("mysql://db/hr")], "must be sqlite:PATH"),
        ("url", ["url": .plain("sqlite:")], "has no path"),
        ("url", ["url": .plain("sqlite://hr.db")], "without '//'"),
        ("url", ["url": .environment("HR_URL")], "not a secret reference"),
        ("table", ["table": nil], "is required"),
        ("table", ["table": .plain("people; DROP TABLE people")], "must be a plain name"),
        ("table", ["table": .file("/run/secrets/table")], "not a secret reference"),
        ("keyColumn", ["keyColumn": .plain("user name")], "must be a plain name"),
        ("passwordColumn", ["passwordColumn": .plain("1password")], "must be a plain name"),
        ("lockedColumn", ["lockedColumn": .plain("locked\"")], "must be a plain name"),
        ("mustChangeColumn", ["mustChangeColumn": .plain("")], "must be a plain name"),
        ("passwordStorage", ["passwordStorage": .plain("md5")], "must be bcrypt, pbkdf2-sha256, sha256-hex or cleartext"),
        ("bcryptCost", ["bcryptCost": .plain("3")], "from 4 to 31"),
        ("bcryptCost", ["bcryptCost": .plain("32")], "from 4 to 31"),
        ("bcryptCost", ["bcryptCost": .plain("twelve")], "from 4 to 31"),
        ("pbkdf2Iterations", ["pbkdf2Iterations": .plain("999")], "of at least 1000"),
        ("operations", ["operations": .plain("reset, rename")], "lists 'rename'"),
        ("operations", ["operations": .plain(" , ")], "lists no operation"),
        ("operations", ["operations": .plain("reset,unlock"), "lockedColumn": nil], "lists unlock, which needs lockedColumn"),
    ]

    @Test(arguments: mistakes)
    func aMistakeNamesTheSystemKeyAndPlace(key: String, overrides: [String: ConnectionValue?], says: String) {
        let error = #expect(throws: ConnectorError.self) { try Self.settings(overrides) }
        #expect(error?.kind == .configuration)
        let message = error?.message ?? ""
        #expect(message.contains("system 'hr'"), "\(message)")
        #expect(message.contains("connection key '\(key)'"), "\(message)")
        #expect(message.contains("connectors/hr.yaml:3:1"), "\(message)")
        #expect(message.contains(says), "\(message)")
    }

    @Test func aKeyColumnIsNeededWhenNoAttributeIsTheUID() {
        let attributes = SQLFolder.mapping.map { mapping in
            var mapping = mapping
            mapping.isUID = false
            return mapping
        }
        let error = #expect(throws: ConnectorError.self) {
            try SQLTableSettings(definition: SQLFolder.definition(attributes: attributes), environment: Self.environment)
        }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("connection key 'keyColumn' is not set") == true)
    }

    @Test func legacyStorageAndIgnoredKeysWarn() throws {
        let cleartext = try Self.settings(["passwordStorage": .plain("cleartext")])
        #expect(cleartext.passwordStorage == .cleartext)
        #expect(cleartext.warnings == [
            "system 'hr': passwordStorage cleartext keeps passwords readable in the table; use bcrypt or pbkdf2-sha256"
        ])
        let sha = try Self.settings(["passwordStorage": .plain("sha256-hex")])
        #expect(sha.passwordStorage == .sha256Hex)
        #expect(sha.warnings.count == 1 && sha.warnings[0].contains("unsalted legacy hash"))
        let users = try Self.settings(["username": .plain("app"), "password": .environment("HR_DB_PASSWORD")])
        #expect(users.warnings == [
            "system 'hr': SQLite has no users, so connection key 'username' is ignored",
            "system 'hr': SQLite has no users, so connection key 'password' is ignored",
        ])
    }

    @Test func theRegistryMakesSQLConnectors() throws {
        var registry = ConnectorRegistry()
        SQLTableConnector.register(in: &registry)
        #expect(registry.types == ["sql"])
        let folder = try SQLFolder()
        let connector = try registry.connector(for: SQLFolder.definition(), environment: folder.environment)
        #expect(connector is SQLTableConnector)
        #expect(connector.capabilities == Set(PasswordOperation.allCases))
        #expect(connector.definition.name == "hr")
    }

    @Test func aMissingDatabaseFileIsAConfigurationError() throws {
        let folder = try SQLFolder()
        let error = #expect(throws: ConnectorError.self) { try folder.connector(["url": .plain("sqlite:missing.db")]) }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("\(folder.url.path)/missing.db does not exist") == true)
        #expect(error?.message.contains("system 'hr' (connectors/hr.yaml:3:1)") == true)
    }
}
