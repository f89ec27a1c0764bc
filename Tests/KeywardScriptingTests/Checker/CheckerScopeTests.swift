import KeywardTestSupport
import Testing

@testable import KeywardScripting

/// Every name occurrence of `source` in order, with the line of the local it
/// refers to (`nil` for a global).
private func bindings(_ source: String) throws -> [(name: String, localLine: Int?, localColumn: Int?)] {
    let bytes = Array(source.utf8)
    let chunk = try LuaParser.parse(bytes)
    let resolution = try ScopeResolver.resolve(chunk)
    var lexer = LuaLexer(source: bytes)
    var result: [(String, Int?, Int?)] = []
    while true {
        let token = try lexer.next()
        if token.kind == .endOfFile { return result }
        guard case .name(let name) = token.kind else { continue }
        let identifier = LuaIdentifier(name: name, position: token.position)
        let local = resolution.local(for: identifier)
        result.append((name, local?.position.line, local?.position.column))
    }
}

/// The columns of the occurrences of `name` that `source` resolves as globals.
private func globalColumns(of name: String, in source: String) throws -> [Int] {
    let resolution = try ScopeResolver.resolve(try LuaParser.parse(Array(source.utf8)))
    return resolution.globalReferences.filter { $0.name == name }.map(\.position.column)
}

@Suite("Scope resolution", .offThePool)
struct CheckerScopeTests {
    @Test("`local x = x` reads the outer x on the right")
    func localShadowing() throws {
        //            1234567890123456789
        let source = "local x = x return x"
        #expect(try globalColumns(of: "x", in: source) == [11])
        let all = try bindings(source)
        #expect(all.map(\.localColumn) == [nil, nil, 7])
    }

    @Test("`local function f` sees itself; `local f = function` does not")
    func localFunctionRecursion() throws {
        #expect(try globalColumns(of: "f", in: "local function f() return f() end") == [])
        #expect(try globalColumns(of: "f", in: "local f = function() return f() end") == [29])
    }

    @Test("`function f()` assigns a global unless f is a local")
    func functionStatement() throws {
        let source = "function f() end"
        let resolution = try ScopeResolver.resolve(try LuaParser.parse(Array(source.utf8)))
        #expect(resolution.assignedGlobals == ["f"])
        let local = "local f; function f() end"
        let localResolution = try ScopeResolver.resolve(try LuaParser.parse(Array(local.utf8)))
        #expect(localResolution.assignedGlobals.isEmpty)
        #expect(localResolution.locals[0].isReassigned)
    }

    @Test("a repeat condition sees the body's locals")
    func repeatScope() throws {
        #expect(try globalColumns(of: "y", in: "repeat local y = 1 until y") == [])
        #expect(try globalColumns(of: "y", in: "while y do local y = 1 end") == [7])
    }

    @Test("methods get self; parameters and loop variables are local to their body")
    func implicitSelfAndParameters() throws {
        #expect(try globalColumns(of: "self", in: "function a.b:c() return self end") == [])
        #expect(try globalColumns(of: "self", in: "function a.b.c() return self end") == [25])
        #expect(try globalColumns(of: "p", in: "local function f(p) return p end return p") == [41])
        #expect(try globalColumns(of: "i", in: "for i = 1, 2 do x = i end return i") == [34])
        #expect(try globalColumns(of: "k", in: "for k, v in pairs(t) do x = k end return k") == [42])
        #expect(try globalColumns(of: "a", in: "function a.b:c() end") == [10])
    }

    @Test("for-loop expressions are outside the loop's scope")
    func forLoopExpressions() throws {
        #expect(try globalColumns(of: "i", in: "for i = i, 10 do end") == [9])
        #expect(try globalColumns(of: "k", in: "for k in k do end") == [10])
    }

    @Test("locals end with their block")
    func blockScope() throws {
        #expect(try globalColumns(of: "z", in: "do local z = 1 end return z") == [27])
        #expect(try globalColumns(of: "z", in: "if a then local z = 1 else return z end") == [35])
    }

    @Test("fields, method names, table keys, labels and strings are not variables")
    func notVariables() throws {
        let source = "local t = {print = 1} t.print = obj:print() goto print ::print:: return 'print'"
        #expect(try globalColumns(of: "print", in: source) == [])
        #expect(try globalColumns(of: "obj", in: source) == [33])
    }

    @Test("a simple alias of attributeValue keeps its initializer")
    func aliasInitializer() throws {
        let source = "local v = attributeValue local w = v w = nil"
        let resolution = try ScopeResolver.resolve(try LuaParser.parse(Array(source.utf8)))
        #expect(resolution.locals.count == 2)
        #expect(resolution.locals[0].isReassigned == false)
        #expect(resolution.locals[1].isReassigned == true)
        let initializer = try #require(resolution.locals[0].initializer)
        guard case .name(let identifier) = initializer else {
            Issue.record("initializer is not a name")
            return
        }
        #expect(identifier.name == "attributeValue")
        #expect(resolution.isGlobal(identifier))
    }
}
