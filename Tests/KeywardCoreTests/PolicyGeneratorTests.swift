import KeywardCore
import KeywardTestSupport
import Testing

/// The generator's styles, lengths, pairing and failures, on fixed policies.
@Suite("Policy: generator", .offThePool)
struct PolicyGeneratorTests {
    typealias F = PolicyFixtures

    private func generate(
        _ policy: PasswordPolicy, words: WordList? = nil, common: CommonPasswordList = .empty,
        identity: Identity? = nil, pairedWith: [PasswordPolicy] = []
    ) throws -> String {
        let password = try PasswordGenerator(policy: policy, words: words, commonPasswords: common)
            .generate(for: identity, pairedWith: pairedWith)
        for checked in [policy] + pairedWith {
            let violations = PasswordValidator(policy: checked, commonPasswords: common).violations(of: password, identity: identity)
            #expect(violations.isEmpty, "\(violations.map(\.rule)) of \(checked.name)")
        }
        return F.text(password)
    }

    @Test func defaultLengthIsSixteenWithinTheRange() throws {
        #expect(try generate(PasswordPolicy(name: "p", minLength: 8, maxLength: 64)).unicodeScalars.count == 16)
        #expect(try generate(PasswordPolicy(name: "p", minLength: 20, maxLength: 64)).unicodeScalars.count == 20)
        #expect(try generate(PasswordPolicy(name: "p", minLength: 4, maxLength: 10)).unicodeScalars.count == 10)
        #expect(try generate(PasswordPolicy(name: "p", minLength: 8, maxLength: 64, generation: .characters(length: 30))).unicodeScalars.count == 30)
    }

    @Test func lengthStaysInsidePairedRanges() throws {
        let generating = PasswordPolicy(name: "gen", minLength: 8, maxLength: 64)
        let shortSystem = PasswordPolicy(name: "legacy", minLength: 1, maxLength: 12)
        #expect(try generate(generating, pairedWith: [shortSystem]).unicodeScalars.count == 12)
        let longSystem = PasswordPolicy(name: "strict", minLength: 24, maxLength: 128)
        #expect(try generate(generating, pairedWith: [longSystem]).unicodeScalars.count == 24)
    }

    @Test func defaultAlphabetIsTheFourBuiltInClasses() throws {
        let policy = PasswordPolicy(name: "p", minLength: 64, maxLength: 64)
        let text = try generate(policy)
        #expect(text.unicodeScalars.allSatisfy { scalar in CharacterClass.standard.contains { $0.contains(scalar) } })
    }

    @Test func classesMinimumsMaximumsAndProhibited() throws {
        let policy = PasswordPolicy(
            name: "p", minLength: 12, maxLength: 12,
            classes: [
                CharacterClassRule(.upper, min: 3), CharacterClassRule(.digit, min: 2, max: 2),
                CharacterClassRule(F.umlauts, min: 1), CharacterClassRule(.lower),
            ],
            prohibited: ["O", "0", "l", "1", "ß"])
        for _ in 0..<50 {
            let text = try generate(policy)
            #expect(!text.contains { "O0l1ß".contains($0) })
            #expect(text.filter(\.isNumber).count == 2)
        }
    }

    @Test func firstAndLastCharacterRules() throws {
        let policy = PasswordPolicy(
            name: "p", minLength: 10, maxLength: 10, classes: [CharacterClassRule(.lower), CharacterClassRule(.digit)],
            firstCharacter: [.upper], lastCharacter: [.special])
        for _ in 0..<50 {
            let text = try generate(policy)
            #expect(text.first?.isUppercase == true)
            #expect(text.last.map { !$0.isLetter && !$0.isNumber } == true)
        }
    }

    @Test func pairedPoliciesAddTheirRequirements() throws {
        let generating = PasswordPolicy(name: "gen", minLength: 8, maxLength: 32, classes: [CharacterClassRule(.lower)])
        let paired = [
            PasswordPolicy(name: "a", minLength: 1, classes: [CharacterClassRule(.digit, min: 2)], prohibited: ["e"]),
            PasswordPolicy(name: "b", minLength: 1, minClasses: 3, firstCharacter: [.upper]),
        ]
        for _ in 0..<50 {
            _ = try generate(generating, pairedWith: paired)
        }
    }

    @Test func overlappingClassesLeaveRoomForTheNarrowerMinimum() throws {
        // Both specials must be marks (`!#%+`), and the last character must be one.
        let policy = PasswordPolicy(
            name: "p", minLength: 10, maxLength: 18,
            classes: [CharacterClassRule(.special, min: 2, max: 2), CharacterClassRule(F.marks, min: 2), CharacterClassRule(.lower)],
            firstCharacter: [.lower, .special], lastCharacter: [.special])
        for _ in 0..<50 {
            let text = try generate(policy)
            #expect(text.filter { "!#%+".contains($0) }.count == 2)
        }
    }

    @Test func personalDataAndDictionaryCandidatesAreRedrawn() throws {
        // Every 4-digit PIN but those ending in 7 is "common": a tenth remain.
        let pins = (0..<10_000).map { String(repeating: "0", count: 4 - String($0).count) + String($0) }
        let common = CommonPasswordList(pins.filter { !$0.hasSuffix("7") })
        let policy = PasswordPolicy(
            name: "pin", minLength: 4, maxLength: 4, classes: [CharacterClassRule(.digit)], dictionary: DictionaryRule())
        for _ in 0..<20 {
            #expect(try generate(policy, common: common).hasSuffix("7"))
        }
        // A person whose username holds most digits, with a match length of 1.
        let personal = PasswordPolicy(
            name: "p", minLength: 2, maxLength: 2, classes: [CharacterClassRule(.digit)],
            personalData: PersonalDataRule(minMatchLength: 1))
        let person = Identity(username: "1234567")
        for _ in 0..<20 {
            #expect(try generate(personal, identity: person).allSatisfy { "089".contains($0) })
        }
    }

    @Test func passphraseJoinsWordsAndAdjustsClasses() throws {
        let plain = PasswordPolicy(name: "p", minLength: 10, maxLength: 64, generation: .passphrase(words: 4, separator: "-"))
        let text = try generate(plain, words: F.words)
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        #expect(parts.count == 4)
        #expect(text.allSatisfy { $0.isLowercase || $0 == "-" })

        let strict = PasswordPolicy(
            name: "p", minLength: 20, maxLength: 40,
            classes: [CharacterClassRule(.upper, min: 2), CharacterClassRule(.digit, min: 1), CharacterClassRule(.lower)],
            minClasses: 3, lastCharacter: [.digit], generation: .passphrase(words: 3, separator: " "))
        for _ in 0..<50 {
            let text = try generate(strict, words: F.words)
            #expect(text.filter(\.isUppercase).count >= 2)
            #expect(text.last?.isNumber == true)
        }
    }

    @Test func passphraseWordsFitTheMaximumLength() throws {
        let policy = PasswordPolicy(name: "p", minLength: 12, maxLength: 20, generation: .passphrase(words: 3, separator: "."))
        for _ in 0..<50 {
            #expect(try generate(policy, words: F.words).unicodeScalars.count <= 20)
        }
    }

    @Test func passwordsDiffer() throws {
        let generator = PasswordGenerator(policy: PasswordPolicy(name: "p"))
        var seen = Set<String>()
        for _ in 0..<500 {
            seen.insert(F.text(try generator.generate()))
        }
        #expect(seen.count == 500)
    }

    @Test func anInfeasiblePolicyThrowsNamingTheRules() {
        let policy = PasswordPolicy(name: "broken", minLength: 4, maxLength: 6, classes: [CharacterClassRule(.digit, min: 8)])
        let error = #expect(throws: PolicyError.self) { try PasswordGenerator(policy: policy).generate() }
        #expect(error?.code == .infeasible)
        #expect(error?.policy == "broken")
        #expect(error?.message.contains("maximum length 6") == true)
    }

    @Test func aPassphraseWithoutWordsThrows() {
        let policy = PasswordPolicy(name: "words", generation: .passphrase(words: 4, separator: "-"))
        #expect(throws: PolicyError.self) { try PasswordGenerator(policy: policy).generate() }
        #expect(throws: PolicyError.self) { try PasswordGenerator(policy: policy, words: WordList([])).generate() }
    }

    @Test func exhaustingEveryCandidateThrowsWithTheRejectingRules() {
        let pins = (0..<100).map { $0 < 10 ? "0\($0)" : "\($0)" }
        let policy = PasswordPolicy(
            name: "pin", minLength: 2, maxLength: 2, classes: [CharacterClassRule(.digit)], dictionary: DictionaryRule())
        do {
            _ = try PasswordGenerator(policy: policy, commonPasswords: CommonPasswordList(pins)).generate()
            Issue.record("generated a password every candidate of which is common")
        } catch {
            #expect(error.code == .exhausted)
            #expect(error.message.contains("dictionary of policy pin"))
            #expect(error.description.hasPrefix("password policy pin cannot generate a password"))
        }
    }
}
