import KeywardCore
import KeywardTestSupport
import Testing
@testable import KeywardScripting

/// The GuardedString handle API, method by method, against known answers.
@Suite("Handle methods", .offThePool)
struct HandleMethodTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let script: String
        let input: String?
        let expected: String?   // "nil" for a nil result, nil for a failure
        var testDescription: String { script }
    }

    static let cases: [Case] = [
        .init(script: "return attributeValue", input: "Secret1!", expected: "Secret1!"),
        .init(script: "return attributeValue", input: nil, expected: "nil"),
        .init(script: "return attributeValue", input: "", expected: ""),
        .init(script: "return attributeValue .. '!'", input: "abc", expected: "abc!"),
        .init(script: "return 'X' .. attributeValue", input: "abc", expected: "Xabc"),
        .init(script: "return attributeValue .. 42", input: "abc", expected: "abc42"),
        .init(script: "return attributeValue .. attributeValue", input: "ab", expected: "abab"),
        .init(script: "return attributeValue:upper()", input: "aBc-ä1", expected: "ABC-ä1"),
        .init(script: "return attributeValue:lower()", input: "AbC-Ä1", expected: "abc-Ä1"),
        .init(script: "return attributeValue:sub(2, 4)", input: "abcdef", expected: "bcd"),
        .init(script: "return attributeValue:sub(-2)", input: "abcdef", expected: "ef"),
        .init(script: "return attributeValue:sub(5, 2)", input: "abcdef", expected: ""),
        .init(script: "return attributeValue:sub(0, 100)", input: "abc", expected: "abc"),
        .init(script: "return attributeValue:truncate(3)", input: "pässwort", expected: "päs"),
        .init(script: "return attributeValue:truncate(0)", input: "abc", expected: ""),
        .init(script: "return attributeValue:truncate(99)", input: "abc", expected: "abc"),
        .init(script: "return attributeValue:replace('a', 'xy')", input: "banana", expected: "bxynxynxy"),
        .init(script: "return attributeValue:replace('na', attributeValue:sub(1, 1))", input: "banana", expected: "babb"),
        .init(script: "return attributeValue:gsub('%d', '#')", input: "a1b22", expected: "a#b##"),
        .init(script: "return attributeValue:gsub('(%a)(%d)', '%2%1')", input: "a1b2", expected: "1a2b"),
        .init(script: "return attributeValue:gsub('a', 'b', 1)", input: "aaa", expected: "baa"),
        .init(script: "return attributeValue:gsub('^%s+', '')", input: "  x ", expected: "x "),
        .init(script: "return attributeValue:gsub('x', function() return 'y' end)", input: "x", expected: nil),
        .init(script: "return attributeValue:gsub('x', {x = 'y'})", input: "x", expected: nil),
        .init(script: "return attributeValue:gsub('%', '')", input: "x", expected: nil),
        .init(script: "return attributeValue:encode('hex')", input: "Ab", expected: "4162"),
        .init(script: "return attributeValue:encode('base64')", input: "foobar", expected: "Zm9vYmFy"),
        .init(script: "return attributeValue:encode('base64')", input: "fo", expected: "Zm8="),
        .init(script: "return attributeValue:encode('utf16le'):encode('hex')", input: "Aé", expected: "4100e900"),
        .init(script: "return attributeValue:encode('quoted-utf16le'):encode('hex')", input: "ab", expected: "2200610062002200"),
        .init(script: "return attributeValue:encode('rot13')", input: "x", expected: nil),
        .init(script: "return attributeValue:hash('nt'):encode('hex'):upper()", input: "password", expected: "8846F7EAEE8FB117AD06BDD830B7586C"),
        .init(script: "return attributeValue:hash('sha1'):encode('hex')", input: "abc", expected: "a9993e364706816aba3e25717850c26c9cd0d89d"),
        .init(script: "return attributeValue:hash('sha256'):encode('hex')", input: "abc", expected: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        .init(script: "return attributeValue:hash('sha512'):encode('hex'):sub(1, 16)", input: "abc", expected: "ddaf35a193617aba"),
        .init(script: "return attributeValue:hash('ssha', 'salt')", input: "secret", expected: "{SSHA}gVK8WC9YyFT1gMsQHTGCgT3sSv5zYWx0"),
        .init(script: "return attributeValue:hash('md5')", input: "x", expected: nil),
        .init(script: "if attributeValue:len() == 6 and #attributeValue == 6 then return attributeValue end", input: "secret", expected: "secret"),
        .init(script: "if attributeValue:contains('cre') and not attributeValue:contains('x') then return attributeValue end", input: "secret", expected: "secret"),
        .init(script: "if attributeValue:matches('^%a+%d$') then return attributeValue end return nil", input: "abc1", expected: "abc1"),
        .init(script: "if attributeValue:matches('^%a+%d$') then return attributeValue end return nil", input: "abc", expected: "nil"),
        .init(script: "return attributeValue:upper():truncate(8)", input: "longpassword", expected: "LONGPASS"),
        .init(script: "local h = attributeValue return h.upper(h)", input: "a", expected: "A"),
        .init(script: "return attributeValue.upper('x')", input: "a", expected: nil),
        .init(script: "attributeValue.x = 1", input: "a", expected: nil),
    ]

    @Test(arguments: cases)
    func method(_ testCase: Case) {
        let evaluation = Sandbox.run(testCase.script, input: testCase.input)
        #expect(Sandbox.plaintext(evaluation) == testCase.expected)
    }

    @Test func sshaIsVerifiableAndSalted() throws {
        let first = try #require(Sandbox.plaintext(Sandbox.run("return attributeValue:hash('ssha')", input: "secret")))
        let second = try #require(Sandbox.plaintext(Sandbox.run("return attributeValue:hash('ssha')", input: "secret")))
        #expect(first.hasPrefix("{SSHA}"))
        #expect(first != second)  // a fresh random salt each time
        let sha256 = try #require(Sandbox.plaintext(Sandbox.run("return attributeValue:hash('ssha256')", input: "secret")))
        #expect(sha256.hasPrefix("{SSHA256}"))
    }

    @Test func revealOnlyWhenAllowed() {
        let refused = Sandbox.run("local s = attributeValue:reveal() return nil")
        #expect(Sandbox.code(refused) == .forbidden)
        let allowed = Sandbox.run(
            "local s = attributeValue:reveal() if #s == 3 then return nil end",
            input: "abc", limits: ScriptLimits(allowReveal: true))
        #expect(Sandbox.plaintext(allowed) == "nil")
    }

    @Test func handlesDieWhenTheCallEnds() {
        // Nothing can carry a handle to the next call; a generation check
        // would refuse it anyway. Two calls in a row see only their own.
        let first = Sandbox.run("return attributeValue .. '1'", input: "a")
        let second = Sandbox.run("return attributeValue .. '2'", input: "b")
        #expect(Sandbox.plaintext(first) == "a1")
        #expect(Sandbox.plaintext(second) == "b2")
    }

    @Test func handleMemoryCountsAgainstTheLimit() {
        let evaluation = Sandbox.run(
            "local h = attributeValue for i = 1, 30 do h = h .. h end return h",
            input: "0123456789abcdef", limits: ScriptLimits(memoryBytes: 1 << 20))
        #expect(Sandbox.code(evaluation) == .memory)
    }
}
