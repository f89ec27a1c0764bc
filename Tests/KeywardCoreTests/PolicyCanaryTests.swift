import KeywardCore
import KeywardTestSupport
import Testing

/// The canary password, refused by every rule, never shows in a message,
/// description or reflection of the violations and errors.
@Suite("Policy: canary", .offThePool)
struct PolicyCanaryTests {
    static let fragments = [Canary.password, "CANARY", "canary", "7f3a9c", "P@ss", "p@ss"]

    static func renderings(_ value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return [String(describing: value), String(reflecting: value), dumped, "\(value)"]
    }

    static func expectNoCanary(in value: Any, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        for text in renderings(value) {
            for fragment in fragments {
                #expect(!text.contains(fragment), "\(fragment) leaked", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func violationsOfEveryRuleHoldNoPartOfThePassword() {
        let canary = GuardedString(Canary.password)
        // The canary: 21 scalars, upper K C A N R Y P, lower w a f c s s, digits 7 3 9, specials - - - @.
        let tooShort = PasswordPolicy(
            name: "strict", minLength: 30, maxLength: 64,
            classes: [
                CharacterClassRule(.upper, max: 2), CharacterClassRule(.lower, min: 10), CharacterClassRule(.digit, min: 5),
                CharacterClassRule(.special, max: 1), CharacterClassRule(PolicyFixtures.umlauts, min: 1),
            ],
            minClasses: 5, prohibited: ["@", "-"], firstCharacter: [.digit], lastCharacter: [.special],
            personalData: PersonalDataRule(minMatchLength: 3), dictionary: DictionaryRule(), history: 3, minAgeSeconds: 86_400)
        let tooLong = PasswordPolicy(name: "short", minLength: 1, maxLength: 8)
        let identity = Identity(username: "kw-canary", givenName: "Canary", familyName: "Pass", email: "canary@example.com")
        var history = PasswordHistory(iterations: 100)
        history.record(canary, keeping: 3)
        let now = PasswordTimestamp(secondsSince1970: 1_700_000_000)

        let violations =
            PasswordValidator(policy: tooShort, commonPasswords: CommonPasswordList([Canary.password, "kw-canary"]))
            .violations(of: canary, identity: identity, history: history, lastChanged: now, now: now)
            + PasswordValidator(policy: tooLong).violations(of: canary)
        #expect(
            Set(violations.map(\.rule)) == [
                "minLength", "maxLength", "class.upper", "class.lower", "class.digit", "class.special", "class.custom.umlauts",
                "minClasses", "prohibited", "firstCharacter", "lastCharacter", "personalData", "dictionary", "history",
                "minAge",
            ])
        Self.expectNoCanary(in: violations)
        for violation in violations {
            Self.expectNoCanary(in: violation)
            Self.expectNoCanary(in: violation.message)
        }
        Self.expectNoCanary(in: history)
    }

    @Test func generatorErrorsHoldNoCandidate() {
        // Every candidate the generator could make is on the list.
        let pins = (0..<100).map { $0 < 10 ? "0\($0)" : "\($0)" }
        let policy = PasswordPolicy(
            name: "pin", minLength: 2, maxLength: 2, classes: [CharacterClassRule(.digit)], dictionary: DictionaryRule())
        do {
            _ = try PasswordGenerator(policy: policy, commonPasswords: CommonPasswordList(pins)).generate()
            Issue.record("expected the generator to give up")
        } catch {
            for text in Self.renderings(error) {
                for pin in pins {
                    #expect(!text.contains("\"\(pin)\""), "a candidate leaked")
                }
            }
        }
    }
}
