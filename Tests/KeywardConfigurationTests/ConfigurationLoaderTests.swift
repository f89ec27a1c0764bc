import Foundation
import KeywardConfiguration
import KeywardCore
import KeywardScripting
import KeywardTestSupport
import Testing

@Suite("Loading a configuration", .offThePool)
struct ConfigurationLoaderTests {
    @Test("`maxConcurrent:` caps a system's running operations")
    func maxConcurrent() throws {
        let folder = try ConfigFolder([
            "connectors/ldap.yaml": Baseline.ldap.replacingOccurrences(of: "type: ldap\n", with: "type: ldap\nmaxConcurrent: 3\n")
        ])
        let result = try folder.load()
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.configuration.connectors.first?.maxConcurrent == 3)
    }

    @Test("the baseline loads without problems, into the core types")
    func baseline() throws {
        let folder = try ConfigFolder()
        let result = try folder.load()
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        let configuration = result.configuration
        #expect(configuration.version == 2)
        #expect(configuration.store == .sqlite(path: "keyward.db"))
        #expect(configuration.limits.instructions == 500_000)
        #expect(configuration.limits.memoryBytes == 4_194_304)
        #expect(configuration.limits.timeLimit == .milliseconds(50))
        #expect(configuration.limits.allowReveal == false)
        #expect(configuration.defaultPolicies == DefaultPolicies(generate: "strong", validate: ["corporate"]))
        #expect(configuration.policies.keys.sorted() == ["corporate", "strong"])
        #expect(result.scripts.map { folder.relative(SourceLocation(file: $0, line: 1, column: 1)) } == ["scripts/pass.lua"])

        let ldap = try #require(configuration.connectors.first)
        #expect(configuration.connectors.count == 1)
        #expect(ldap.name == "ldap")
        #expect(ldap.type == "ldap")
        #expect(ldap.enabled)
        #expect(ldap.connection["url"] == .plain("ldaps://ldap.example.com:636"))
        #expect(ldap.connection["bindPassword"] == .environment("KEYWARD_TEST_BIND"))
        #expect(ldap.generatePolicy == "strong")
        #expect(ldap.validatePolicies == ["corporate"])
        #expect(ldap.objectClass == "__ACCOUNT__")
        #expect(ldap.sendPasswordAttributesTogether == false)
        #expect(ldap.maxConcurrent == nil)
        #expect(ldap.attributes.map(\.name) == ["uid", "mail", "__PASSWORD__"])
        #expect(ldap.uidAttribute?.source == .identity("username"))
        #expect(ldap.passwordAttributes.map(\.name) == ["__PASSWORD__"])
        #expect(ldap.passwordAttributes.first?.transform == "scripts/pass.lua")
        #expect(folder.relative(ldap.location) == "connectors/ldap.yaml")
        #expect(ldap.attributes[2].location.line == 14)
    }

    @Test("without a declared schema, __PASSWORD__ is the seed's GuardedString, creatable, updatable, readable")
    func defaultSchema() throws {
        let folder = try ConfigFolder()
        let ldap = try #require(try folder.load().configuration.connectors.first)
        let password = try #require(ldap.schema.first { $0.name == "__PASSWORD__" })
        #expect(password == AttributeSchema.password)
        #expect(password.type == .guardedString && password.creatable && password.updatable && password.readable)
        #expect(ldap.schema.first { $0.name == "mail" } == AttributeSchema(name: "mail"))
    }

    @Test("a declared schema replaces the default, with its flags")
    func declaredSchema() throws {
        let folder = try ConfigFolder([
            "connectors/ldap.yaml": Baseline.ldap + """
                schema:
                  - { name: uid, required: true }
                  - { name: mail, multivalued: true, returnedByDefault: false }
                  - { name: __PASSWORD__ }
                  - { name: description, type: string, creatable: false }

                """
        ])
        let result = try folder.load()
        #expect(result.errors.isEmpty, "\(result.errors)")
        let schema = try #require(result.configuration.connectors.first?.schema)
        #expect(schema.map(\.name) == ["uid", "mail", "__PASSWORD__", "description"])
        #expect(schema[0].required)
        #expect(schema[1].multivalued && !schema[1].returnedByDefault)
        #expect(schema[2] == AttributeSchema.password)
        #expect(!schema[3].creatable)
    }

    @Test("a policy with every key decodes exactly")
    func fullPolicy() throws {
        let folder = try ConfigFolder([
            "extra-words.txt": "hunter2\ncorrecthorse\n",
            "keyward.yaml": Baseline.keyward + """
                  everything:
                    minLength: 16
                    maxLength: 64
                    classes: { upper: { min: 1 }, lower: { min: 1 }, digit: { min: 1 }, special: { min: 1, max: 4 }, umlauts: { characters: "äöü", min: 0 } }
                    minClasses: 3
                    prohibited: "\\"'`\\\\"
                    firstCharacter: [upper, lower]
                    lastCharacter: []
                    personalData: { minMatchLength: 4 }
                    dictionary: { builtin: true, files: [extra-words.txt] }
                    history: 5
                    minAge: 1d
                    maxAge: 90d
                    generate: { passphrase: { words: 5, separator: "-" } }

                """,
        ])
        let result = try folder.load()
        #expect(result.errors.isEmpty, "\(result.errors)")
        let policy = try #require(result.configuration.policies["everything"])
        #expect(policy.name == "everything")
        #expect(policy.minLength == 16 && policy.maxLength == 64)
        #expect(
            policy.classes == [
                CharacterClassRule(.upper, min: 1), CharacterClassRule(.lower, min: 1), CharacterClassRule(.digit, min: 1),
                CharacterClassRule(.special, min: 1, max: 4),
                CharacterClassRule(.custom(name: "umlauts", characters: ["ä", "ö", "ü"]), min: 0),
            ])
        #expect(policy.minClasses == 3)
        #expect(policy.prohibited == ["\"", "'", "`", "\\"])
        #expect(policy.firstCharacter == [.upper, .lower])
        #expect(policy.lastCharacter.isEmpty)
        #expect(policy.personalData == PersonalDataRule(minMatchLength: 4))
        #expect(policy.dictionary == DictionaryRule(builtin: true, files: ["extra-words.txt"]))
        #expect(policy.history == 5)
        #expect(policy.minAgeSeconds == 86_400)
        #expect(policy.maxAgeSeconds == 90 * 86_400)
        #expect(policy.generation == .passphrase(words: 5, separator: "-"))
    }

    @Test(
        "generation styles",
        arguments: [
            ("characters", GenerationStyle.characters(length: nil)),
            ("{ characters: { length: 24 } }", .characters(length: 24)),
            ("{ characters: }", .characters(length: nil)),
            ("passphrase", .passphrase(words: 5, separator: "-")),
            ("{ passphrase: { words: 7 } }", .passphrase(words: 7, separator: "-")),
            ("{ passphrase: { separator: \" \" } }", .passphrase(words: 5, separator: " ")),
        ])
    func generation(_ written: String, _ style: GenerationStyle) throws {
        let folder = try ConfigFolder(["keyward.yaml": Baseline.keyward + "  other: { minLength: 12, maxLength: 64, generate: \(written) }\n"])
        let result = try folder.load()
        #expect(result.configuration.policies["other"]?.generation == style, "\(result.errors)")
    }

    @Test("durations", arguments: [("30s", 30), ("15m", 900), ("12h", 43_200), ("1d", 86_400), ("90d", 7_776_000), ("2w", 1_209_600)])
    func durations(_ written: String, _ seconds: Int) throws {
        let folder = try ConfigFolder(["keyward.yaml": Baseline.keyward + "  aged: { maxAge: \(written) }\n"])
        #expect(try folder.load().configuration.policies["aged"]?.maxAgeSeconds == seconds)
    }

    @Test("`personalData: true` and `dictionary: true` take the defaults; false turns them off")
    func flags() throws {
        let folder = try ConfigFolder([
            "keyward.yaml": Baseline.keyward + "  on: { personalData: true, dictionary: true }\n  off: { personalData: false, dictionary: false }\n"
        ])
        let policies = try folder.load().configuration.policies
        #expect(policies["on"]?.personalData == PersonalDataRule(minMatchLength: 3))
        #expect(policies["on"]?.dictionary == DictionaryRule(builtin: true, files: []))
        #expect(policies["off"]?.personalData == nil)
        #expect(policies["off"]?.dictionary == nil)
    }

    @Test("constants keep their text, whatever YAML reads them as")
    func constants() throws {
        let folder = try ConfigFolder([
            "connectors/ldap.yaml": Baseline.ldap.replacingOccurrences(
                of: "    - { name: mail, source: email }",
                with: "    - { name: enabled, constant: true }\n    - { name: quota, constant: 1024 }\n    - { name: o, constant: \"Example\" }")
        ])
        let result = try folder.load()
        #expect(result.errors.isEmpty, "\(result.errors)")
        let sources = result.configuration.connectors.first?.attributes.map(\.source)
        #expect(sources == [.identity("username"), .constant("true"), .constant("1024"), .constant("Example"), .none])
    }

    @Test("`name:` overrides the file name")
    func nameOverride() throws {
        let folder = try ConfigFolder(["connectors/ldap.yaml": Baseline.ldap.replacingOccurrences(of: "type: ldap\n", with: "type: ldap\nname: people\n")])
        #expect(try folder.load().configuration.connectors.map(\.name) == ["people"])
    }

    @Test("*.yaml.example is loaded only when asked; *.yml is not loaded, with a warning")
    func examples() throws {
        let folder = try ConfigFolder(["connectors/hr.yaml.example": Baseline.ldap, "connectors/old.yml": Baseline.ldap])
        let plain = try folder.load()
        #expect(plain.configuration.connectors.map(\.name) == ["ldap"])
        #expect(plain.warnings.contains { $0.message.contains("rename it to `old.yaml`") })
        let withExamples = try folder.load(examples: true)
        #expect(withExamples.errors.isEmpty, "\(withExamples.errors)")
        #expect(withExamples.configuration.connectors.map(\.name) == ["hr", "ldap"])
    }

    @Test("with examples, a template whose copy is enabled beside it is left to the copy")
    func shadowedExample() throws {
        let folder = try ConfigFolder(["connectors/ldap.yaml.example": Baseline.ldap.replacingOccurrences(of: "type: ldap", with: "type: broken")])
        let result = try folder.load(examples: true)
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.connectorFiles.map { folder.relative(SourceLocation(file: $0, line: 1, column: 1)) } == ["connectors/ldap.yaml"])
    }

    @Test("connectorsDirectory moves the connector files")
    func connectorsDirectory() throws {
        let folder = try ConfigFolder([
            "keyward.yaml": Baseline.keyward.replacingOccurrences(of: "store:", with: "connectorsDirectory: systems\nstore:"),
            "connectors/ldap.yaml": "",
            "systems/directory.yaml": Baseline.ldap,
        ])
        let result = try folder.load()
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.configuration.connectors.map(\.name) == ["directory"])
    }

    @Test("every problem is reported at once, across files, and the good connectors still load")
    func allProblemsAtOnce() throws {
        let folder = try ConfigFolder([
            "keyward.yaml": Baseline.keyward.replacingOccurrences(of: "store:", with: "stroe:"),
            "connectors/bad.yaml": """
                type: ldpa
                enabled: maybe
                passwordPolicy: { generate: nope }
                mapping:
                  attributes:
                    - { name: __PASSWORD__ }

                """,
        ])
        let result = try folder.load()
        let places = result.errors.map { "\(folder.relative($0.location) ?? ""):\($0.location?.line ?? 0)" }
        #expect(places.contains("keyward.yaml:2"))
        #expect(places.contains("connectors/bad.yaml:1"))
        #expect(places.contains("connectors/bad.yaml:2"))
        #expect(places.contains("connectors/bad.yaml:3"))
        #expect(places.filter { $0 == "connectors/bad.yaml:6" }.count >= 2, "no flag and no transform: \(places)")
        #expect(result.configuration.connectors.map(\.name) == ["ldap"])
    }

    @Test("a reference is allowed in a field that is not secret; a literal secret never reaches the definition")
    func references() throws {
        let folder = try ConfigFolder([
            "connectors/ldap.yaml": Baseline.ldap.replacingOccurrences(of: "url: ldaps://ldap.example.com:636", with: "url: ${env:LDAP_URL}"),
            "connectors/other.yaml": Baseline.ldap.replacingOccurrences(of: "${env:KEYWARD_TEST_BIND}", with: "plain-secret-literal"),
        ])
        let result = try folder.load()
        #expect(result.configuration.connectors.first { $0.name == "ldap" }?.connection["url"] == .environment("LDAP_URL"))
        #expect(result.configuration.connectors.first { $0.name == "other" } == nil)
        #expect(result.errors.count == 1)
        #expect(result.errors.allSatisfy { !$0.description.contains("plain-secret-literal") })
    }

    @Test("allowReveal reaches the script's limits and quiets the checker's reveal() rule")
    func allowReveal() throws {
        let script = "if attributeValue == nil then\n  return nil\nend\nlocal text = attributeValue:reveal()\nreturn attributeValue\n"
        let folder = try ConfigFolder([
            "scripts/pass.lua": script,
            "connectors/ldap.yaml": Baseline.ldap.replacingOccurrences(of: "transform: scripts/pass.lua }", with: "transform: scripts/pass.lua, allowReveal: true }"),
        ])
        let result = try folder.load()
        #expect(result.errors.isEmpty, "\(result.errors)")
        let configuration = result.configuration
        let password = try #require(configuration.connectors.first?.passwordAttributes.first)
        #expect(password.allowReveal)
        #expect(configuration.scriptLimits(for: password).allowReveal)
        #expect(configuration.scriptLimits(for: password).instructions == 500_000)
    }

    @Test("a checker warning is a warning: the configuration stays valid")
    func checkerWarning() throws {
        let folder = try ConfigFolder(["scripts/pass.lua": "return attributeValue:upper()\n"])
        let result = try folder.load()
        #expect(result.isValid, "\(result.errors)")
        #expect(result.warnings.contains { $0.code == .scriptFinding && $0.message.hasPrefix("KW006") && $0.location?.line == 1 })
    }

    @Test("generate and validate policies: the system's, else the defaults")
    func policyFallbacks() throws {
        let folder = try ConfigFolder([
            "connectors/plain.yaml": Baseline.ldap.replacingOccurrences(of: "passwordPolicy:\n  generate: strong\n  validate: [corporate]\n", with: "")
        ])
        let result = try folder.load()
        #expect(result.errors.isEmpty, "\(result.errors)")
        let configuration = result.configuration
        let plain = try #require(configuration.connectors.first { $0.name == "plain" })
        #expect(plain.generatePolicy == nil)
        #expect(configuration.generatePolicy(for: plain)?.name == "strong")
        #expect(configuration.validatePolicies(for: plain).map(\.name) == ["corporate"])
        let ldap = try #require(configuration.connectors.first { $0.name == "ldap" })
        #expect(configuration.validatePolicies(for: ldap).map(\.name) == ["corporate"], "the default is not repeated")
    }

    @Test("a keyward.yaml that is missing is thrown, not reported")
    func missingMain() throws {
        let folder = try ConfigFolder(["keyward.yaml": ""])
        #expect(throws: ConfigurationError.self) { try folder.load() }
        do {
            _ = try folder.load()
        } catch let error as ConfigurationError {
            #expect(error.code == .unreadable)
            #expect(error.message == "no such file")
        }
    }

    @Test("the shipped keyward.yaml, the demo and every connectors/*.yaml.example load without a problem")
    func shipped() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let result = try ConfigurationLoader(path: root.appendingPathComponent("keyward.yaml").path, includeExamples: true).load()
        #expect(result.errors.isEmpty, "\(result.errors.map(\.description))")
        #expect(result.warnings.isEmpty, "\(result.warnings.map(\.description))")
        #expect(result.configuration.connectors.map(\.name) == ["ad", "demo-hr", "entra", "ldap", "plugin-example", "servicenow", "sql-postgres"])
        #expect(result.configuration.connectors.allSatisfy { $0.passwordAttributes.first?.name == "__PASSWORD__" })
        #expect(result.configuration.policies.keys.sorted() == ["corporate", "passphrase", "strong"])
    }
}
