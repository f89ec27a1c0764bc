import Foundation
import KeywardTestSupport
import Testing

/// `keyward dry-run --connector`: a request planned against a real
/// configuration, values masked, nothing contacted.
@Suite("Plan dry-run", .offThePool)
struct PlanDryRunTests {
    /// A configuration with two systems: `dir` (two password attributes, one
    /// script upper-cases) and `app` (its script fails on purpose when the
    /// operation is reset).
    static func configuration() throws -> Scratch {
        let scratch = try Scratch()
        try scratch.write("keyward.yaml", """
            version: 2
            store: sqlite:keyward.db
            defaults:
              generate: gen
              validate: [basic]
            policies:
              gen:
                minLength: 16
                maxLength: 32
                classes: { upper: { min: 1 }, lower: { min: 1 }, digit: { min: 1 } }
                generate: characters
              basic:
                minLength: 12
                maxLength: 64
            """)
        try scratch.write("connectors/dir.yaml", """
            type: ldap
            connection:
              url: ldaps://ldap.example.org:636
              bindDN: cn=keyward,dc=example,dc=org
              bindPassword: ${env:KEYWARD_LDAP_PASSWORD}
              baseDN: ou=people,dc=example,dc=org
            mapping:
              attributes:
                - { name: uid, source: username, uid: true }
                - { name: mail, source: email }
                - { name: __PASSWORD__, password: true, transform: scripts/upper.lua }
                - { name: legacyPassword, password: true, transform: scripts/same.lua }
            """)
        try scratch.write("connectors/app.yaml", """
            type: sql
            connection: { url: "sqlite:app.db", table: accounts }
            mapping:
              attributes:
                - { name: login, source: username, uid: true }
                - { name: __PASSWORD__, password: true, transform: scripts/fails-on-reset.lua }
            """)
        try scratch.write("scripts/upper.lua", Scripts.upper)
        try scratch.write("scripts/same.lua", Scripts.identity)
        try scratch.write("scripts/fails-on-reset.lua", """
            if attributeValue == nil then return nil end
            if context.operation == "reset" then error("no resets here") end
            return attributeValue
            """)
        try scratch.write("people/jdoe.yaml", """
            username: jdoe
            givenName: Jane
            familyName: Doe
            email: jane.doe@example.org
            """)
        return scratch
    }

    @Test func aChangeIsPlannedInTwoOperationsWithValuesMasked() throws {
        let scratch = try Self.configuration()
        let result = try scratch.run(
            "dry-run", "--connector", "dir", "--user", "jdoe", "--operation", "change", "--value", Canary.password)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("operation 1: update jdoe"))
        #expect(result.stdout.contains("operation 2: update jdoe"))
        #expect(result.stdout.contains("via scripts/upper.lua"))
        #expect(!result.allOutput.contains(Canary.password))
        #expect(!result.allOutput.contains(Canary.password.uppercased()))
    }

    @Test func revealShowsTheTransformedValues() throws {
        let scratch = try Self.configuration()
        let result = try scratch.run(
            "dry-run", "--connector", "dir", "--user", "jdoe", "--operation", "change", "--value", Canary.password,
            "--reveal")
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains(Canary.password.uppercased()))
    }

    @Test func jsonListsSystemsOperationsAndAttributes() throws {
        let scratch = try Self.configuration()
        let result = try scratch.run(
            "dry-run", "--connector", "dir", "--connector", "app", "--user", "people/jdoe.yaml",
            "--operation", "create", "--json")
        #expect(result.status == 0, "\(result)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["kind"] as? String == "create")
        let password = try #require(object["password"] as? [String: Any])
        #expect(password["source"] as? String == "generated")
        #expect(password["value"] == nil)
        let systems = try #require(object["systems"] as? [[String: Any]])
        #expect(systems.map { $0["system"] as? String } == ["dir", "app"])
        let operations = try #require(systems[0]["operations"] as? [[String: Any]])
        #expect(operations.count == 1)  // create: everything in one operation
        let attributes = try #require(operations[0]["attributes"] as? [[String: Any]])
        let mail = try #require(attributes.first { $0["name"] as? String == "mail" })
        #expect((mail["value"] as? [String: Any])?["value"] as? String == "jane.doe@example.org")
        let secret = try #require(attributes.first { $0["name"] as? String == "__PASSWORD__" })
        #expect(secret["isPassword"] as? Bool == true)
        #expect((secret["value"] as? [String: Any])?["kind"] as? String == "secret")
    }

    @Test func aPolicyFailureListsEveryRuleAndPlansNothing() throws {
        let scratch = try Self.configuration()
        let result = try scratch.run(
            "dry-run", "--connector", "dir", "--user", "jdoe", "--operation", "change", "--value", "Kw-CANARY")
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("nothing was planned"))
        #expect(result.stdout.contains("basic"))
        #expect(!result.allOutput.contains("Kw-CANARY"))
    }

    @Test func aScriptFailureNamesTheScriptAndCodeOnly() throws {
        let scratch = try Self.configuration()
        let result = try scratch.run(
            "dry-run", "--connector", "app", "--connector", "dir", "--user", "jdoe", "--operation", "reset",
            "--value", Canary.password)
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("scripts/fails-on-reset.lua"))
        #expect(result.stdout.contains("runtime"))
        #expect(!result.stdout.contains("no resets here"))  // the Lua message stays out of plans
        #expect(!result.allOutput.contains(Canary.password))
    }

    @Test func anUnsupportedOperationIsRefusedBeforeAnythingRuns() throws {
        let scratch = try Self.configuration()
        try scratch.write("connectors/cloud.yaml", """
            type: servicenow
            connection:
              instanceURL: https://example.service-now.com
              username: keyward
              password: ${env:KEYWARD_SN_PASSWORD}
            mapping:
              attributes:
                - { name: user_name, source: username, uid: true }
                - { name: __PASSWORD__, password: true, transform: scripts/same.lua }
            """)
        let result = try scratch.run(
            "dry-run", "--connector", "cloud", "--user", "jdoe", "--operation", "change", "--value", Canary.password)
        #expect(result.status == 1, "\(result)")
        #expect(result.stdout.contains("does not support"))
    }

    @Test(arguments: [
        (["dry-run", "--connector", "nope", "--user", "jdoe", "--operation", "change"], "no connector named 'nope'"),
        (["dry-run", "--connector", "dir", "--operation", "change"], "--user"),
        (["dry-run", "--connector", "dir", "--user", "jdoe"], "--operation"),
        (["dry-run", "--connector", "dir", "--user", "jdoe", "--operation", "rename"], "--operation"),
        (["dry-run", "x.lua", "--connector", "dir", "--user", "jdoe", "--operation", "change"], "not both"),
        (["dry-run", "--connector", "dir", "--user", "jdoe", "--operation", "change", "--null"], "--null"),
    ])
    func badPlanRequestsAreUsageErrors(_ arguments: [String], _ gist: String) throws {
        let scratch = try Self.configuration()
        let result = try scratch.run(arguments: arguments)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains(gist), "\(result)")
    }

    @Test func aMalformedIdentityFileIsAClearError() throws {
        let scratch = try Self.configuration()
        try scratch.write("people/bad.yaml", "username: jdoe\nshoeSize: 42\n")
        let result = try scratch.run(
            "dry-run", "--connector", "dir", "--user", "people/bad.yaml", "--operation", "create")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("shoeSize"))
    }

    @Test func theShippedExamplesPlan() throws {
        let result = try KeywardProcess.run(
            ["dry-run", "--examples", "--connector", "ldap", "--connector", "ad", "--user", "jdoe",
             "--operation", "reset"],
            in: KeywardProcess.repositoryRoot)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.contains("ldap:"))
        #expect(result.stdout.contains("ad:"))
    }
}

extension PlanDryRunTests {
    @Test func anAdminDictionaryFileRefusesItsPasswords() throws {
        let scratch = try Self.configuration()
        try scratch.write("banned.txt", "Zebra-Umbrella-Forest\nanother-one\n")
        try scratch.write("keyward.yaml", """
            version: 2
            store: sqlite:keyward.db
            defaults:
              validate: [basic]
            policies:
              basic:
                minLength: 12
                maxLength: 64
                dictionary: { builtin: true, files: [banned.txt] }
            """)
        let refused = try scratch.run(
            "dry-run", "--connector", "dir", "--user", "jdoe", "--operation", "change", "--value", "zebra-umbrella-forest")
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stdout.contains("dictionary") || refused.stdout.contains("commonly used"), "\(refused)")
        let accepted = try scratch.run(
            "dry-run", "--connector", "dir", "--user", "jdoe", "--operation", "change", "--value", "Giraffe-Lantern-River")
        #expect(accepted.status == 0, "\(accepted)")
    }
}
