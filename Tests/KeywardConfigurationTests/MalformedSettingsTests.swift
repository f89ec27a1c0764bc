import Foundation
import KeywardConfiguration
import KeywardTestSupport
import Testing

/// Malformed `keyward.yaml` files and policies: each must produce its error
/// at the right line and column, with a message that says what to do.
@Suite("Malformed keyward.yaml and policies", .offThePool)
struct MalformedSettingsTests {
    static let main = "keyward.yaml"

    /// A keyward.yaml whose `strong` policy is `policy` (lines 9 onwards, indented 4).
    static func strong(_ policy: String) -> [String: String] {
        [
            main: """
                version: 2
                defaults:
                  generate: strong
                  validate: [corporate]
                policies:
                  corporate:
                    minLength: 12
                  strong:
                \(policy)

                """
        ]
    }

    static func replacing(_ old: String, with new: String) -> [String: String] {
        [main: Baseline.keyward.replacingOccurrences(of: old, with: new)]
    }

    static let cases: [MalformedCase] = [
        MalformedCase(
            "an unknown top-level key, with a did-you-mean", replacing("policies:", with: "polices:"),
            file: main, line: 7, column: 1, code: .unknownKey, gist: ["unknown key `polices`", "did you mean `policies`?"]),
        MalformedCase(
            "a missing version points to migrate", replacing("version: 2\n", with: ""),
            file: main, line: 1, column: 1, code: .missingField, gist: ["missing required key `version`", "keyward config migrate"]),
        MalformedCase(
            "version 1 points to migrate", replacing("version: 2", with: "version: 1"),
            file: main, line: 1, column: 10, code: .unsupportedVersion, gist: ["version 1", "run `keyward config migrate`"]),
        MalformedCase(
            "a version from the future", replacing("version: 2", with: "version: 3"),
            file: main, line: 1, column: 10, code: .unsupportedVersion, gist: ["upgrade Keyward"]),
        MalformedCase(
            "a version that is not a number", replacing("version: 2", with: "version: two"),
            file: main, line: 1, column: 10, code: .wrongType, gist: ["`version`: expected a version number, got a string"]),
        MalformedCase(
            "a store that is neither SQLite nor PostgreSQL", replacing("store: sqlite:keyward.db", with: "store: mysql://db/keyward"),
            file: main, line: 2, column: 8, code: .invalidValue, gist: ["`sqlite:PATH`", "postgres://"]),
        MalformedCase(
            "a PostgreSQL URL with a password", replacing("store: sqlite:keyward.db", with: "store: postgres://keyward:\(Canary.password)@db/keyward"),
            file: main, line: 2, column: 8, code: .literalSecret, gist: ["`store` is a URL with a password in it", "PGPASSWORD"], absent: [Canary.password]),
        MalformedCase(
            "a script limit out of range", replacing("instructions: 500000", with: "instructions: 10"),
            file: main, line: 3, column: 25, code: .invalidValue, gist: ["`limits.instructions` must be between 1000 and 1000000000"]),
        MalformedCase(
            "an unknown limit, with a did-you-mean", replacing("timeLimitMs: 50", with: "timeLimit: 50"),
            file: main, line: 3, column: 55, code: .unknownKey, gist: ["unknown key `timeLimit` in `limits`", "did you mean `timeLimitMs`?"]),
        MalformedCase(
            "an undefined default validate policy", replacing("validate: [corporate]", with: "validate: [corprate]"),
            file: main, line: 6, column: 14, code: .undefinedPolicy, gist: ["policy `corprate` is not defined", "did you mean `corporate`?"]),
        MalformedCase(
            "default validate policies as a string", replacing("validate: [corporate]", with: "validate: corporate"),
            file: main, line: 6, column: 13, code: .wrongType, gist: ["expected a list of policy names, got a string"]),
        MalformedCase(
            "a main file that is a list", [main: "- version: 2\n"],
            file: main, line: 1, column: 1, code: .wrongType, gist: ["expected a mapping (the main configuration), got a list"]),
        MalformedCase(
            "connectorsDirectory that does not exist", replacing("store: sqlite:keyward.db", with: "store: sqlite:keyward.db\nconnectorsDirectory: systems"),
            file: main, line: 3, column: 22, code: .fileNotFound, gist: ["`connectorsDirectory` `systems` is not a folder"]),
        MalformedCase(
            "invalid YAML: an unclosed bracket", replacing("validate: [corporate]", with: "validate: [corporate"),
            file: main, line: 6, column: 13, code: .yamlSyntax, gist: ["invalid YAML", "a `[` that is not closed"]),
        MalformedCase(
            "invalid YAML: a tab in the indentation", replacing("  generate: strong", with: "\tgenerate: strong"),
            file: main, line: 5, column: 1, code: .yamlSyntax, gist: ["a tab character", "spaces only"]),
        MalformedCase(
            "invalid YAML: bad indentation", replacing("  validate: [corporate]", with: "   validate: [corporate]"),
            file: main, line: 6, code: .yamlSyntax, gist: ["invalid YAML"]),
        MalformedCase(
            "invalid YAML: a duplicate key", replacing("store: sqlite:keyward.db", with: "store: sqlite:keyward.db\nstore: sqlite:other.db"),
            file: main, line: 2, column: 1, code: .yamlSyntax, gist: ["duplicate key `store`"]),
        MalformedCase(
            "invalid YAML: two documents", [main: Baseline.keyward + "---\nversion: 2\n"],
            file: main, line: 22, column: 1, code: .yamlSyntax, gist: ["a second YAML document"]),
        MalformedCase(
            "a bad duration", strong("    minAge: 90days"),
            file: main, line: 9, column: 13, code: .invalidValue, gist: ["`policies.strong.minAge`: `90days` is not a duration", "`90d`"]),
        MalformedCase(
            "a duration without a unit", strong("    maxAge: 90"),
            file: main, line: 9, column: 13, code: .invalidValue, gist: ["not a duration"]),
        MalformedCase(
            "a negative length", strong("    minLength: -1"),
            file: main, line: 9, column: 16, code: .invalidValue, gist: ["`policies.strong.minLength` must be at least 1 (it is -1)"]),
        MalformedCase(
            "min length above max length", strong("    minLength: 20\n    maxLength: 16"),
            file: main, line: 9, column: 16, code: .invalidValue, gist: ["`minLength` (20) is greater than `maxLength` (16)"]),
        MalformedCase(
            "a class min above its max", strong("    classes:\n      special: { min: 5, max: 2 }"),
            file: main, line: 10, column: 23, code: .invalidValue, gist: ["class `special`: `min` (5) is greater than `max` (2)"]),
        MalformedCase(
            "an unknown character class, with a did-you-mean", strong("    classes:\n      uper: { min: 1 }"),
            file: main, line: 10, column: 7, code: .invalidValue, gist: ["unknown character class `uper`", "did you mean `upper`?", "`characters`"]),
        MalformedCase(
            "a built-in class with characters", strong("    classes:\n      digit: { characters: \"0123\" }"),
            file: main, line: 10, column: 16, code: .invalidValue, gist: ["`digit` is a built-in class"]),
        MalformedCase(
            "a custom class without characters", strong("    classes:\n      umlauts: { characters: \"\" }"),
            file: main, line: 10, column: 30, code: .invalidValue, gist: ["`policies.strong.classes.umlauts.characters` is empty"]),
        MalformedCase(
            "an unknown class as first character", strong("    firstCharacter: [upper, letter]"),
            file: main, line: 9, column: 29, code: .invalidValue, gist: ["unknown character class `letter`"]),
        MalformedCase(
            "a negative history", strong("    history: -3"),
            file: main, line: 9, column: 14, code: .invalidValue, gist: ["`policies.strong.history` must not be negative"]),
        MalformedCase(
            "min age above max age", strong("    minAge: 30d\n    maxAge: 1d"),
            file: main, line: 9, column: 13, code: .invalidValue, gist: ["`minAge` is longer than `maxAge`"]),
        MalformedCase(
            "more classes required than listed", strong("    classes: { upper: {}, lower: {} }\n    minClasses: 3"),
            file: main, line: 10, column: 17, code: .invalidValue, gist: ["`minClasses` is 3", "lists only 2 classes"]),
        MalformedCase(
            "a dictionary file that does not exist", strong("    dictionary: { files: [words/extra.txt] }"),
            file: main, line: 9, column: 27, code: .fileNotFound, gist: ["dictionary file `words/extra.txt` does not exist"]),
        MalformedCase(
            "personalData of the wrong type", strong("    personalData: always"),
            file: main, line: 9, column: 19, code: .wrongType, gist: ["expected true, false, or `{ minMatchLength: 3 }`, got a string"]),
        MalformedCase(
            "an unknown generation style", strong("    generate: random"),
            file: main, line: 9, column: 15, code: .invalidValue, gist: ["`generate` is `characters` or `passphrase`"]),
        MalformedCase(
            "two generation styles at once", strong("    generate: { characters: {}, passphrase: {} }"),
            file: main, line: 9, column: 15, code: .invalidValue, gist: ["takes one style"]),
        MalformedCase(
            "prohibited characters as a list", strong("    prohibited: [a, b]"),
            file: main, line: 9, column: 17, code: .wrongType, gist: ["expected a string of characters, got a list"]),
        MalformedCase(
            "an unknown policy key, with a did-you-mean", strong("    minLenght: 12"),
            file: main, line: 9, column: 5, code: .unknownKey, gist: ["unknown key `minLenght` in `policies.strong`", "did you mean `minLength`?"]),
        MalformedCase(
            "a generate policy that cannot generate at all", strong("    maxLength: 16\n    classes: { upper: { min: 10 }, lower: { min: 10 } }"),
            file: main, line: 3, column: 13, code: .infeasiblePolicy,
            gist: ["generate policy `strong` (paired with `corporate`) cannot generate a password"]),
        MalformedCase(
            "a generate policy its paired validate policy rejects", [main: Baseline.keyward + "  legacy: { minLength: 6, maxLength: 8 }\n"]
                .merging(["connectors/ldap.yaml": Baseline.ldap.replacingOccurrences(of: "validate: [corporate]", with: "validate: [legacy]")]) { $1 },
            file: "connectors/ldap.yaml", line: 8, column: 13, code: .infeasiblePolicy,
            gist: ["generate policy `strong` (paired with `legacy` and `corporate`) cannot generate a password", "legacy"]),
        MalformedCase(
            "a passphrase too long for the paired validate policy",
            [main: Baseline.keyward.replacingOccurrences(of: "generate: strong", with: "generate: words") + "  words: { minLength: 12, maxLength: 64, generate: passphrase }\n  short: { maxLength: 14 }\n"]
                .merging(["connectors/ldap.yaml": Baseline.ldap.replacingOccurrences(of: "generate: strong\n  validate: [corporate]", with: "validate: [short]")]) { $1 },
            file: "connectors/ldap.yaml", line: 8, column: 13, code: .infeasiblePolicy,
            gist: ["generate policy `words` (paired with `short` and `corporate`) cannot generate a password"]),
        MalformedCase(
            "a policy name with spaces", [main: Baseline.keyward + "  my policy: { minLength: 12 }\n"],
            file: main, line: 22, column: 3, code: .invalidValue, gist: ["policy name `my policy`"]),
    ]

    @Test("each malformed keyward.yaml is reported at its line and column", arguments: cases)
    func malformed(_ testCase: MalformedCase) throws {
        try testCase.verify()
    }
}
