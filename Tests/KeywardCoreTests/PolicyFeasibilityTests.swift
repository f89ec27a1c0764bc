import KeywardCore
import KeywardTestSupport
import Testing

/// Each way a policy can be unable to generate is reported as a sentence;
/// sound policies are not.
@Suite("Policy: feasibility", .offThePool)
struct PolicyFeasibilityTests {
    typealias F = PolicyFixtures

    private func problems(
        _ policy: PasswordPolicy, pairedWith: [PasswordPolicy] = [], words: WordList? = nil
    ) -> [String] {
        PolicyFeasibility.problems(of: policy, pairedWith: pairedWith, words: words)
    }

    private func expectProblem(
        _ policy: PasswordPolicy, pairedWith: [PasswordPolicy] = [], words: WordList? = nil, mentioning fragments: [String],
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        let found = problems(policy, pairedWith: pairedWith, words: words)
        #expect(!found.isEmpty, "no problem reported", sourceLocation: sourceLocation)
        let joined = found.joined(separator: " | ")
        for fragment in fragments {
            #expect(joined.contains(fragment), "\(fragment) not in: \(joined)", sourceLocation: sourceLocation)
        }
        #expect(found.allSatisfy { $0.hasSuffix(".") }, sourceLocation: sourceLocation)
    }

    @Test func soundPoliciesHaveNoProblems() {
        #expect(problems(PasswordPolicy(name: "default")) == [])
        let corporate = PasswordPolicy(
            name: "corporate", minLength: 12, maxLength: 32,
            classes: [CharacterClassRule(.upper, min: 1), CharacterClassRule(.lower, min: 1), CharacterClassRule(.digit, min: 1, max: 4)],
            minClasses: 3, prohibited: ["O", "0"], firstCharacter: [.upper, .lower], lastCharacter: [.digit],
            personalData: PersonalDataRule(), dictionary: DictionaryRule(), history: 5, minAgeSeconds: 86_400,
            maxAgeSeconds: 7_776_000)
        #expect(problems(corporate) == [])
        let legacy = PasswordPolicy(name: "legacy", minLength: 8, maxLength: 14, prohibited: ["'", "\"", " "])
        #expect(problems(corporate, pairedWith: [legacy]) == [])
        let passphrase = PasswordPolicy(
            name: "phrase", minLength: 16, maxLength: 64, classes: [CharacterClassRule(.upper, min: 1), CharacterClassRule(.digit, min: 1)],
            generation: .passphrase(words: 4, separator: "-"))
        #expect(problems(passphrase, words: F.words) == [])
    }

    @Test func classMinimumsExceedingTheMaximumLength() {
        let policy = PasswordPolicy(
            name: "p", minLength: 4, maxLength: 8,
            classes: [CharacterClassRule(.upper, min: 3), CharacterClassRule(.digit, min: 3), CharacterClassRule(.special, min: 3)])
        expectProblem(policy, mentioning: ["3 upper, 3 digit and 3 special", "need at least 9 characters", "maximum length 8"])
    }

    @Test func minimumLengthAboveMaximum() {
        expectProblem(PasswordPolicy(name: "p", minLength: 20, maxLength: 16), mentioning: ["`p`", "minLength (20)", "maxLength (16)"])
    }

    @Test func classMinimumAboveItsMaximum() {
        let policy = PasswordPolicy(name: "p", minLength: 4, classes: [CharacterClassRule(.digit, min: 3, max: 2)])
        expectProblem(policy, mentioning: ["class digit requires at least 3 but allows at most 2"])
    }

    @Test func everyCharacterProhibited() {
        let policy = PasswordPolicy(
            name: "p", minLength: 4, classes: [CharacterClassRule(.digit)], prohibited: Set("0123456789"))
        expectProblem(policy, mentioning: ["generates from digit", "prohibited by policy `p`"])
    }

    @Test func aRequiredClassEntirelyProhibited() {
        let policy = PasswordPolicy(
            name: "p", minLength: 4, classes: [CharacterClassRule(.lower), CharacterClassRule(F.umlauts, min: 1)],
            prohibited: Set("äöüß"))
        expectProblem(policy, mentioning: ["requires at least 1 character from umlauts", "every one is prohibited by policy `p`"])
    }

    @Test func minClassesAboveTheListedClasses() {
        let policy = PasswordPolicy(
            name: "p", minLength: 4, classes: [CharacterClassRule(.lower), CharacterClassRule(.digit)], minClasses: 3)
        expectProblem(policy, mentioning: ["minClasses is 3", "only 2 classes"])
        let capped = PasswordPolicy(
            name: "q", minLength: 4, classes: [CharacterClassRule(.lower), CharacterClassRule(.digit, max: 0), CharacterClassRule(.upper)],
            minClasses: 3)
        expectProblem(capped, mentioning: ["at least 3 kinds", "only 2 of its classes"])
    }

    @Test func firstCharacterClassesAllProhibited() {
        let policy = PasswordPolicy(name: "p", minLength: 4, prohibited: Set("0123456789"), firstCharacter: [.digit])
        expectProblem(policy, mentioning: ["first-character rule", "`p`: digit"])
        let last = PasswordPolicy(name: "p", minLength: 4, classes: [CharacterClassRule(.lower), CharacterClassRule(.special, max: 0)], lastCharacter: [.special])
        expectProblem(last, mentioning: ["last-character rule"])
    }

    @Test func classMaximumsBelowTheMinimumLength() {
        let policy = PasswordPolicy(
            name: "p", minLength: 12, classes: [CharacterClassRule(.lower, max: 4), CharacterClassRule(.digit, max: 4)])
        expectProblem(policy, mentioning: ["at most 4 lower and at most 4 digit", "at most 8 characters", "minimum length 12"])
    }

    @Test func anExplicitLengthOutsideTheRange() {
        let policy = PasswordPolicy(name: "p", minLength: 8, maxLength: 16, generation: .characters(length: 20))
        expectProblem(policy, mentioning: ["generates 20 characters", "8–16"])
    }

    @Test func multiScalarCharacters() {
        let flags = CharacterClass.custom(name: "flags", characters: ["🇨🇿", "a"])
        let policy = PasswordPolicy(name: "p", minLength: 4, classes: [CharacterClassRule(flags, min: 1)], prohibited: ["e\u{301}"])
        expectProblem(policy, mentioning: ["class flags lists 1 character made of several Unicode scalars", "prohibited lists characters"])
    }

    @Test func agesInConflict() {
        let policy = PasswordPolicy(name: "p", minAgeSeconds: 10 * 86_400, maxAgeSeconds: 86_400)
        expectProblem(policy, mentioning: ["minAge (10 days) is longer than maxAge (1 day)"])
    }

    @Test func pairedLengthsInConflict() {
        let generating = PasswordPolicy(name: "strong", minLength: 20, maxLength: 64)
        let legacy = PasswordPolicy(name: "legacy", minLength: 1, maxLength: 16)
        expectProblem(generating, pairedWith: [legacy], mentioning: ["`strong` requires at least 20 characters", "`legacy` allows at most 16"])
    }

    @Test func pairedClassCountsInConflict() {
        let generating = PasswordPolicy(name: "strong", classes: [CharacterClassRule(.digit, min: 3)])
        let legacy = PasswordPolicy(name: "legacy", minLength: 1, classes: [CharacterClassRule(.digit, max: 2)])
        expectProblem(generating, pairedWith: [legacy], mentioning: ["`strong` requires at least 3 digits", "`legacy` allows at most 2"])
    }

    @Test func pairedProhibitionDefeatsARequiredClass() {
        let generating = PasswordPolicy(name: "strong", classes: [CharacterClassRule(.special, min: 1), CharacterClassRule(.lower)])
        let legacy = PasswordPolicy(name: "legacy", minLength: 1, prohibited: Set(##"!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"##))
        expectProblem(generating, pairedWith: [legacy], mentioning: ["`strong` requires at least 1 special character", "prohibited by policy `legacy`"])
    }

    @Test func pairedFirstCharacterRulesInConflict() {
        let generating = PasswordPolicy(name: "a", firstCharacter: [.upper])
        let other = PasswordPolicy(name: "b", minLength: 1, firstCharacter: [.digit])
        expectProblem(generating, pairedWith: [other], mentioning: ["first-character rule", "`a`: upper", "`b`: digit"])
    }

    @Test func pairedMinClassesWithTheirClassesProhibited() {
        let generating = PasswordPolicy(name: "a", prohibited: Set("0123456789"))
        let other = PasswordPolicy(
            name: "b", minLength: 1, classes: [CharacterClassRule(.lower), CharacterClassRule(.digit)], minClasses: 2)
        expectProblem(generating, pairedWith: [other], mentioning: ["`b` requires characters of at least 2 kinds"])
    }

    @Test func passphraseWithoutAWordList() {
        let policy = PasswordPolicy(name: "p", generation: .passphrase(words: 4, separator: "-"))
        expectProblem(policy, mentioning: ["no word list was given"])
        expectProblem(policy, words: WordList([]), mentioning: ["no word list was given"])
    }

    @Test func passphraseWordsThatCannotFit() {
        let policy = PasswordPolicy(name: "p", minLength: 8, maxLength: 16, generation: .passphrase(words: 4, separator: "-"))
        expectProblem(policy, words: F.words, mentioning: ["needs at least 23 characters", "maximum length 16"])
    }

    @Test func passphraseSeparatorOrWordsProhibited() {
        let separator = PasswordPolicy(name: "p", prohibited: ["-"], generation: .passphrase(words: 4, separator: "-"))
        expectProblem(separator, words: F.words, mentioning: ["joins words with \"-\"", "prohibited by policy `p`"])
        let vowels = PasswordPolicy(name: "v", prohibited: Set("aeiou"), generation: .passphrase(words: 4, separator: "-"))
        expectProblem(vowels, words: F.words, mentioning: ["Every word of the word list contains a character prohibited"])
    }

    @Test func passphraseLowercaseMaximum() {
        let policy = PasswordPolicy(
            name: "p", minLength: 8, classes: [CharacterClassRule(.lower, max: 10)], generation: .passphrase(words: 4, separator: "-"))
        expectProblem(policy, words: F.words, mentioning: ["4 words have at least 20 lowercase letters", "at most 10"])
    }

    @Test func aConflictNoSingleRuleExplainsIsFoundByTheTrialGeneration() {
        // With room for one character, it must be both an uppercase letter and a digit.
        let generating = PasswordPolicy(name: "gen", minLength: 1, maxLength: 1, firstCharacter: [.upper], lastCharacter: [.digit])
        #expect(PolicyFeasibility.problems(of: generating).count == 1)
        let other = PasswordPolicy(name: "other", minLength: 1)
        expectProblem(generating, pairedWith: [other], mentioning: ["`gen` cannot generate a password", "No candidate"])
    }
}
