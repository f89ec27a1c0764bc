import Foundation
import KeywardConfiguration
import KeywardTestSupport
import Testing

@Suite("keyward config migrate", .offThePool)
struct ConfigurationMigratorTests {
    /// keyward.yaml from before version 2: no `version:` key.
    static let oldMain = """
        # Keyward configuration (written for 9.2)
        store: sqlite:keyward.db   # the queue

        policies:
          corporate: { minLength: 12 }

        """

    /// A connector from before the password flag: block and flow styles, and
    /// an explicit `password: false`, with comments that must survive.
    static let oldBlock = """
        # HR directory
        type: ldap
        connection:
          url: ldaps://ldap.example.com:636
          bindDN: cn=keyward,dc=example,dc=com
          bindPassword: ${env:BIND}   # never a literal
          baseDN: ou=people,dc=example,dc=com
        mapping:
          attributes:
            - name: uid          # the account's uid
              source: username
              uid: true
            - name: __PASSWORD__   # main password
              transform: scripts/pass.lua
            - { name: sambaNTPassword, password: true, transform: scripts/pass.lua }

        """

    static let newBlock = """
        # HR directory
        type: ldap
        connection:
          url: ldaps://ldap.example.com:636
          bindDN: cn=keyward,dc=example,dc=com
          bindPassword: ${env:BIND}   # never a literal
          baseDN: ou=people,dc=example,dc=com
        mapping:
          attributes:
            - name: uid          # the account's uid
              source: username
              uid: true
            - name: __PASSWORD__   # main password
              password: true
              transform: scripts/pass.lua
            - { name: sambaNTPassword, password: true, transform: scripts/pass.lua }

        """

    static let oldFlow = """
        type: ad
        connection: { url: "ldaps://dc:636", bindDN: cn=k, bindPassword: "${env:AD}", baseDN: dc=corp }
        mapping:
          attributes:
            - { name: sAMAccountName, source: username, uid: true }
            - { name: "__PASSWORD__", transform: scripts/pass.lua }   # quoted name

        """

    static let oldFalse = """
        type: ldap
        mapping:
          attributes:
            - { name: uid, source: username, uid: true }
            - { name: __PASSWORD__, password: false, transform: scripts/pass.lua }
            - name: other
              constant: x

        """

    static func oldConfiguration() throws -> ConfigFolder {
        try ConfigFolder(
            [
                "keyward.yaml": oldMain,
                "connectors/hr.yaml": oldBlock,
                "connectors/ad.yaml": oldFlow,
                "connectors/legacy.yaml.example": oldFalse,
                "scripts/pass.lua": Baseline.script,
            ], baseline: false)
    }

    @Test("sets password: true on every __PASSWORD__ and version: 2, keeping comments and order")
    func migrates() throws {
        let folder = try Self.oldConfiguration()
        let report = try ConfigurationMigrator(path: folder.configPath).migrate(dryRun: false)
        #expect(report.problems.isEmpty, "\(report.problems)")
        #expect(report.files.count == 4)

        #expect(try folder.read("keyward.yaml") == """
            # Keyward configuration (written for 9.2)
            version: 2
            store: sqlite:keyward.db   # the queue

            policies:
              corporate: { minLength: 12 }

            """)
        #expect(try folder.read("connectors/hr.yaml") == Self.newBlock)
        #expect(try folder.read("connectors/ad.yaml").contains(#"- { name: "__PASSWORD__", password: true, transform: scripts/pass.lua }   # quoted name"#))
        #expect(try folder.read("connectors/legacy.yaml.example").contains("- { name: __PASSWORD__, password: true, transform: scripts/pass.lua }"))

        #expect(try folder.read("keyward.yaml.bak") == Self.oldMain)
        #expect(try folder.read("connectors/hr.yaml.bak") == Self.oldBlock)
        #expect(try folder.read("connectors/ad.yaml.bak") == Self.oldFlow)
        let main = try #require(report.files.first)
        #expect(main.changes == ["line 2: added `version: 2`"])
        #expect(main.backup?.hasSuffix("keyward.yaml.bak") == true)
        let hr = try #require(report.files.first { $0.file.hasSuffix("hr.yaml") })
        #expect(hr.changes == ["line 13: added `password: true` to `__PASSWORD__`"])
        let legacy = try #require(report.files.first { $0.file.hasSuffix("legacy.yaml.example") })
        #expect(legacy.changes == ["line 5: `password: false` → `password: true` on `__PASSWORD__`"])

        let loaded = try ConfigurationLoader(path: folder.configPath, includeExamples: true).load()
        #expect(!loaded.errors.contains { $0.code == .passwordFlagMissing || $0.code == .unsupportedVersion }, "\(loaded.errors)")
    }

    @Test("a second run changes nothing, writes no backup, and says why")
    func idempotent() throws {
        let folder = try Self.oldConfiguration()
        let migrator = ConfigurationMigrator(path: folder.configPath)
        _ = try migrator.migrate(dryRun: false)
        let migrated = try folder.read("connectors/hr.yaml")
        let again = try migrator.migrate(dryRun: false)
        #expect(!again.changesAnything)
        #expect(again.problems.isEmpty)
        #expect(again.files.allSatisfy { $0.backup == nil })
        #expect(again.files.first?.unchangedReason == "already version 2")
        #expect(again.files.first { $0.file.hasSuffix("hr.yaml") }?.unchangedReason == "every `__PASSWORD__` mapping already has `password: true`")
        #expect(try folder.read("connectors/hr.yaml") == migrated)
        #expect(!folder.exists("connectors/hr.yaml.bak.2"))
    }

    @Test("a dry run reports the changes and writes nothing")
    func dryRun() throws {
        let folder = try Self.oldConfiguration()
        let report = try ConfigurationMigrator(path: folder.configPath).migrate(dryRun: true)
        #expect(report.dryRun)
        #expect(report.files.filter(\.changesFile).count == 4)
        #expect(try folder.read("keyward.yaml") == Self.oldMain)
        #expect(try folder.read("connectors/hr.yaml") == Self.oldBlock)
        #expect(!folder.exists("keyward.yaml.bak"))
    }

    @Test("an old version number is bumped in place")
    func bumpsVersion() throws {
        let folder = try ConfigFolder(["keyward.yaml": "version: 1   # old\nstore: sqlite:k.db\n"], baseline: false)
        let report = try ConfigurationMigrator(path: folder.configPath).migrate(dryRun: false)
        #expect(report.files.first?.changes == ["line 1: `version: 1` → `version: 2`"])
        #expect(try folder.read("keyward.yaml") == "version: 2   # old\nstore: sqlite:k.db\n")
    }

    @Test("an existing backup is never overwritten")
    func numberedBackups() throws {
        let folder = try ConfigFolder(["keyward.yaml": "version: 1\n", "keyward.yaml.bak": "older backup\n"], baseline: false)
        let report = try ConfigurationMigrator(path: folder.configPath).migrate(dryRun: false)
        #expect(report.files.first?.backup?.hasSuffix("keyward.yaml.bak.2") == true)
        #expect(try folder.read("keyward.yaml.bak") == "older backup\n")
        #expect(try folder.read("keyward.yaml.bak.2") == "version: 1\n")
    }

    @Test("CRLF line endings stay CRLF")
    func crlf() throws {
        let old = "type: ldap\r\nmapping:\r\n  attributes:\r\n    - name: __PASSWORD__\r\n      transform: s.lua\r\n"
        let folder = try ConfigFolder(["keyward.yaml": "version: 2\r\n", "connectors/x.yaml": old], baseline: false)
        _ = try ConfigurationMigrator(path: folder.configPath).migrate(dryRun: false)
        #expect(try folder.read("connectors/x.yaml") == "type: ldap\r\nmapping:\r\n  attributes:\r\n    - name: __PASSWORD__\r\n      password: true\r\n      transform: s.lua\r\n")
    }

    @Test("a connector file that is not YAML is reported, and keyward.yaml's version waits for it")
    func brokenConnector() throws {
        let folder = try ConfigFolder(
            ["keyward.yaml": Self.oldMain, "connectors/hr.yaml": Self.oldBlock, "connectors/broken.yaml": "mapping: [\n"], baseline: false)
        let report = try ConfigurationMigrator(path: folder.configPath).migrate(dryRun: false)
        let broken = try #require(report.files.first { $0.file.hasSuffix("broken.yaml") })
        #expect(broken.problems.first?.code == .yamlSyntax)
        #expect(try folder.read("connectors/hr.yaml") == Self.newBlock)
        #expect(try folder.read("keyward.yaml") == Self.oldMain)
        #expect(report.files.first?.unchangedReason?.contains("until every connector file is migrated") == true)
    }

    @Test("a version newer than this Keyward is a problem")
    func newerVersion() throws {
        let folder = try ConfigFolder(["keyward.yaml": "version: 3\n"], baseline: false)
        let report = try ConfigurationMigrator(path: folder.configPath).migrate(dryRun: false)
        #expect(report.problems.first?.message.contains("newer than this Keyward") == true)
    }

    @Test("a missing keyward.yaml is thrown")
    func missing() throws {
        let folder = try ConfigFolder([:], baseline: false)
        #expect(throws: ConfigurationError.self) { try ConfigurationMigrator(path: folder.configPath).migrate(dryRun: true) }
    }
}
