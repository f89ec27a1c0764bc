import Foundation
import KeywardConfiguration
import KeywardTestSupport
import Testing

/// Malformed connector files: each must produce its error at the right file,
/// line and column, with a message that says what to do.
@Suite("Malformed connector files", .offThePool)
struct MalformedConnectorTests {
    static let ldap = "connectors/ldap.yaml"

    /// The baseline connector with `mapping.attributes` replaced by `attributes` (line 13 onwards).
    static func connector(attributes: String, extra: String = "") -> [String: String] {
        [
            ldap: """
                type: ldap
                connection:
                  url: ldaps://ldap.example.com:636
                  bindDN: cn=keyward,dc=example,dc=com
                  bindPassword: ${env:KEYWARD_TEST_BIND}
                  baseDN: ou=people,dc=example,dc=com
                passwordPolicy:
                  generate: strong
                  validate: [corporate]
                mapping:
                  attributes:
                \(attributes)
                \(extra)
                """
        ]
    }

    /// The baseline connector with `connection:` replaced (lines 3 onwards).
    static func connection(_ settings: String, type: String = "ldap") -> [String: String] {
        [
            ldap: """
                type: \(type)
                connection:
                \(settings)
                mapping:
                  attributes:
                    - { name: uid, source: username, uid: true }
                    - { name: __PASSWORD__, password: true, transform: scripts/pass.lua }

                """
        ]
    }

    static let cases: [MalformedCase] = [
        MalformedCase(
            "unknown key, with a did-you-mean", [ldap: Baseline.ldap.replacingOccurrences(of: "passwordPolicy:", with: "passwordPolicies:")],
            file: ldap, line: 7, column: 1, code: .unknownKey, gist: ["unknown key `passwordPolicies`", "did you mean `passwordPolicy`?"]),
        MalformedCase(
            "wrong type: a string where a list belongs", [ldap: Baseline.ldap.replacingOccurrences(of: "validate: [corporate]", with: "validate: corporate")],
            file: ldap, line: 9, column: 13, code: .wrongType, gist: ["`passwordPolicy.validate`", "expected a list of policy names, got a string", "[corporate]"]),
        MalformedCase(
            "a cap of no operations", [ldap: Baseline.ldap.replacingOccurrences(of: "type: ldap\n", with: "type: ldap\nmaxConcurrent: 0\n")],
            file: ldap, line: 2, column: 16, code: .invalidValue, gist: ["maxConcurrent", "at least 1"]),
        MalformedCase(
            "missing required field `type`", [ldap: Baseline.ldap.replacingOccurrences(of: "type: ldap\n", with: "")],
            file: ldap, line: 1, column: 1, code: .missingField, gist: ["missing required key `type`", "`ldap`"]),
        MalformedCase(
            "missing required field `mapping`", [ldap: "type: ldap\nconnection:\n  url: ldaps://h\n  bindDN: cn=k\n  bindPassword: ${env:X}\n  baseDN: o=x\n"],
            file: ldap, line: 1, column: 1, code: .missingField, gist: ["missing required key `mapping`"]),
        MalformedCase(
            "duplicate system name in two files", ["connectors/people.yaml": Baseline.ldap.replacingOccurrences(of: "type: ldap\n", with: "type: ldap\nname: ldap\n")],
            file: "connectors/people.yaml", line: 2, column: 7, code: .duplicateName, gist: ["system name `ldap` is already used by", "ldap.yaml"]),
        MalformedCase(
            "duplicate system name through `name:`",
            [
                "connectors/a.yaml": Baseline.ldap.replacingOccurrences(of: "type: ldap\n", with: "type: ldap\nname: hr\n"),
                "connectors/b.yaml": Baseline.ldap.replacingOccurrences(of: "type: ldap\n", with: "type: ldap\nname: hr\n"),
            ],
            file: "connectors/b.yaml", line: 2, column: 7, code: .duplicateName, gist: ["system name `hr`", "a.yaml:2:7"]),
        MalformedCase(
            "a script path that does not exist", connector(attributes: "    - { name: uid, source: username, uid: true }\n    - { name: __PASSWORD__, password: true, transform: scripts/missing.lua }"),
            file: ldap, line: 13, column: 56, code: .fileNotFound, gist: ["script `scripts/missing.lua` does not exist", "relative to the folder of keyward.yaml"]),
        MalformedCase(
            "an undefined policy, with a did-you-mean", [ldap: Baseline.ldap.replacingOccurrences(of: "generate: strong", with: "generate: strnog")],
            file: ldap, line: 8, column: 13, code: .undefinedPolicy, gist: ["policy `strnog` is not defined", "did you mean `strong`?"]),
        MalformedCase(
            "an undefined validate policy lists the defined ones", [ldap: Baseline.ldap.replacingOccurrences(of: "validate: [corporate]", with: "validate: [corporate, legal]")],
            file: ldap, line: 9, column: 25, code: .undefinedPolicy, gist: ["policy `legal` is not defined", "`corporate` and `strong`"]),
        MalformedCase(
            "a connector type that is not registered", [ldap: Baseline.ldap.replacingOccurrences(of: "type: ldap", with: "type: openldap")],
            file: ldap, line: 1, column: 7, code: .unknownConnectorType,
            gist: ["connector type `openldap` is not registered", "`ad`, `ldap`, `entra`, `servicenow`, `sql` and `external`"]),
        MalformedCase(
            "a misspelt connector type", [ldap: Baseline.ldap.replacingOccurrences(of: "type: ldap", with: "type: ldpa")],
            file: ldap, line: 1, column: 7, code: .unknownConnectorType, gist: ["did you mean `ldap`?"]),
        MalformedCase(
            "an attribute flagged uid twice",
            connector(attributes: "    - { name: uid, source: username, uid: true }\n    - { name: mail, source: email, uid: true }\n    - { name: __PASSWORD__, password: true, transform: scripts/pass.lua }"),
            file: ldap, line: 13, column: 7, code: .mappingRule, gist: ["`mail` is flagged `uid`, but `uid` already is (line 12)"]),
        MalformedCase(
            "__PASSWORD__ without password: true points to migrate",
            connector(attributes: "    - { name: uid, source: username, uid: true }\n    - { name: __PASSWORD__, transform: scripts/pass.lua }"),
            file: ldap, line: 13, column: 15, code: .passwordFlagMissing, gist: ["`__PASSWORD__` must be flagged `password: true`", "keyward config migrate"]),
        MalformedCase(
            "__PASSWORD__ with password: false",
            connector(attributes: "    - { name: uid, source: username, uid: true }\n    - { name: __PASSWORD__, password: false, transform: scripts/pass.lua }"),
            file: ldap, line: 13, column: 39, code: .passwordFlagMissing, gist: ["keyward config migrate"]),
        MalformedCase(
            "a password attribute without a transform script",
            connector(attributes: "    - { name: uid, source: username, uid: true }\n    - { name: __PASSWORD__, password: true, transform: scripts/pass.lua }\n    - { name: sambaNTPassword, password: true }"),
            file: ldap, line: 14, column: 7, code: .mappingRule, gist: ["password attribute `sambaNTPassword` has no `transform` script", "every password attribute is transformed"]),
        MalformedCase(
            "a password attribute with a source",
            connector(attributes: "    - { name: uid, source: username, uid: true }\n    - { name: __PASSWORD__, password: true, source: username, transform: scripts/pass.lua }"),
            file: ldap, line: 13, column: 45, code: .mappingRule, gist: ["takes the request's password; remove `source`"]),
        MalformedCase(
            "duplicate attribute names",
            connector(attributes: "    - { name: uid, source: username, uid: true }\n    - { name: mail, source: email }\n    - { name: mail, constant: x@example.com }\n    - { name: __PASSWORD__, password: true, transform: scripts/pass.lua }"),
            file: ldap, line: 14, column: 7, code: .duplicateName, gist: ["attribute `mail` is mapped twice (first at line 13)"]),
        MalformedCase(
            "`enabled` is not a boolean", [ldap: Baseline.ldap.replacingOccurrences(of: "type: ldap\n", with: "type: ldap\nenabled: \"yes\"\n")],
            file: ldap, line: 2, column: 10, code: .wrongType, gist: ["`enabled`: expected true or false, got a string"]),
        MalformedCase(
            "an empty mapping", connector(attributes: "    []"),
            file: ldap, line: 12, column: 5, code: .mappingRule, gist: ["`mapping.attributes` is empty"]),
        MalformedCase(
            "no uid attribute",
            connector(attributes: "    - { name: mail, source: email }\n    - { name: __PASSWORD__, password: true, transform: scripts/pass.lua }"),
            file: ldap, line: 12, column: 5, code: .mappingRule, gist: ["no attribute is flagged `uid: true`"]),
        MalformedCase(
            "an unknown identity source, with a did-you-mean",
            connector(attributes: "    - { name: uid, source: usrname, uid: true }\n    - { name: __PASSWORD__, password: true, transform: scripts/pass.lua }"),
            file: ldap, line: 12, column: 28, code: .invalidValue, gist: ["`usrname` is not an identity field", "did you mean `username`?", "`attributes.NAME`"]),
        MalformedCase(
            "an attribute with both source and constant",
            connector(attributes: "    - { name: uid, source: username, uid: true }\n    - { name: o, source: email, constant: Example }\n    - { name: __PASSWORD__, password: true, transform: scripts/pass.lua }"),
            file: ldap, line: 13, column: 33, code: .mappingRule, gist: ["both `source` and `constant`"]),
        MalformedCase(
            "an attribute without a value",
            connector(attributes: "    - { name: uid, source: username, uid: true }\n    - { name: description }\n    - { name: __PASSWORD__, password: true, transform: scripts/pass.lua }"),
            file: ldap, line: 13, column: 7, code: .mappingRule, gist: ["attribute `description` has no value"]),
        MalformedCase(
            "a transform on an attribute that is not a password",
            connector(attributes: "    - { name: uid, source: username, uid: true, transform: scripts/pass.lua }\n    - { name: __PASSWORD__, password: true, transform: scripts/pass.lua }"),
            file: ldap, line: 12, column: 49, code: .mappingRule, gist: ["`transform` applies to password attributes only"]),
        MalformedCase(
            "invalid YAML: a quote left open to the end of the file",
            connector(attributes: "    - { name: uid, source: username, uid: true }\n    - { name: __PASSWORD__, password: true, transform: \"scripts/pass.lua }"),
            file: ldap, line: 13, column: 56, code: .yamlSyntax, gist: ["the file ends inside a quoted string", "starts at line 13, column 56"]),
        MalformedCase(
            "an attribute that is not a mapping", connector(attributes: "    - uid\n    - { name: __PASSWORD__, password: true, transform: scripts/pass.lua }"),
            file: ldap, line: 12, column: 7, code: .wrongType, gist: ["`mapping.attributes[0]`: expected an attribute mapping", "got a string"]),
        MalformedCase(
            "an unknown attribute key, with a did-you-mean",
            connector(attributes: "    - { name: uid, source: username, uid: true }\n    - { name: __PASSWORD__, password: true, transfrom: scripts/pass.lua }"),
            file: ldap, line: 13, column: 45, code: .unknownKey, gist: ["unknown key `transfrom`", "did you mean `transform`?"]),
        MalformedCase(
            "a system name with a slash", [ldap: Baseline.ldap.replacingOccurrences(of: "type: ldap\n", with: "type: ldap\nname: hr/ldap\n")],
            file: ldap, line: 2, column: 7, code: .invalidValue, gist: ["`name` must be letters, digits"]),
        MalformedCase(
            "a connector file that is a list", [ldap: "- type: ldap\n"],
            file: ldap, line: 1, column: 1, code: .wrongType, gist: ["expected a mapping (a connector definition), got a list"]),
        MalformedCase(
            "an empty connector file", [ldap: "# nothing yet\n"],
            file: ldap, line: 1, column: 1, code: .missingField, gist: ["the file is empty", "`type:` and `mapping:`"]),
        MalformedCase(
            "a script with checker errors, at the script's own line and column",
            [
                "scripts/pass.lua": "if attributeValue == nil then\n  return nil\nend\nprint(attributeValue)\nreturn attributeValue\n"
            ],
            file: "scripts/pass.lua", line: 4, column: 1, code: .scriptFinding, gist: ["KW001", "fix:", "the `transform` of `__PASSWORD__`", "ldap.yaml:14:7"]),
        MalformedCase(
            "reveal() in a script whose attribute does not allow it",
            ["scripts/pass.lua": "if attributeValue == nil then\n  return nil\nend\nlocal plain = attributeValue:reveal()\nreturn attributeValue\n"],
            file: "scripts/pass.lua", line: 4, code: .scriptFinding, gist: ["KW004"]),
    ]

    static let twoAttributes = "    - { name: uid, source: username, uid: true }\n    - { name: __PASSWORD__, password: true, transform: scripts/pass.lua }"

    /// The two attributes above (lines 12 and 13) with `schema:` from line 14.
    static func schema(_ entries: String) -> [String: String] {
        connector(attributes: twoAttributes, extra: "schema:\n" + entries)
    }

    static let schemaCases: [MalformedCase] = [
        MalformedCase(
            "a mapped attribute missing from the declared schema", schema("  - { name: __PASSWORD__ }\n  - { name: uidNumber }"),
            file: ldap, line: 12, column: 7, code: .schemaMismatch, gist: ["attribute `uid` is mapped but not in the declared `schema`"]),
        MalformedCase(
            "__PASSWORD__ missing from a declared schema, with the seed's entry to add", schema("  - { name: uid }"),
            file: ldap, line: 13, column: 7, code: .schemaMismatch, gist: ["`__PASSWORD__`", "add `{ name: __PASSWORD__ }` to `schema`"]),
        MalformedCase(
            "a password attribute whose schema type is not guardedString", schema("  - { name: uid }\n  - { name: __PASSWORD__, type: string }"),
            file: ldap, line: 16, column: 5, code: .schemaMismatch, gist: ["declares password attribute `__PASSWORD__` as `string`", "`guardedString`"]),
        MalformedCase(
            "a uid attribute that is not readable", schema("  - { name: uid, readable: false }\n  - { name: __PASSWORD__ }"),
            file: ldap, line: 15, column: 5, code: .schemaMismatch, gist: ["uid attribute `uid` is not `readable`"]),
        MalformedCase(
            "a password attribute that is not updatable", schema("  - { name: uid }\n  - { name: __PASSWORD__, updatable: false }"),
            file: ldap, line: 16, column: 5, code: .schemaMismatch, gist: ["must be creatable and updatable"]),
        MalformedCase(
            "a required schema attribute that is not mapped", schema("  - { name: uid }\n  - { name: __PASSWORD__ }\n  - { name: cn, required: true }"),
            file: ldap, line: 17, column: 5, code: .schemaMismatch, gist: ["`cn` is required on create, but the mapping does not map it"]),
        MalformedCase(
            "a guardedString attribute not flagged as a password", schema("  - { name: uid, type: guardedString }\n  - { name: __PASSWORD__ }"),
            file: ldap, line: 12, column: 7, code: .schemaMismatch, gist: ["declares `uid` as `guardedString`, but the mapping does not flag it `password: true`"]),
        MalformedCase(
            "an unknown schema type, with a did-you-mean", schema("  - { name: uid, type: strng }\n  - { name: __PASSWORD__ }"),
            file: ldap, line: 15, column: 24, code: .invalidValue, gist: ["unknown attribute type `strng`", "did you mean `string`?"]),
        MalformedCase(
            "an attribute declared twice in the schema", schema("  - { name: uid }\n  - { name: uid }\n  - { name: __PASSWORD__ }"),
            file: ldap, line: 16, column: 5, code: .duplicateName, gist: ["`uid` is declared twice in `schema` (first at line 15)"]),
        MalformedCase(
            "a schema that is not a list", schema("  uid: string"),
            file: ldap, line: 15, column: 3, code: .wrongType, gist: ["`schema`: expected a list of attribute schemas", "got a mapping"]),
    ]

    @Test("a declared schema and the mapping are checked against each other", arguments: schemaCases)
    func schemaMismatch(_ testCase: MalformedCase) throws {
        try testCase.verify()
    }

    @Test("each malformed connector file is reported at its file, line and column", arguments: cases)
    func malformed(_ testCase: MalformedCase) throws {
        try testCase.verify()
    }

    static let canary = Canary.password

    static let secretCases: [MalformedCase] = [
        MalformedCase(
            "a literal secret, never echoed", connection("  url: ldaps://h:636\n  bindDN: cn=k\n  bindPassword: \(canary)\n  baseDN: o=x"),
            file: ldap, line: 5, column: 17, code: .literalSecret,
            gist: ["`connection.bindPassword` is a secret field and holds a literal value (not repeated here)", "${env:NAME}"], absent: [canary]),
        MalformedCase(
            "a literal secret that YAML reads as a number", connection("  url: ldaps://h:636\n  bindDN: cn=k\n  bindPassword: 73519024\n  baseDN: o=x"),
            file: ldap, line: 5, column: 17, code: .literalSecret, gist: ["holds a literal value"], absent: ["73519024"]),
        MalformedCase(
            "a literal secret in a field named like one (an open type)", connection("  url: jdbc:h2:mem\n  apiToken: \(canary)", type: "sql"),
            file: ldap, line: 4, column: 13, code: .literalSecret, gist: ["`connection.apiToken` is a secret field"], absent: [canary]),
        MalformedCase(
            "a literal secret quoted", connection("  instanceURL: https://x.service-now.com\n  username: k\n  password: \"\(canary)\"", type: "servicenow"),
            file: ldap, line: 5, column: 13, code: .literalSecret, gist: ["not repeated here"], absent: [canary]),
        MalformedCase(
            "a password inside a URL", connection("  url: ldaps://admin:\(canary)@h:636\n  bindDN: cn=k\n  bindPassword: ${env:X}\n  baseDN: o=x"),
            file: ldap, line: 3, column: 8, code: .literalSecret, gist: ["a URL with a password in it"], absent: [canary]),
        MalformedCase(
            "bad secret reference syntax: unknown kind", connection("  url: ldaps://h:636\n  bindDN: cn=k\n  bindPassword: ${vault:\(canary)}\n  baseDN: o=x"),
            file: ldap, line: 5, column: 17, code: .badSecretReference, gist: ["not a valid reference", "only `${env:NAME}` and `${file:PATH}`"], absent: [canary]),
        MalformedCase(
            "bad secret reference syntax: a bad variable name", connection("  url: ldaps://h:636\n  bindDN: cn=k\n  bindPassword: ${env:1-BIND}\n  baseDN: o=x"),
            file: ldap, line: 5, column: 17, code: .badSecretReference, gist: ["letters, digits and `_`"]),
        MalformedCase(
            "bad secret reference syntax: text around it", connection("  url: ldaps://h:636\n  bindDN: cn=k\n  bindPassword: x${env:BIND}\n  baseDN: o=x"),
            file: ldap, line: 5, column: 17, code: .badSecretReference, gist: ["with nothing around it"]),
        MalformedCase(
            "a missing required connection setting", connection("  url: ldaps://h:636\n  bindDN: cn=k\n  baseDN: o=x"),
            file: ldap, line: 3, column: 3, code: .missingField, gist: ["missing required key `bindPassword` in `connection`"]),
        MalformedCase(
            "an unknown connection setting, with a did-you-mean", connection("  url: ldaps://h:636\n  bindDn: cn=k\n  bindPassword: ${env:X}\n  baseDN: o=x"),
            file: ldap, line: 4, column: 3, code: .unknownKey, gist: ["unknown key `bindDn` in `connection`", "did you mean `bindDN`?"]),
        MalformedCase(
            "ldap:// without StartTLS", connection("  url: ldap://h:389\n  bindDN: cn=k\n  bindPassword: ${env:X}\n  baseDN: o=x"),
            file: ldap, line: 3, column: 8, code: .invalidValue, gist: ["ldap:// without `startTLS: true`", "in clear"]),
        MalformedCase(
            "a ServiceNow URL that is not https", connection("  instanceURL: http://x.service-now.com\n  username: k\n  password: ${env:X}", type: "servicenow"),
            file: ldap, line: 3, column: 16, code: .invalidValue, gist: ["must be a URL starting with `https://`"]),
    ]

    @Test("secret fields: literals and bad references are errors that never echo the value", arguments: secretCases)
    func secrets(_ testCase: MalformedCase) throws {
        try testCase.verify()
    }
}
