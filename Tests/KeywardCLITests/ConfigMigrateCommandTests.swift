import Foundation
import KeywardTestSupport
import Testing

@Suite("keyward config migrate", .offThePool)
struct ConfigMigrateCommandTests {
    static let oldMain = "# before 9.3\nstore: sqlite:keyward.db\npolicies:\n  corporate: { minLength: 12 }\n"

    static let oldLDAP = """
        type: ldap   # the people directory
        connection:
          url: ldaps://ldap.example.com:636
          bindDN: cn=keyward,dc=example,dc=com
          bindPassword: ${env:KEYWARD_TEST_BIND}
          baseDN: ou=people,dc=example,dc=com
        mapping:
          attributes:
            - { name: uid, source: username, uid: true }
            - { name: __PASSWORD__, transform: scripts/pass.lua }   # the main password

        """

    static func oldConfiguration() throws -> Scratch {
        let scratch = try Scratch()
        try scratch.write("keyward.yaml", oldMain)
        try scratch.write("connectors/ldap.yaml", oldLDAP)
        try scratch.write("scripts/pass.lua", Scripts.identity)
        return scratch
    }

    @Test("migrates, with backups; a second run changes nothing and says so; then check passes")
    func migrate() throws {
        let scratch = try Self.oldConfiguration()
        let before = try scratch.run("config", "check")
        #expect(before.status == 1, "\(before)")
        #expect(before.stdout.contains("keyward config migrate"))

        let result = try scratch.run("config", "migrate")
        #expect(result.status == 0, "\(result)")
        #expect(
            result.stdoutLines == [
                "keyward.yaml: migrated (backup: keyward.yaml.bak)",
                "  line 2: added `version: 2`",
                "connectors/ldap.yaml: migrated (backup: connectors/ldap.yaml.bak)",
                "  line 10: added `password: true` to `__PASSWORD__`",
                "2 files migrated to version 2",
            ], "\(result)")
        let migrated = String(decoding: try Data(contentsOf: scratch.url.appendingPathComponent("connectors/ldap.yaml")), as: UTF8.self)
        #expect(migrated.contains("- { name: __PASSWORD__, password: true, transform: scripts/pass.lua }   # the main password"))
        #expect(migrated.hasPrefix("type: ldap   # the people directory\n"))
        let backup = String(decoding: try Data(contentsOf: scratch.url.appendingPathComponent("connectors/ldap.yaml.bak")), as: UTF8.self)
        #expect(backup == Self.oldLDAP)

        let again = try scratch.run("config", "migrate")
        #expect(again.status == 0, "\(again)")
        #expect(
            again.stdoutLines == [
                "keyward.yaml: nothing to change (already version 2)",
                "connectors/ldap.yaml: nothing to change (every `__PASSWORD__` mapping already has `password: true`)",
                "nothing to change: the configuration is already at version 2",
            ], "\(again)")

        let after = try scratch.run("config", "check")
        #expect(after.status == 0, "\(after)")
    }

    @Test("--dry-run shows the changes and writes nothing")
    func dryRun() throws {
        let scratch = try Self.oldConfiguration()
        let result = try scratch.run("config", "migrate", "--dry-run")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("connectors/ldap.yaml: would change\n  line 10: added `password: true` to `__PASSWORD__`"))
        #expect(result.stdoutLines.last == "dry run: 2 files would change; nothing was written")
        #expect(String(decoding: try Data(contentsOf: scratch.url.appendingPathComponent("keyward.yaml")), as: UTF8.self) == Self.oldMain)
        #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("keyward.yaml.bak").path))
    }

    @Test("a file that cannot be migrated exits 1 and is left as it was")
    func failure() throws {
        let scratch = try Self.oldConfiguration()
        try scratch.write("connectors/broken.yaml", "mapping: { attributes: [\n")
        let result = try scratch.run("config", "migrate")
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("connectors/broken.yaml:2:1: error: invalid YAML: a value is missing"), "\(result)")
        #expect(result.stdout.contains("keyward.yaml: nothing to change (version left as it is until every connector file is migrated)"))
        #expect(result.stdoutLines.last == "1 file could not be migrated; fix the problems above and run it again")
    }

    @Test("a missing keyward.yaml exits 2")
    func missing() throws {
        let scratch = try Scratch()
        let result = try scratch.run("config", "migrate")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderrLines == ["error: keyward.yaml: no such file (give the configuration file with --config PATH)"])
    }
}
