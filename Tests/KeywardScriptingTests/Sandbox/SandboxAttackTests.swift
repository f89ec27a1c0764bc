import KeywardCore
import KeywardTestSupport
import Testing
@testable import KeywardScripting

/// The attacks of SANDBOX.md, and more of the same classes, each run with the
/// canary secret and without the checker. Every case asserts the outcome code,
/// a wall-time bound, and that the canary appears in no rendering of the error.
/// (That nothing reaches stdout or stderr is proven in a child process by
/// KeywardCLITests.SandboxAttackProcessTests.)
@Suite("Sandbox attacks", .offThePool)
struct SandboxAttackTests {
    struct Attack: CustomTestStringConvertible, Sendable {
        let script: String
        let expected: ScriptError.Code?
        var allowReveal = false
        var testDescription: String { script.count > 60 ? String(script.prefix(60)) + "…" : script }
    }

    static let attacks: [Attack] = [
        // no output path
        .init(script: "print(attributeValue)", expected: .runtime),
        .init(script: "io.write('x')", expected: .runtime),
        .init(script: "os.execute('id')", expected: .runtime),
        .init(script: "warn('@on'); warn('x')", expected: .runtime),
        .init(script: "debug.traceback()", expected: .runtime),
        // no code loading, no package
        .init(script: "require('io')", expected: .runtime),
        .init(script: "package.loadlib('x', 'y')", expected: .runtime),
        .init(script: "return load('return 1')", expected: .runtime),
        .init(script: "return load(string.dump(function() end))", expected: .runtime),
        .init(script: "dofile('/etc/passwd')", expected: .runtime),
        .init(script: "loadfile('/etc/passwd')", expected: .runtime),
        .init(script: "\u{1B}Lua\u{54}\u{00}", expected: .compile),
        .init(script: "\u{1B}", expected: .compile),
        // rule 4: the real string table is out of reach
        .init(script: "return ('').dump", expected: nil),
        .init(script: "local f = ('').dump; return f(function() end)", expected: .runtime),
        .init(script: "string.dump = nil", expected: .runtime),
        .init(script: "string.upper = function() end", expected: .runtime),
        .init(script: "math.random = 1", expected: .runtime),
        .init(script: "return math.random()", expected: .runtime),
        .init(script: "context.uid = 'root'", expected: .runtime),
        // no metatables, no raw writes, no coroutines
        .init(script: "setmetatable({}, {__gc = function() while true do end end})", expected: .runtime),
        .init(script: "return getmetatable('').__index", expected: .runtime),
        .init(script: "rawset(_ENV, 'x', 1)", expected: .runtime),
        .init(script: "coroutine.wrap(function() end)()", expected: .runtime),
        .init(script: "collectgarbage()", expected: .runtime),
        .init(script: "xpcall(function() end, print)", expected: .runtime),
        // budget
        .init(script: "while true do end", expected: .budget),
        .init(script: "while true do pcall(function() while true do end end) end", expected: .budget),
        .init(script: "repeat until false", expected: .budget),
        .init(script: "local function f() return f() end return f()", expected: .budget),
        .init(script: "for i = 1, math.maxinteger do end", expected: .budget),
        .init(script: "local ok = pcall(function() while true do end end) return attributeValue", expected: .budget),
        .init(script: "while true do pcall(error) end", expected: .budget),
        // CPU inside C functions
        .init(script: "return string.find(('a'):rep(5000), ('a*'):rep(20) .. 'b')", expected: .budget),
        .init(script: "return ('a'):rep(3000):match(('.-'):rep(15) .. 'x')", expected: .budget),
        .init(script: "return (''):rep(2^40)", expected: .budget),
        .init(script: "return ('x'):rep(2^40, '')", expected: .memory),
        .init(script: "return table.move({}, 1, 2^40, 2)", expected: .budget),
        .init(script: "return table.concat({}, '', 1, 2^40)", expected: .budget),
        .init(script: "return table.unpack({}, 1, 2^40)", expected: .runtime),
        .init(script: "return attributeValue:gsub(('.-'):rep(20) .. 'x', '')", expected: .budget),
        .init(script: "return attributeValue:matches(('.-'):rep(20) .. 'x') and nil", expected: .budget),
        .init(script: "local s = ('a'):rep(100000) for i = 1, 1e9 do s:gsub('a', 'b') end", expected: .budget),
        // memory
        .init(script: "return ('x'):rep(2^31)", expected: .memory),
        .init(script: "local t = {} for i = 1, 1e9 do t[i] = {i, i, i, i, i, i, i, i} end", expected: .memory),
        .init(script: "local t, s = {}, ('x'):rep(1000) for i = 1, 1e9 do t[i] = s .. i end", expected: .memory),
        .init(script: "local t = {} while true do t[#t + 1] = #t end", expected: .budget),
        .init(script: "local a = ('x'):rep(4e6) for i = 1, 1e9 do local _ = (a == a .. '') end", expected: .budget),
        .init(script: "local s = 'x' while true do s = s .. s end", expected: .memory),
        .init(script: "local h = attributeValue while true do h = h .. h end", expected: .memory),
        .init(script: "local ok = pcall(function() return ('x'):rep(2^30) end) return attributeValue", expected: .memory),
        .init(script: "local t = {} for i = 1, 1e9 do t[i] = attributeValue .. i end", expected: .memory),
        .init(script: "local function f(...) return f(1, ...) end return f()", expected: .budget),
        .init(script: "local function f() return 1 + f() end return f()", expected: .memory),
        // errors that would carry the secret
        .init(script: "error(attributeValue:reveal())", expected: .runtime, allowReveal: true),
        .init(script: "assert(false, attributeValue:reveal())", expected: .runtime, allowReveal: true),
        .init(script: "string.format('%' .. attributeValue:reveal(), 1)", expected: .runtime, allowReveal: true),
        .init(script: "error({attributeValue:reveal()})", expected: .runtime, allowReveal: true),
        .init(script: "local x = attributeValue:reveal() + 1", expected: .runtime, allowReveal: true),
        .init(script: "return attributeValue:reveal()", expected: .badReturn, allowReveal: true),
        .init(script: "return attributeValue:reveal()", expected: .forbidden),
        .init(script: "pcall(attributeValue.reveal, attributeValue) return attributeValue", expected: .forbidden),
        // strict return
        .init(script: "return 'plain'", expected: .badReturn),
        .init(script: "return {}", expected: .badReturn),
        .init(script: "return 1", expected: .badReturn),
        .init(script: "return true", expected: .badReturn),
        .init(script: "return attributeValue, attributeValue", expected: .badReturn),
        .init(script: "return nil, nil", expected: .badReturn),
        .init(script: "", expected: .badReturn),
        .init(script: "return print", expected: nil),
        .init(script: "return tostring(attributeValue)", expected: .badReturn),
        .init(script: "return string", expected: .badReturn),
        .init(script: "return attributeValue:gsub('x', 'y')", expected: nil),
    ]

    @Test(arguments: attacks)
    func attackIsStopped(_ attack: Attack) throws {
        let clock = ContinuousClock()
        let start = clock.now
        var limits = ScriptLimits(allowReveal: attack.allowReveal)
        if attack.expected == .memory {
            // The instruction budget and the memory limit count the same on
            // every machine; the deadline is wall time, which a loaded one
            // stretches past 100 ms before the memory fills. So a case that
            // is the memory limit's must not race the clock.
            limits.timeLimit = .seconds(5)
        }
        let evaluation = Sandbox.run(attack.script, limits: limits)
        let elapsed = clock.now - start
        #expect(Sandbox.code(evaluation) == attack.expected)
        // A hang detector, not a performance test: the budget stops these in
        // milliseconds; the bound leaves room for a loaded CI machine.
        #expect(elapsed < .seconds(10))
        for text in Sandbox.renderings(of: evaluation) {
            #expect(!text.contains(Canary.password))
            #expect(!text.contains("Kw-CANARY"))
        }
    }

    @Test func theDeadlineStopsWorkNoCounterSees() {
        // Comparing two long strings is one instruction and allocates nothing.
        let script = "local a, b = ('x'):rep(4e6), ('x'):rep(4e6 - 1) .. 'y' for i = 1, 1e9 do local _ = (a == b) end"
        let clock = ContinuousClock()
        let start = clock.now
        let evaluation = Sandbox.run(script, limits: ScriptLimits(timeLimit: .milliseconds(100)))
        #expect(Sandbox.code(evaluation) == .budget)
        #expect(clock.now - start < .seconds(2))
    }

    @Test func tostringOfTheSecretIsConstant() throws {
        let evaluation = Sandbox.run("if tostring(attributeValue) == 'GuardedString' then return attributeValue end error('x')")
        #expect(Sandbox.plaintext(evaluation) == Canary.password)
        let formatted = Sandbox.run("return attributeValue .. string.format('%s', attributeValue)")
        #expect(Sandbox.plaintext(formatted) == Canary.password + "GuardedString")
    }

    @Test func budgetWinsOverWhatTheScriptReturns() {
        // The script swallows the budget error with pcall and returns normally:
        // the host's flag decides.
        let evaluation = Sandbox.run("pcall(function() while true do end end) return attributeValue")
        #expect(Sandbox.code(evaluation) == .budget)
    }

    @Test func memoryWinsOverWhatTheScriptReturns() {
        let evaluation = Sandbox.run("pcall(function() return ('x'):rep(2^30) end) return nil")
        #expect(Sandbox.code(evaluation) == .memory)
    }
}
