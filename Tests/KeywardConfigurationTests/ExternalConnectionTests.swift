import Foundation
import KeywardConfiguration
import KeywardCore
import KeywardTestSupport
import Testing

/// The `external` type's `command` (a list or one string) and `env` (a mapping).
@Suite("External connector settings", .offThePool)
struct ExternalConnectionTests {
    func load(_ connection: String) throws -> ConfigurationLoadResult {
        let folder = try ConfigFolder()
        try folder.write(
            "connectors/ldap.yaml",
            """
            type: external
            connection:
            \(connection)
            mapping:
              attributes:
                - { name: uid, source: username, uid: true }
                - { name: __PASSWORD__, password: true, transform: scripts/pass.lua }

            """)
        return try folder.load()
    }

    @Test func aListCommandBecomesQuotedWordsAndEnvBecomesEnvKeys() throws {
        let result = try load(
            """
              command: [plugins/run.py, --name, "two words", "it's"]
              env:
                PYTHONDONTWRITEBYTECODE: "1"
                API_TOKEN: ${env:PLUGIN_TOKEN}
            """)
        #expect(result.errors.isEmpty, "\(result.errors)")
        let connection = try #require(result.configuration.connectors.first?.connection)
        #expect(connection["command"] == .plain(#"'plugins/run.py' '--name' 'two words' 'it'\''s'"#))
        #expect(connection["env.PYTHONDONTWRITEBYTECODE"] == .plain("1"))
        #expect(connection["env.API_TOKEN"] == .environment("PLUGIN_TOKEN"))
        #expect(connection["env"] == nil)
    }

    @Test func aStringCommandStaysAsWritten() throws {
        let result = try load("  command: plugins/run.py --name x")
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.configuration.connectors.first?.connection["command"] == .plain("plugins/run.py --name x"))
    }

    @Test(arguments: [
        ("  command: []", "is an empty list"),
        ("  command: [run.py, [nested]]", "a word"),
        ("  command: run.py\n  env: [A, B]", "a mapping of variable names to values"),
        ("  command: run.py\n  env:\n    2BAD: x", "`2BAD` in `connection.env` is not a variable name"),
        ("  command: run.py\n  env:\n    API_TOKEN: literal-value", "holds a literal value"),
    ])
    func badValuesAreRefusedWithTheirPlace(connection: String, gist: String) throws {
        let result = try load(connection)
        #expect(result.errors.contains { $0.description.contains(gist) }, "\(result.errors.map(\.description))")
        #expect(result.errors.allSatisfy { $0.location?.file.hasSuffix("connectors/ldap.yaml") == true })
        #expect(!result.errors.contains { $0.description.contains("literal-value") })
    }
}
