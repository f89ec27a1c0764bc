import KeywardTestSupport
import Testing

@testable import KeywardScripting

/// A guarded prologue, so that snippets only trigger the rule under test.
private let guarded = CheckerTestSupport.nilGuard

private func check(_ source: String, allowReveal: Bool = false) -> [Finding] {
    CheckerTestSupport.findings(source, allowReveal: allowReveal)
}

private func ruleIDs(_ source: String, allowReveal: Bool = false) -> [String] {
    CheckerTestSupport.ruleIDs(source, allowReveal: allowReveal)
}

@Suite("Checker rules", .offThePool)
struct CheckerRuleTests {
    // MARK: KW001

    @Test(
        "KW001 fires on output and logging globals",
        arguments: [
            "print(attributeValue)", "io.write('x')", "os.execute('id')", "debug.traceback()", "warn('@on')",
            "log('x')", "Logger.info('x')", "LOGGING.x = 1", "local p = print", "print = nil", "function log() end",
        ]
    )
    func outputNameFires(snippet: String) {
        #expect(ruleIDs(snippet + "\nreturn nil") == ["KW001"])
    }

    @Test(
        "KW001 stays silent on fields, methods, keys, locals, strings and comments",
        arguments: [
            "local t = {print = 1}\nreturn t.print", "local obj = context\nobj:log()\nreturn nil",
            "local print = 1\nprint()\nreturn nil", "return 'print(x)'", "return [[print()]]",
            "--[==[ print() ]==]\nreturn nil", "-- print(attributeValue)\nreturn nil", "return math.log(2)",
            "return context.io, context.os, context.debug",
        ]
    )
    func outputNameSilent(source: String) {
        #expect(!ruleIDs(source).contains("KW001"))
    }

    // MARK: KW002

    @Test(
        "KW002 fires on dynamic code",
        arguments: [
            "load('return 1')()", "loadstring('x')", "loadfile('x')", "dofile('x')", "require('io')",
            "package.loadlib('x', 'y')", "local l = load",
        ]
    )
    func dynamicCodeFires(snippet: String) {
        #expect(ruleIDs(snippet + "\nreturn nil") == ["KW002"])
    }

    @Test("KW002 stays silent on fields and locals named like loaders")
    func dynamicCodeSilent() {
        #expect(ruleIDs("local load = 1\nreturn context.require, load") == [])
        #expect(ruleIDs("local t = context\nt:load()\nreturn nil") == [])
    }

    // MARK: KW003

    @Test(
        "KW003 fires on every use of _ENV and _G",
        arguments: [
            "return _ENV.print", "return _ENV[\"pr\" .. \"int\"]", "return _G.x", "return _G['x']",
            "local k = 'x'\nreturn rawget(_ENV, k)", "return rawget(_G, 'print')", "local _ENV = {}\nreturn nil",
            "_ENV = {}\nreturn nil", "function _G.f() end\nreturn nil", "getfenv(1)\nreturn nil",
            "setfenv(1, {})\nreturn nil", "local function f(_ENV) end\nreturn nil", "local x = _G\nreturn nil",
            "_G.y = 1\nreturn nil", "return _ENV",
        ]
    )
    func environmentFires(source: String) {
        #expect(ruleIDs(source) == ["KW003"])
    }

    @Test("KW003 says when a global name is built at run time")
    func dynamicGlobalName() throws {
        let concatenated = try #require(check("return _ENV[\"pr\" .. \"int\"]").first)
        #expect(concatenated.message.contains("dynamic global name"))
        #expect(concatenated.message.contains("string-built"))
        #expect(concatenated.line == 1 && concatenated.column == 8)
        let viaRawget = try #require(check("local k = 'print'\nreturn rawget(_ENV, k)").first)
        #expect(viaRawget.message.contains("dynamic global name: `rawget(_ENV, …)`"))
        let constant = try #require(check("return _G.print").first)
        #expect(constant.message == "`_G.print` reaches the global `print` through the environment table")
        #expect(!constant.message.contains("dynamic"))
        let constantRawget = try #require(check("return rawget(_ENV, 'print')").first)
        #expect(constantRawget.message.hasPrefix("`rawget(_ENV, \"print\")` reaches the global `print`"))
    }

    @Test("KW003 stays silent on fields, strings and methods named _ENV or _G")
    func environmentSilent() {
        #expect(ruleIDs("return context._ENV, context._G, '_ENV', [[_G]]") == [])
        #expect(ruleIDs("local t = context\nreturn t:_G()") == [])
    }

    // MARK: KW004

    @Test(
        "KW004 fires on reveal without the policy's permission",
        arguments: [
            guarded + "return attributeValue:reveal()", guarded + "local f = attributeValue.reveal\nreturn nil",
            guarded + "local f = attributeValue['reveal']\nreturn nil",
            "local t = context\nreturn t:reveal()",
        ]
    )
    func revealFires(source: String) {
        #expect(ruleIDs(source) == ["KW004"])
        #expect(ruleIDs(source, allowReveal: true) == [])
    }

    @Test("KW004 stays silent on the word reveal elsewhere")
    func revealSilent() {
        #expect(ruleIDs("return context.revealed, 'reveal', [[x:reveal()]]") == [])
    }

    // MARK: KW005

    @Test(
        "KW005 fires on globals the sandbox does not provide",
        arguments: [
            ("return tostrng(1)", "`tostrng` is not a global of the sandbox; did you mean `tostring`?"),
            ("return Context.system", "`Context` is not a global of the sandbox; did you mean `context`?"),
            ("return setmetatable({}, {})", "the sandbox does not provide `setmetatable`"),
            ("return getmetatable('')", "the sandbox does not provide `getmetatable`"),
            ("collectgarbage()\nreturn nil", "the sandbox does not provide `collectgarbage`"),
            ("rawset({}, 1, 2)\nreturn nil", "the sandbox does not provide `rawset`"),
            ("return coroutine.wrap(f)", "the sandbox does not provide `coroutine`"),
            ("return xpcall(tostring, error)", "the sandbox does not provide `xpcall`"),
            ("return frobnicator", "`frobnicator` is not a global of the sandbox: it would be nil at run time"),
        ] as [(String, String)]
    )
    func unknownGlobalFires(source: String, message: String) throws {
        let findings = check(source)
        let finding = try #require(findings.first { $0.ruleID == "KW005" })
        #expect(finding.message == message)
        #expect(findings.allSatisfy { $0.ruleID == "KW005" })
    }

    @Test("KW005 explains why a left-out standard name is missing")
    func leftOutReason() throws {
        let finding = try #require(check("return setmetatable({}, {})").first)
        #expect(finding.fix.contains("__gc"))
    }

    @Test("KW005 stays silent on every allow-listed global, on locals and on globals the script assigns")
    func unknownGlobalSilent() {
        for name in SandboxAllowList.globals.sorted() {
            #expect(!ruleIDs("local x = \(name)\nreturn nil").contains("KW005"), "\(name)")
        }
        #expect(ruleIDs("x = 1\nreturn x") == ["KW007"])
        #expect(ruleIDs("local setmetatable = 1\nreturn setmetatable") == [])
        #expect(ruleIDs("return select('#', pcall(tostring, 1))") == [])
    }

    // MARK: KW006

    @Test(
        "KW006 warns at the first use without a nil check",
        arguments: [
            "return attributeValue:upper()", "return attributeValue .. 'x'", "return 'x' .. attributeValue",
            "return #attributeValue", "return attributeValue + 1", "return -attributeValue",
            "return attributeValue < 'a'", "return attributeValue == 'x'", "return attributeValue.x",
            "return attributeValue()", "return (attributeValue):upper()", "local v = attributeValue\nreturn v:upper()",
            "local x = attributeValue:upper()\nif attributeValue == nil then return nil end\nreturn x",
        ]
    )
    func unguardedNilFires(source: String) {
        #expect(ruleIDs(source) == ["KW006"])
    }

    @Test("KW006 points at the first use, and names an alias")
    func unguardedNilPosition() throws {
        let finding = try #require(check("local v = attributeValue\nlocal n = 1\nreturn v:upper(), v:lower()").first)
        #expect(finding.ruleID == "KW006")
        #expect((finding.line, finding.column) == (3, 8))
        #expect(finding.message.contains("through the local `v`"))
        #expect(finding.severity == .warning)
    }

    @Test(
        "KW006 accepts every nil check form",
        arguments: [
            "if attributeValue == nil then return nil end",
            "if attributeValue ~= nil then return attributeValue:upper() end",
            "if nil == attributeValue then return nil end", "if not attributeValue then return nil end",
            "if attributeValue then return attributeValue:upper() end",
            "if context.x then elseif attributeValue then return attributeValue:upper() end",
            "while attributeValue do break end", "repeat local n = 1 until attributeValue",
            "local ok = attributeValue and attributeValue:upper()", "local v = attributeValue or context.x",
            "if type(attributeValue) ~= 'userdata' then return nil end", "assert(attributeValue)",
            "local v = attributeValue\nif not v then return nil end",
        ]
    )
    func unguardedNilSilent(guardLine: String) {
        #expect(ruleIDs(guardLine + "\nreturn attributeValue:upper() .. #attributeValue") == [])
    }

    @Test("KW006 does not follow a reassigned local, and ignores plain returns and arguments")
    func unguardedNilNotAlias() {
        #expect(ruleIDs("local v = attributeValue\nv = context.x\nreturn v:upper()") == [])
        #expect(ruleIDs("return attributeValue") == [])
        #expect(ruleIDs("return tostring(attributeValue)") == [])
        #expect(ruleIDs("local function f(attributeValue) return attributeValue:upper() end\nreturn nil") == [])
    }

    // MARK: KW007

    @Test(
        "KW007 warns on global assignments",
        arguments: [
            ("x = 1\nreturn nil", 1), ("function f() end\nreturn nil", 1), ("a, b = 1, 2\nreturn nil", 2),
            (guarded + "attributeValue = attributeValue:upper()\nreturn attributeValue", 1),
            ("context = {}\nreturn nil", 1), ("local function g() y = 2 end\nreturn nil", 1),
        ] as [(String, Int)]
    )
    func globalAssignmentFires(source: String, count: Int) {
        let ids = ruleIDs(source)
        #expect(ids == Array(repeating: "KW007", count: count))
    }

    @Test("KW007 stays silent on locals and fields")
    func globalAssignmentSilent() {
        #expect(ruleIDs("local x = 1\nx = 2\nlocal t = {}\nt.x = 1\nlocal function f() end\nreturn nil") == [])
        #expect(ruleIDs("local f\nfunction f() end\nreturn f") == [])
    }

    @Test("KW007 names the per-call globals")
    func perCallGlobalMessage() throws {
        let finding = try #require(check("context = nil\nreturn nil").first)
        #expect(finding.message == "assigns the per-call global `context`")
    }
}
