import KeywardCore
import KeywardTestSupport
import Testing

/// Each rule of a policy, broken and kept, and all broken at once.
@Suite("Policy: validator", .offThePool)
struct PolicyValidatorTests {
    typealias F = PolicyFixtures

    @Test func lengthCountsUnicodeScalars() {
        let policy = PasswordPolicy(name: "p", minLength: 4, maxLength: 6)
        #expect(F.rules("abc", policy) == ["minLength"])
        #expect(F.rules("abcd", policy) == [])
        #expect(F.rules("abcdef", policy) == [])
        #expect(F.rules("abcdefg", policy) == ["maxLength"])
        // "é" precomposed is one scalar, decomposed two.
        #expect(F.rules("ab\u{E9}", policy) == ["minLength"])
        #expect(F.rules("abe\u{301}", policy) == [])
        #expect(F.rules("🙂🙂🙂🙂", policy) == [])
    }

    @Test(arguments: [
        (CharacterClass.upper, "abcABC", "abcAB"),
        (.lower, "ABCabc", "ABCab"),
        (.digit, "abc123", "abc12"),
        (.special, "abc!-?", "abc!-"),
        (PolicyFixtures.umlauts, "abcäöü", "abcäö"),
    ])
    func classMinimum(characterClass: CharacterClass, enough: String, tooFew: String) {
        let policy = PasswordPolicy(name: "p", minLength: 1, classes: [CharacterClassRule(characterClass, min: 3)])
        #expect(F.rules(enough, policy) == [])
        let violations = F.violations(tooFew, policy)
        #expect(violations.map(\.rule) == [characterClass.ruleID])
        #expect(violations.first?.message.hasPrefix("Use at least 3 ") == true)
    }

    @Test func classMaximum() {
        let policy = PasswordPolicy(
            name: "p", minLength: 1,
            classes: [CharacterClassRule(.digit, max: 2), CharacterClassRule(.special, max: 0)])
        #expect(F.rules("ab12", policy) == [])
        #expect(F.rules("a123", policy) == ["class.digit"])
        #expect(F.violations("a123", policy).first?.message == "Use at most 2 digits (0–9).")
        #expect(F.violations("a!", policy).first?.message.hasPrefix("Do not use special characters") == true)
    }

    @Test func ruleIDs() {
        #expect(CharacterClass.upper.ruleID == "class.upper")
        #expect(CharacterClass.special.ruleID == "class.special")
        #expect(F.umlauts.ruleID == "class.custom.umlauts")
    }

    @Test func specialIsASCIIPunctuation() {
        let policy = PasswordPolicy(name: "p", minLength: 1, classes: [CharacterClassRule(.special, min: 1)])
        for character in ##"!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"## {
            #expect(F.rules("a\(character)", policy) == [], "\(character)")
        }
        for text in ["a b", "a€", "a§", "aä"] {
            #expect(F.rules(text, policy) == ["class.special"], "\(text)")
        }
    }

    @Test func minClassesCountsListedClasses() {
        let listed = PasswordPolicy(
            name: "p", minLength: 1,
            classes: [CharacterClassRule(.upper), CharacterClassRule(.lower), CharacterClassRule(.digit)], minClasses: 3)
        #expect(F.rules("aB1", listed) == [])
        #expect(F.rules("aB!", listed) == ["minClasses"])  // "!" is not a listed class
        let unlisted = PasswordPolicy(name: "p", minLength: 1, minClasses: 3)
        #expect(F.rules("aB!", unlisted) == [])
        #expect(F.rules("aBc", unlisted) == ["minClasses"])
        #expect(F.violations("aBc", unlisted).first?.message.contains("at least 3 of these kinds") == true)
    }

    @Test func prohibitedCharacters() {
        let policy = PasswordPolicy(name: "p", minLength: 1, prohibited: ["'", " ", "ä"])
        #expect(F.rules("abc", policy) == [])
        #expect(F.rules("a'b", policy) == ["prohibited"])
        #expect(F.rules("a b", policy) == ["prohibited"])
        #expect(F.rules("aäb", policy) == ["prohibited"])
        let message = F.violations("a b", policy).first?.message ?? ""
        #expect(message == "Do not use any of these characters: space ' ä.")
    }

    @Test func firstAndLastCharacter() {
        let policy = PasswordPolicy(name: "p", minLength: 1, firstCharacter: [.upper, .lower], lastCharacter: [.digit])
        #expect(F.rules("Abc1", policy) == [])
        #expect(F.rules("abc1", policy) == [])
        #expect(F.rules("1bc1", policy) == ["firstCharacter"])
        #expect(F.rules("Abcd", policy) == ["lastCharacter"])
        #expect(F.rules("!bc!", policy) == ["firstCharacter", "lastCharacter"])
        #expect(F.rules("", PasswordPolicy(name: "p", minLength: 0, firstCharacter: [.upper])) == ["firstCharacter"])
        #expect(
            F.violations("1bc1", policy).first?.message
                == "Start the password with an uppercase letter (A–Z) or a lowercase letter (a–z).")
    }

    @Test func personalDataMatchesRunsCaseInsensitively() {
        let policy = PasswordPolicy(name: "p", minLength: 1, personalData: PersonalDataRule(minMatchLength: 3))
        let john = Identity(username: "jdoe", givenName: "John", familyName: "Smith", email: "j.smith@example.com")
        #expect(F.rules("xJDoe!", policy, identity: john) == ["personalData"])
        #expect(F.rules("xx-OHN-yy", policy, identity: john) == ["personalData"])
        #expect(F.rules("mitten", policy, identity: john) == ["personalData"])
        #expect(F.rules("j.s-1", policy, identity: john) == ["personalData"])  // the email's local part
        #expect(F.rules("jd-oe-jo", policy, identity: john) == [])
        #expect(F.rules("example", policy, identity: john) == [])  // the domain is not personal
        #expect(F.rules("xJDoe!", policy) == [])  // no identity, no rule
        let message = F.violations("xJDoe!", policy, identity: john).first?.message ?? ""
        #expect(message == "Do not use your username in the password, nor 3 or more characters in a row from it.")
    }

    @Test func personalValuesShorterThanTheMinimumAreIgnored() {
        let policy = PasswordPolicy(name: "p", minLength: 1, personalData: PersonalDataRule(minMatchLength: 4))
        let short = Identity(username: "al", givenName: "Bo", familyName: "Li")
        #expect(F.rules("xalboli", policy, identity: short) == [])
        let long = Identity(username: "alice")
        #expect(F.rules("xALIC", policy, identity: long) == ["personalData"])
        #expect(F.rules("xALI", policy, identity: long) == [])
        let fields = F.violations("jane-doe", policy, identity: F.jane).first?.message ?? ""
        #expect(fields.contains("given name or email address"))
    }

    @Test func dictionaryMatchesLowercasedAndStrippedPasswords() {
        let policy = PasswordPolicy(name: "p", minLength: 1, dictionary: DictionaryRule())
        #expect(F.rules("PassWord", policy, common: F.common) == ["dictionary"])
        #expect(F.rules("Password1!", policy, common: F.common) == ["dictionary"])
        #expect(F.rules("2024Dragon!!", policy, common: F.common) == ["dictionary"])
        #expect(F.rules("123456", policy, common: F.common) == ["dictionary"])
        #expect(F.rules("pass-word", policy, common: F.common) == [])
        #expect(F.rules("Password1!x", policy, common: F.common) == [])
        #expect(F.rules("!!!", policy, common: F.common) == [])
        // No rule, or an empty list: nothing refused.
        #expect(F.rules("password", PasswordPolicy(name: "p", minLength: 1), common: F.common) == [])
        #expect(F.rules("password", policy) == [])
    }

    @Test func everyViolatedRuleIsListedAtOnce() {
        let policy = PasswordPolicy(
            name: "corporate", minLength: 20, maxLength: 64,
            classes: [CharacterClassRule(.upper, min: 1), CharacterClassRule(.digit, min: 2), CharacterClassRule(.special, max: 0)],
            minClasses: 2, prohibited: ["!"], firstCharacter: [.upper], lastCharacter: [.digit],
            personalData: PersonalDataRule(minMatchLength: 3), dictionary: DictionaryRule())
        let violations = F.violations("password!", policy, identity: Identity(username: "sword"), common: F.common)
        #expect(
            violations.map(\.rule) == [
                "minLength", "class.upper", "class.digit", "class.special", "minClasses", "prohibited", "firstCharacter",
                "lastCharacter", "personalData", "dictionary",
            ])
        #expect(violations.allSatisfy { $0.policy == "corporate" })
        #expect(violations.allSatisfy { $0.message.hasSuffix(".") && !$0.message.isEmpty })
        #expect(F.rules(String(repeating: "Ab1", count: 30), policy) == ["maxLength"])
    }

    @Test func aPasswordKeepingEveryRuleHasNoViolations() {
        let policy = PasswordPolicy(
            name: "corporate", minLength: 12, maxLength: 20,
            classes: [CharacterClassRule(.upper, min: 1), CharacterClassRule(.digit, min: 2, max: 4), CharacterClassRule(.lower)],
            minClasses: 3, prohibited: ["!"], firstCharacter: [.upper], lastCharacter: [.digit],
            personalData: PersonalDataRule(minMatchLength: 3), dictionary: DictionaryRule())
        #expect(F.violations("Quiet-Maple-42", policy, identity: F.jane, common: F.common) == [])
        #expect(PasswordValidator(policy: policy).accepts(GuardedString("Quiet-Maple-42")))
    }

    @Test func invalidUTF8IsCheckedAsReplacementCharacters() {
        let policy = PasswordPolicy(name: "p", minLength: 3, classes: [CharacterClassRule(.lower, min: 1)])
        let broken = GuardedString(bytes: [0x61, 0xFF, 0xFE])
        #expect(PasswordValidator(policy: policy).violations(of: broken).isEmpty)
        let tooShort = GuardedString(bytes: [0xFF])
        #expect(PasswordValidator(policy: policy).violations(of: tooShort).map(\.rule) == ["minLength", "class.lower"])
    }
}
