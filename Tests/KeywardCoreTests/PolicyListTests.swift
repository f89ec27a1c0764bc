import KeywardCore
import KeywardTestSupport
import Testing

/// The common-password list and the word list.
@Suite("Policy: lists", .offThePool)
struct PolicyListTests {
    @Test func commonPasswordsAreNormalisedAndCaseInsensitive() {
        let list = CommonPasswordList(["Password", "password", "  letmein ", "", "   ", "Ärger"])
        #expect(list.count == 3)
        #expect(list.contains(GuardedString("PASSWORD")))
        #expect(list.contains(GuardedString("LetMeIn")))
        #expect(list.contains(GuardedString("äRGER")))
        #expect(!list.contains(GuardedString("letmein ")))
        #expect(!list.contains(GuardedString("passwor")))
        #expect(!list.contains(GuardedString("")))
        #expect(list.entries == ["letmein", "password", "ärger"])
    }

    @Test func emptyListAndUnion() {
        #expect(CommonPasswordList.empty.count == 0)
        #expect(CommonPasswordList.empty.isEmpty)
        #expect(!CommonPasswordList.empty.contains(GuardedString("password")))
        let union = CommonPasswordList(["a1", "b2"]).union(CommonPasswordList(["b2", "c3"]))
        #expect(union.count == 3)
        #expect(union.contains(GuardedString("C3")))
    }

    @Test func linesAreSplitOnNewlines() {
        let list = CommonPasswordList(lines: "alpha\r\nbeta\n\ngamma\n")
        #expect(list.entries == ["alpha", "beta", "gamma"])
        let words = WordList(lines: "alpha\r\nbeta\n\nbeta\n two words \n")
        #expect(words.count == 2)
    }

    @Test func lookupIsExactOverALargeList() {
        let entries = (0..<5_000).map { "entry\($0)" }
        let list = CommonPasswordList(entries)
        #expect(list.count == 5_000)
        for index in stride(from: 0, to: 5_000, by: 97) {
            #expect(list.contains(GuardedString("Entry\(index)")))
        }
        #expect(!list.contains(GuardedString("entry5000")))
        #expect(!list.contains(GuardedString("entry")))
    }

    @Test func wordListDeduplicatesAndMeasures() {
        let words = WordList(["apple", "apple", " pear ", "", "fig", "two words"])
        #expect(words.count == 3)
        #expect(words.lengthRange == 3...5)
        #expect(WordList([]).isEmpty)
        #expect(WordList([]).lengthRange == nil)
    }
}
