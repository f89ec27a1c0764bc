import KeywardConfiguration
import KeywardCore
import KeywardTestSupport
import Testing

/// The lists shipped in the resources load, are large enough, and hold what
/// they should.
@Suite("BundledLists", .offThePool)
struct BundledListsTests {
    @Test func commonPasswordsHoldAtLeastTenThousandEntries() {
        let list = BundledLists.commonPasswords
        #expect(list.count >= 10_000)
        for common in ["password", "123456", "qwerty", "letmein", "PASSWORD"] {
            #expect(list.contains(GuardedString(common)), "\(common)")
        }
        #expect(!list.contains(GuardedString("Kw-unlikely-8d1e-entry")))
        #expect(list.entries.allSatisfy { $0 == $0.lowercased() && !$0.isEmpty })
    }

    @Test func passphraseWordsAreCommonShortLowercaseASCII() {
        let words = BundledLists.passphraseWords
        #expect(words.count >= 2_000)
        #expect(words.lengthRange.map { $0.lowerBound >= 3 && $0.upperBound <= 9 } == true)
    }

    @Test func theDictionaryRuleRefusesAShippedPasswordWithAffixes() {
        let policy = PasswordPolicy(name: "corporate", minLength: 1, dictionary: DictionaryRule())
        let validator = PasswordValidator(policy: policy, commonPasswords: BundledLists.commonPasswords)
        #expect(validator.violations(of: GuardedString("Sunshine2024!")).map(\.rule) == ["dictionary"])
    }

    @Test func aPassphraseFromTheShippedWords() throws {
        let policy = PasswordPolicy(
            name: "phrase", minLength: 20, maxLength: 64, classes: [CharacterClassRule(.upper, min: 1), CharacterClassRule(.digit, min: 1)],
            dictionary: DictionaryRule(), generation: .passphrase(words: 5, separator: "-"))
        #expect(PolicyFeasibility.problems(of: policy, words: BundledLists.passphraseWords) == [])
        let password = try PasswordGenerator(
            policy: policy, words: BundledLists.passphraseWords, commonPasswords: BundledLists.commonPasswords
        ).generate()
        let text = password.withPlaintext { $0 }
        #expect(text.split(separator: "-").count == 5)
        #expect(text.unicodeScalars.allSatisfy { $0.isASCII })
    }

    @Test func loadingIsSharedAcrossThreads() async {
        let counts = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { BundledLists.commonPasswords.count + BundledLists.passphraseWords.count } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(Set(counts).count == 1)
    }
}
