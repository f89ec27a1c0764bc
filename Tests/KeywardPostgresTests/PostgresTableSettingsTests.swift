import Foundation
import KeywardConnectors
import KeywardCore
import KeywardTestSupport
import Testing

@testable import KeywardPostgres

/// Reading an `sql` system's settings when its url is PostgreSQL's, and
/// where the database password comes from. No server needed.
@Suite("PostgresTable: settings", .offThePool)
struct PostgresTableSettingsTests {
    static let location = SourceLocation(file: "connectors/hr.yaml", line: 3, column: 1)

    static func definition(_ overrides: [String: ConnectionValue?]) -> ConnectorDefinition {
        var connection: [String: ConnectionValue] = [
            "url": .plain("postgres://app@db.example.com:6432/hr?sslrootcert=certs/ca.pem"),
            "table": .plain("people"), "passwordStorage": .plain("pgcrypto-bcrypt"),
        ]
        for (key, value) in overrides { connection[key] = value }
        return ConnectorDefinition(
            name: "hr", type: "sql", connection: connection, attributes: PostgresTableFixture.mapping, location: location)
    }

    static func settings(
        _ overrides: [String: ConnectionValue?], password: String? = "from-reference", process: [String: String] = [:]
    ) throws(ConnectorError) -> PostgresTableSettings {
        try PostgresTableSettings(
            definition: definition(overrides),
            environment: ConnectorEnvironment(directory: Self.certificates.path) { key in
                key == "password" ? password.map(GuardedString.init) : nil
            },
            processEnvironment: process)
    }

    /// A folder with a CA in `certs/ca.pem`, removed when the test process exits.
    static let certificates: URL = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-pgtable-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder.appendingPathComponent("certs"), withIntermediateDirectories: true)
        try? TestCertificates.authority(in: folder.path + "/certs", name: "ca", commonName: "Keyward PostgresTable Test CA")
        atexit { try? FileManager.default.removeItem(at: PostgresTableSettingsTests.certificates) }
        return folder
    }()

    @Test func theURLGivesTheServerTheDatabaseAndVerifiedTLS() throws {
        let settings = try Self.settings([:])
        let endpoint = settings.access.endpoint
        #expect(endpoint.host == "db.example.com" && endpoint.port == 6432)
        #expect(endpoint.database == "hr" && endpoint.user == "app")
        #expect(endpoint.tlsMode == .verifyFull)
        #expect(endpoint.rootCertificates == Self.certificates.path + "/certs/ca.pem")
        #expect(endpoint.connectTimeout == .seconds(10))
        #expect(settings.access.tls != nil && settings.access.tlsContext != nil)
        #expect(settings.passwordStorage == .pgcryptoBcrypt(cost: 12))
        #expect(settings.layout.keyColumn == "username" && settings.layout.passwordColumn == "password")
        #expect(settings.warnings.isEmpty)

        let plain = try Self.settings([
            "url": .plain("postgresql://db/hr?sslmode=disable&connect_timeout=2"), "username": .plain("app"),
            "passwordStorage": .plain("pbkdf2-sha256"), "pbkdf2Iterations": .plain("1000"),
        ])
        #expect(plain.access.endpoint.port == 5432 && plain.access.endpoint.user == "app")
        #expect(plain.access.tls == nil && plain.access.endpoint.connectTimeout == .seconds(2))
        #expect(plain.passwordStorage == .keyward(.pbkdf2SHA256(iterations: 1_000)))
        #expect(plain.warnings == ["system 'hr': sslmode=disable sends rows, hashes and secrets to db:5432/hr unencrypted; use verify-full"])

        let legacy = try Self.settings(["url": .plain("postgres://app@db/hr?sslmode=require"), "passwordStorage": .plain("sha256-hex")])
        #expect(legacy.access.endpoint.tlsMode == .require && legacy.access.tls != nil)
        #expect(legacy.warnings.count == 2 && legacy.warnings[1].contains("unsalted legacy hash"))
    }

    static let mistakes: [(key: String, overrides: [String: ConnectionValue?], says: String)] = [
        ("url", ["url": .plain("postgres://app:secret@db/hr")], "holds a password; remove it"),
        ("url", ["url": .plain("postgres://app@db/")], "names no database"),
        ("url", ["url": .plain("postgres://db/hr")], "names no user"),
        ("url", ["url": .plain("postgres://app@db/hr?sslmode=prefer")], "could fall back to plaintext"),
        ("url", ["url": .plain("postgres://app@db/hr?application_name=x")], "takes sslmode, sslrootcert and connect_timeout"),
        ("url", ["url": .plain("postgres://app@db/hr?connect_timeout=0")], "whole seconds from 1 to 3600"),
        ("url", ["url": .plain("postgres://app@db/hr?sslrootcert=/nonexistent/ca.pem")], "not a readable PEM file"),
        ("username", ["username": .plain("other")], "but the url's user is 'app'"),
        ("table", ["table": .plain("people; DROP TABLE people")], "must be a plain name"),
        ("passwordStorage", ["passwordStorage": .plain("md5")], "or pgcrypto-bcrypt on PostgreSQL"),
        ("bcryptCost", ["bcryptCost": .plain("3")], "from 4 to 31"),
        ("operations", ["operations": .plain("unlock")], "needs lockedColumn"),
    ]

    @Test(arguments: mistakes)
    func aMistakeNamesTheSystemKeyAndPlace(key: String, overrides: [String: ConnectionValue?], says: String) {
        let error = #expect(throws: ConnectorError.self) { try Self.settings(overrides) }
        #expect(error?.kind == .configuration)
        let message = error?.message ?? ""
        #expect(message.contains("system 'hr' (connectors/hr.yaml:3:1): connection key '\(key)'"), "\(message)")
        #expect(message.contains(says), "\(message)")
        #expect(!message.contains("secret"), "\(message)")
    }

    @Test func thePasswordComesFromTheReferenceThenPGPASSWORDThenThePasswordFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-pgpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("pgpass").path
        try """
            # host:port:database:user:password
            db.example.com:6432:other:app:not-this-one
            db.example.com:*:hr:app:pa\\:ss\\\\word\r
            *:*:*:*:fallback
            """.write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        func password(reference: String?, process: [String: String]) throws -> String? {
            try Self.settings([:], password: reference, process: process).access.password?.withPlaintext { $0 }
        }
        #expect(try password(reference: "ref", process: ["PGPASSWORD": "env", "PGPASSFILE": file]) == "ref")
        #expect(try password(reference: nil, process: ["PGPASSWORD": "env", "PGPASSFILE": file]) == "env")
        #expect(try password(reference: nil, process: ["PGPASSFILE": file]) == "pa:ss\\word")
        #expect(try password(reference: nil, process: ["HOME": folder.path]) == nil, "no ~/.pgpass there")
        #expect(try password(reference: nil, process: [:]) == nil)

        chmod(file, 0o644)
        let error = #expect(throws: ConnectorError.self) { try password(reference: nil, process: ["PGPASSFILE": file]) }
        #expect(error?.message.contains("may be read by others; chmod 600 it") == true)
    }

    @Test func nothingSecretIsReflected() throws {
        let settings = try Self.settings([:], password: "Kw-db-password-42")
        var dumped = ""
        dump(settings, to: &dumped)
        #expect(!dumped.contains("Kw-db-password-42"))
        #expect(!String(reflecting: settings).contains("Kw-db-password-42"))
    }

    @Test func theSQLTypePicksSQLiteOrPostgreSQLByTheURL() throws {
        var registry = ConnectorRegistry()
        PostgresTableConnector.register(in: &registry)
        #expect(registry.types == ["sql"])
        let environment = ConnectorEnvironment(directory: Self.certificates.path) { key in
            key == "password" ? GuardedString("pw") : nil
        }
        let postgres = try registry.connector(for: Self.definition([:]), environment: environment)
        #expect(postgres is PostgresTableConnector)

        let file = Self.certificates.appendingPathComponent("hr.db").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        let sqlite = try registry.connector(
            for: Self.definition(["url": .plain("sqlite:hr.db"), "passwordStorage": .plain("bcrypt")]),
            environment: environment)
        #expect(sqlite is SQLTableConnector)

        let refused = #expect(throws: ConnectorError.self) {
            try registry.connector(for: Self.definition(["url": .plain("sqlite:hr.db")]), environment: environment)
        }
        #expect(refused?.message.contains("is pgcrypto-bcrypt, which hashes in PostgreSQL") == true)
    }
}
