import KeywardTestSupport
import Testing

@testable import KeywardScripting

private let guarded = CheckerTestSupport.nilGuard

private func check(_ source: String, allowReveal: Bool = false) -> [Finding] {
    CheckerTestSupport.findings(source, allowReveal: allowReveal)
}

private func ruleIDs(_ source: String, allowReveal: Bool = false) -> [String] {
    CheckerTestSupport.ruleIDs(source, allowReveal: allowReveal)
}

@Suite("Checker rules KW008–KW012", .offThePool)
struct CheckerMoreRuleTests {
    // MARK: KW008

    @Test("KW008 reports a syntax error alone, at the offending token")
    func syntaxError() throws {
        let findings = check("local function f()\n  print(attributeValue)\n")
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.ruleID == "KW008")
        #expect(finding.severity == .error)
        #expect((finding.line, finding.column) == (3, 1))
        #expect(finding.message == "expected 'end' to close 'function' at line 1 near '<eof>'")
    }

    @Test(
        "KW008 reports lexical errors with their exact position",
        arguments: [
            ("return 'unfinished\n", 1, 8), ("return \"a\\qb\"", 1, 10), ("return 0x", 1, 8),
            ("\n--[[ never closed", 2, 1), ("return 1 @", 1, 10),
        ] as [(String, Int, Int)]
    )
    func lexicalError(source: String, line: Int, column: Int) throws {
        let finding = try #require(check(source).first)
        #expect(finding.ruleID == "KW008")
        #expect((finding.line, finding.column) == (line, column))
    }

    @Test("KW008 stays silent on valid code")
    func syntaxSilent() {
        #expect(ruleIDs("return nil") == [])
    }

    // MARK: KW009

    @Test("KW009 fires on a binary chunk, also after a shebang line")
    func binaryChunk() throws {
        let binary: [UInt8] = [0x1B, 0x4C, 0x75, 0x61, 0x54, 0x00, 0x19, 0x93, 0x0D, 0x0A, 0x1A, 0x0A, 0xFF, 0x00]
        let report = ScriptChecker().check(bytes: binary, path: "x.luac")
        #expect(report.findings.map(\.ruleID) == ["KW009"])
        #expect((report.findings[0].line, report.findings[0].column) == (1, 1))
        let afterShebang = ScriptChecker().check(bytes: Array("#!/usr/bin/lua\n".utf8) + binary, path: "x")
        #expect(afterShebang.findings.map(\.ruleID) == ["KW009"])
        #expect(afterShebang.findings[0].line == 2)
        #expect(ruleIDs("\u{1B}Lua") == ["KW009"])
    }

    @Test("KW009 stays silent on source that mentions the signature")
    func binaryChunkSilent() {
        #expect(ruleIDs("return '\\27Lua'") == [])
        #expect(ruleIDs("-- \u{1B}Lua\nreturn nil") == [])
    }

    // MARK: KW010

    @Test(
        "KW010 fires on removed and unknown library members",
        arguments: [
            ("string.dump(tostring)", "`string.dump` is removed from the sandbox: turns functions into bytecode"),
            ("local r = math.random()", "`math.random` is removed from the sandbox: random numbers make"),
            ("math.randomseed(1)", "`math.randomseed` is removed from the sandbox"),
            ("local f = string.foo", "`string.foo` is not a member of the sandbox's `string` library"),
            (
                "table.remove2({})",
                "`table.remove2` is not a member of the sandbox's `table` library; did you mean `table.remove`?"
            ),
            ("local f = string['dump']", "`string.dump` is removed"),
            ("local f = ('x'):dump()", "`string.dump` is removed"),
            ("local f = (\"\").dump", "`string.dump` is removed"),
            ("local f = ('x'):frob()", "`string.frob` is not a member"),
            ("string.upper = nil", "assigns `string.upper`, but library tables are read-only in the sandbox"),
            ("function math.twice(x) return 2 * x end", "assigns `math.twice`, but library tables are read-only"),
            (
                "local n = utf8.lne('x')",
                "`utf8.lne` is not a member of the sandbox's `utf8` library; did you mean `utf8.len`?"
            ),
        ] as [(String, String)]
    )
    func libraryMemberFires(snippet: String, message: String) throws {
        let findings = check(snippet + "\nreturn nil")
        #expect(findings.map(\.ruleID) == ["KW010"])
        let finding = try #require(findings.first)
        #expect(finding.message.hasPrefix(message))
    }

    @Test("KW010 stays silent on every member the sandbox provides")
    func libraryMemberSilent() {
        for (library, members) in SandboxAllowList.libraries {
            for member in members.sorted() {
                #expect(ruleIDs("local f = \(library).\(member)\nreturn nil") == [], "\(library).\(member)")
            }
        }
        #expect(ruleIDs("return ('x'):upper(), ('%d'):format(1)") == [])
        #expect(ruleIDs("local s = 'x'\nreturn s:dump()") == [])
        #expect(ruleIDs("local string = {}\nreturn string.dump") == [])
    }

    // MARK: KW011

    @Test(
        "KW011 fires on unknown handle methods",
        arguments: [
            ("return attributeValue:frobnicate()", "`frobnicate` is not a method of a GuardedString handle"),
            (
                "return attributeValue:toupper()",
                "`toupper` is not a method of a GuardedString handle; did you mean `upper`?"
            ),
            (
                "local v = attributeValue\nreturn v:hsah('sha1')",
                "`hsah` is not a method of a GuardedString handle; did you mean `hash`?"
            ),
        ] as [(String, String)]
    )
    func unknownHandleMethodFires(body: String, message: String) throws {
        let findings = check(guarded + body)
        #expect(findings.map(\.ruleID) == ["KW011"])
        #expect(findings.first?.message == message)
    }

    @Test("KW011 stays silent on every handle method and on other receivers")
    func unknownHandleMethodSilent() {
        for method in SandboxAllowList.handleMethods.sorted() where method != "reveal" {
            #expect(ruleIDs(guarded + "return attributeValue:\(method)()") == [], "\(method)")
        }
        #expect(ruleIDs(guarded + "return attributeValue:reveal()", allowReveal: true) == [])
        #expect(ruleIDs("local t = context\nreturn t:frobnicate()") == [])
    }

    // MARK: KW012

    @Test(
        "KW012 fires when the main chunk never returns, or the script is empty",
        arguments: [
            ("local x = 1", 1, 12), ("local function f() return 1 end\n", 2, 1), ("", 1, 1),
            ("   \n\t\n", 1, 1), ("-- only a comment\n--[[ and a long one ]]", 1, 1), (";;", 1, 1),
        ] as [(String, Int, Int)]
    )
    func missingReturnFires(source: String, line: Int, column: Int) throws {
        let findings = check(source)
        #expect(findings.map(\.ruleID) == ["KW012"])
        let finding = try #require(findings.first)
        #expect((finding.line, finding.column) == (line, column))
    }

    @Test("KW012 explains an empty script")
    func emptyScriptMessage() throws {
        let finding = try #require(check("-- nothing").first)
        #expect(finding.message.hasPrefix("the script is empty"))
    }

    @Test("KW012 counts a return anywhere in the main chunk")
    func missingReturnSilent() {
        #expect(ruleIDs("if context.x then return nil end") == [])
        #expect(ruleIDs("return") == [])
        #expect(ruleIDs("do return nil end") == [])
        #expect(ruleIDs("for i = 1, 2 do return nil end") == [])
    }

    // MARK: Several rules

    @Test("findings are sorted by line and column, each at its token")
    func sortedFindings() {
        let source = """
            x = 1
            print(tostrng(attributeValue:upper()))
            return string.dump
            """
        let places = check(source).map { "\($0.line):\($0.column) \($0.ruleID)" }
        #expect(places == ["1:1 KW007", "2:1 KW001", "2:7 KW005", "2:15 KW006", "3:15 KW010"])
    }
}
