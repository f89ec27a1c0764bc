import Foundation
import KeywardTestSupport
import Testing

/// A small valid configuration for the command-line tests.
enum ConfigFiles {
    static let keyward = """
        version: 2
        defaults: { generate: strong, validate: [corporate] }
        policies:
          strong: { minLength: 16, maxLength: 64, classes: { upper: { min: 1 }, lower: { min: 1 }, digit: { min: 1 } } }
          corporate: { minLength: 12, maxLength: 128 }

        """

    static let ldap = """
        type: ldap
        connection:
          url: ldaps://ldap.example.com:636
          bindDN: cn=keyward,dc=example,dc=com
          bindPassword: ${env:KEYWARD_TEST_BIND}
          baseDN: ou=people,dc=example,dc=com
        mapping:
          attributes:
            - { name: uid, source: username, uid: true }
            - { name: __PASSWORD__, password: true, transform: scripts/pass.lua }

        """

    /// Writes the valid configuration into `scratch`.
    static func write(to scratch: Scratch) throws {
        try scratch.write("keyward.yaml", keyward)
        try scratch.write("connectors/ldap.yaml", ldap)
        try scratch.write("scripts/pass.lua", Scripts.identity)
    }
}

@Suite("keyward config check", .offThePool)
struct ConfigCheckCommandTests {
    @Test("the shipped configuration and examples pass, in the repository")
    func shipped() throws {
        let result = try KeywardProcess.run(["config", "check", "--examples"], in: KeywardProcess.repositoryRoot)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasSuffix("keyward.yaml, 7 connector files and 7 scripts checked: 0 errors, 0 warnings\n"), "\(result)")
        #expect(result.stderr.isEmpty)
        let plain = try KeywardProcess.run(["config", "check"], in: KeywardProcess.repositoryRoot)
        #expect(plain.status == 0, "\(plain)")
        #expect(plain.stdout.contains("1 connector file and 2 scripts"), "only the demo: examples are not loaded without --examples")
    }

    @Test("a clean configuration exits 0")
    func clean() throws {
        let scratch = try Scratch()
        try ConfigFiles.write(to: scratch)
        let result = try scratch.run("config", "check")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdoutLines == ["keyward.yaml, 1 connector file and 1 script checked: 0 errors, 0 warnings"])
    }

    @Test("every problem at once, each as file:line:column: error: message, exits 1")
    func problems() throws {
        let scratch = try Scratch()
        try ConfigFiles.write(to: scratch)
        try scratch.write("keyward.yaml", ConfigFiles.keyward.replacingOccurrences(of: "version: 2", with: "version: 2\nstroe: sqlite:k.db"))
        try scratch.write(
            "connectors/ldap.yaml",
            ConfigFiles.ldap.replacingOccurrences(of: "type: ldap", with: "type: ldpa")
                .replacingOccurrences(of: "password: true, ", with: ""))
        try scratch.write("scripts/pass.lua", Scripts.printing)
        try scratch.write("connectors/ad.yaml", ConfigFiles.ldap.replacingOccurrences(of: "type: ldap", with: "type: ad\npasswordPolicies: {}"))
        let result = try scratch.run("config", "check")
        #expect(result.status == 1, "\(result)")
        let lines = result.stdoutLines.map(String.init)
        #expect(lines.contains("keyward.yaml:2:1: error: unknown key `stroe`; did you mean `store`?"), "\(result)")
        #expect(lines.contains { $0.hasPrefix("connectors/ldap.yaml:1:7: error: connector type `ldpa` is not registered; did you mean `ldap`?") })
        #expect(lines.contains { $0.hasPrefix("connectors/ldap.yaml:10:15: error: `__PASSWORD__` must be flagged `password: true`") && $0.contains("keyward config migrate") })
        #expect(lines.contains { $0.hasPrefix("connectors/ad.yaml:2:1: error: unknown key `passwordPolicies`; did you mean `passwordPolicy`?") })
        #expect(lines.contains { $0.hasPrefix("scripts/pass.lua:1:1: error: KW001") })
        let problemLines = lines.dropLast()
        #expect(problemLines.allSatisfy { $0.range(of: #"^[^:]+:\d+:\d+: (error|warning): "#, options: .regularExpression) != nil }, "\(lines)")
        #expect(lines.last?.hasSuffix("checked: \(problemLines.count) errors, 0 warnings") == true, "\(lines)")
        #expect(!result.allOutput.contains(Scripts.printedMarker), "the script was never run")
    }

    @Test("warnings alone exit 0")
    func warningsOnly() throws {
        let scratch = try Scratch()
        try ConfigFiles.write(to: scratch)
        try scratch.write("scripts/pass.lua", Scripts.unguarded)
        let result = try scratch.run("config", "check")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("scripts/pass.lua:1:8: warning: KW006"))
        #expect(result.stdout.contains("0 errors, 1 warning"))
    }

    @Test("a literal secret is an error that never shows the secret")
    func literalSecret() throws {
        let scratch = try Scratch()
        try ConfigFiles.write(to: scratch)
        try scratch.write("connectors/ldap.yaml", ConfigFiles.ldap.replacingOccurrences(of: "${env:KEYWARD_TEST_BIND}", with: Canary.password))
        for format in ["text", "json"] {
            let result = try scratch.run("config", "check", "--format", format)
            #expect(result.status == 1, "\(result)")
            #expect(result.stdout.contains("holds a literal value (not repeated here)"))
            #expect(!result.allOutput.contains(Canary.password))
        }
    }

    @Test("a missing keyward.yaml exits 2 with one line on standard error")
    func missing() throws {
        let scratch = try Scratch()
        let result = try scratch.run("config", "check")
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderrLines == ["error: keyward.yaml: no such file (give the configuration file with --config PATH)"])
        let folder = try scratch.run("config", "check", "--config", ".")
        #expect(folder.status == 2, "\(folder)")
        #expect(folder.stderr.contains("is a folder, not a file"))
    }

    @Test("--config reads a configuration elsewhere, with paths as given")
    func configOption() throws {
        let scratch = try Scratch()
        try scratch.makeFolder("deploy")
        try scratch.write("deploy/keyward.yaml", ConfigFiles.keyward)
        try scratch.write("deploy/connectors/ldap.yaml", ConfigFiles.ldap.replacingOccurrences(of: "scripts/pass.lua", with: "scripts/none.lua"))
        let result = try scratch.run("config", "check", "--config", "deploy/keyward.yaml")
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("deploy/connectors/ldap.yaml:10:56: error: script `scripts/none.lua` does not exist"), "\(result)")
    }

    @Test("--format json is one document with the counts and every problem")
    func json() throws {
        let scratch = try Scratch()
        try ConfigFiles.write(to: scratch)
        try scratch.write("connectors/ldap.yaml", ConfigFiles.ldap.replacingOccurrences(of: "type: ldap", with: "type: ldpa"))
        let result = try scratch.run("config", "check", "--format", "json")
        #expect(result.status == 1, "\(result)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["errors"] as? Int == 1)
        #expect(document["warnings"] as? Int == 0)
        #expect(document["connectorFiles"] as? [String] == ["connectors/ldap.yaml"])
        let problems = try #require(document["problems"] as? [[String: Any]])
        #expect(problems.first?["file"] as? String == "connectors/ldap.yaml")
        #expect(problems.first?["line"] as? Int == 1)
        #expect(problems.first?["column"] as? Int == 7)
        #expect(problems.first?["code"] as? String == "unknownConnectorType")
        #expect(problems.first?["severity"] as? String == "error")
    }

    @Test("--help shows runnable examples for config, check and migrate")
    func help() throws {
        let scratch = try Scratch()
        let config = try scratch.run("config", "--help")
        #expect(config.status == 0, "\(config)")
        #expect(config.stdout.contains("keyward config check --examples"))
        #expect(config.stdout.contains("keyward config migrate --dry-run"))
        let check = try scratch.run("config", "check", "--help")
        #expect(check.stdout.contains("keyward config check --format json"))
        #expect(check.stdout.contains("Exit status: 0"))
        let migrate = try scratch.run("config", "migrate", "--help")
        #expect(migrate.stdout.contains("keyward config migrate --dry-run"))
        #expect(migrate.stdout.contains("FILE.bak"))
    }
}
