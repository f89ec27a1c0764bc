import KeywardTestSupport
import Testing

@testable import KeywardScripting

/// The syntax error `source` raises while parsing or resolving, if any.
private func compileError(_ source: String) -> LuaSyntaxError? {
    do throws(LuaSyntaxError) {
        let chunk = try LuaParser.parse(Array(source.utf8))
        _ = try ScopeResolver.resolve(chunk)
        return nil
    } catch {
        return error
    }
}

/// An expression written with every operation in parentheses.
private func rendered(_ expression: LuaExpression) -> String {
    switch expression {
    case .literal(let literal, _):
        switch literal {
        case .nil: return "nil"
        case .true: return "true"
        case .false: return "false"
        case .number(let text): return text
        case .string(let bytes): return "'" + String(decoding: bytes, as: UTF8.self) + "'"
        }
    case .vararg: return "..."
    case .name(let identifier): return identifier.name
    case .field(let base, let name): return rendered(base) + "." + name.name
    case .index(let base, let key, _): return rendered(base) + "[" + rendered(key) + "]"
    case .call(let callee, let arguments, _):
        return rendered(callee) + "(" + arguments.map(rendered).joined(separator: ", ") + ")"
    case .methodCall(let receiver, let name, let arguments):
        return rendered(receiver) + ":" + name.name + "(" + arguments.map(rendered).joined(separator: ", ") + ")"
    case .function: return "function"
    case .unary(let unary, let operand, _):
        return "(" + unary.rawValue + (unary == .not ? " " : "") + rendered(operand) + ")"
    case .binary(let binary, let left, let right, _):
        return "(" + rendered(left) + " " + binary.rawValue + " " + rendered(right) + ")"
    case .parenthesized(let inner, _): return "[" + rendered(inner) + "]"
    case .table(let fields, _): return "{" + String(fields.count) + "}"
    }
}

private func renderedReturn(_ source: String) throws -> String {
    let chunk = try LuaParser.parse(Array("return \(source)".utf8))
    guard case .returnStatement(let values, _) = try #require(chunk.block.statements.first) else {
        Issue.record("not a return")
        return ""
    }
    return values.map(rendered).joined(separator: ", ")
}

@Suite("Lua parser", .offThePool)
struct CheckerParserTests {
    static let validChunks = [
        "", ";;;", "return", "return;", "return 1, 2, ...", "x = 1 return",
        "local a <const>, b <close> = 1, nil", "local a, b, c", "local function f(a, b, ...) return f end",
        "function a.b.c:d(x) return self, x end", "function f(...) return select('#', ...) end",
        "a, b.c, d[1] = 1, 2, 3", "a.b.c = f()", "f{1, 2; x = 3, [4] = 5,}", "f'str' f[[long]] f\"x\"",
        "obj:method(1):other{}:third'x'", "(f)()", "(a).b = 1", "a[b][c] = d", "x = #t + -y ^ 2 // 3 % 4",
        "x = ~a & b | c ~ d << 1 >> 2", "x = a and b or not c", "x = 1 < 2 == (3 >= 4) ~= (5 <= 6)",
        "do local x end", "while x do break end", "repeat local y = 1 until y",
        "if a then elseif b then else end", "for i = 1, 10 do end", "for i = 10, 1, -1 do end",
        "for k, v in pairs(t) do end", "for _ in f do end", "goto done; ::done::",
        "do goto continue; local x; ::continue:: end", "::top:: x = 1 goto top",
        "while true do if x then goto next end ::next:: end", "x = function() end",
        "x = {f = function(self) return self end}", "return {...}", "return f(...)",
        "local t = {[1] = 'a', 'b', c = 'c'; 'd'}", "x = 'a' .. 'b' .. 'c'", "x = - - 1", "x = not not y",
        "return 2^-3", "a.b['c'].d:e()", "local _ENV = {}", "return 0x1p-2 + .5 + 3. + 1e10",
        "for i = 1, 2 do local function g() return i end end", "repeat goto cont; ::cont:: until true",
        "while a do while b do break end break end",
    ]

    @Test("valid Lua 5.4 parses", arguments: validChunks)
    func validChunk(source: String) {
        #expect(compileError(source) == nil)
    }

    @Test(
        "operator precedence and associativity",
        arguments: [
            ("1 + 2 * 3", "(1 + (2 * 3))"),
            ("2 ^ -3 ^ 2", "(2 ^ (-(3 ^ 2)))"),
            ("-x ^ 2", "(-(x ^ 2))"),
            ("a .. b .. c", "(a .. (b .. c))"),
            ("a - b - c", "((a - b) - c)"),
            ("not a == b", "((not a) == b)"),
            ("1 << 2 + 3", "(1 << (2 + 3))"),
            ("a or b and c", "(a or (b and c))"),
            ("a | b ~ c & d", "(a | (b ~ (c & d)))"),
            ("a // b * c % d", "(((a // b) * c) % d)"),
            ("#t + 1", "((#t) + 1)"),
            ("a < b == c", "((a < b) == c)"),
            ("1 .. 2 == s", "((1 .. 2) == s)"),
            ("a + b .. c", "((a + b) .. c)"),
            ("~a << 1", "((~a) << 1)"),
            ("a >> 1 & b", "((a >> 1) & b)"),
            ("(a + b) * c", "([(a + b)] * c)"),
            ("f(x).y:z(1)[2]", "f(x).y:z(1)[2]"),
            ("a and b or c", "((a and b) or c)"),
        ]
    )
    func precedence(source: String, expected: String) throws {
        #expect(try renderedReturn(source) == expected)
    }

    @Test(
        "syntax errors with their position and what was expected",
        arguments: [
            ("local function f()\n  return 1\n", "expected 'end' to close 'function' at line 1 near '<eof>'", 3, 1),
            ("if x then", "expected 'end' near '<eof>'", 1, 10),
            ("x = = 1", "unexpected symbol near '='", 1, 5),
            ("f(", "unexpected symbol near '<eof>'", 1, 3),
            ("a.b:c = 1", "expected function arguments near '='", 1, 7),
            ("a = 1 2", "unexpected symbol near '2'", 1, 7),
            ("(a) = 1", "syntax error near '='", 1, 5),
            ("a() = 1", "syntax error near '='", 1, 5),
            ("x", "syntax error near '<eof>'", 1, 2),
            ("x = function(..., a) end", "expected ')' near ','", 1, 17),
            ("for i=1 do end", "expected ',' near 'do'", 1, 9),
            ("for a,b in x, do end", "unexpected symbol near 'do'", 1, 15),
            ("for 1 = 1, 2 do end", "expected <name> near '1'", 1, 5),
            ("for i do end", "expected '=' or 'in' near 'do'", 1, 7),
            ("local function a.b() end", "expected '(' near '.'", 1, 17),
            ("return return", "unexpected symbol near 'return'", 1, 8),
            ("return 1 x = 2", "expected '<eof>' near 'x'", 1, 10),
            ("x = {1, 2", "expected '}' near '<eof>'", 1, 10),
            ("x = {1,\n2", "expected '}' to close '{' at line 1 near '<eof>'", 2, 2),
            ("x = (1\n", "expected ')' to close '(' at line 1 near '<eof>'", 2, 1),
            ("while x do\n", "expected 'end' to close 'while' at line 1 near '<eof>'", 2, 1),
            ("repeat\nx()\n", "expected 'until' to close 'repeat' at line 1 near '<eof>'", 3, 1),
            ("if x then else elseif y then end", "expected 'end' near 'elseif'", 1, 16),
            ("local x <foo> = 1", "unknown attribute 'foo'", 1, 10),
            ("local a <close>, b <close> = 1, 2", "multiple to-be-closed variables in local list", 1, 18),
            ("function f() return ... end", "cannot use '...' outside a vararg function near '...'", 1, 21),
            ("return ::", "unexpected symbol near '::'", 1, 8),
            ("x = 'a' .. \"unclosed", "unfinished string near '<eof>'", 1, 12),
            ("goto l", "no visible label 'l' for <goto> at line 1", 1, 1),
            ("do local x ::l:: end goto l", "no visible label 'l' for <goto> at line 1", 1, 22),
            ("x = 1\n  break", "break outside a loop at line 2", 2, 3),
            ("goto l; local x; ::l:: print(x)", "<goto l> at line 1 jumps into the scope of local 'x'", 1, 1),
            ("::l:: ::l::", "label 'l' already defined on line 1", 1, 9),
            ("::l:: do ::l:: end", "label 'l' already defined on line 1", 1, 12),
            ("local x <const> = 1; x = 2", "attempt to assign to const variable 'x'", 1, 22),
            ("local f <close> = nil\nfunction f() end", "attempt to assign to const variable 'f'", 2, 10),
            ("repeat goto l; local x; ::l:: until x", "<goto l> at line 1 jumps into the scope of local 'x'", 1, 8),
            ("x = y z", "syntax error near '<eof>'", 1, 8),
        ] as [(String, String, Int, Int)]
    )
    func syntaxError(source: String, message: String, line: Int, column: Int) throws {
        let error = try #require(compileError(source))
        #expect(error.message == message)
        #expect(error.position.line == line)
        #expect(error.position.column == column)
    }

    @Test("goto forms Lua accepts: backward, to the end of a block, out of nested blocks")
    func validGotos() {
        #expect(compileError("goto l; local x; ::l::") == nil)
        #expect(compileError("do goto l; local x; ::l:: ::m:: end") == nil)
        #expect(compileError("::a:: do goto a end") == nil)
        #expect(compileError("do do goto out end end ::out::") == nil)
        #expect(compileError("local function f() goto l ::l:: end ::l::") == nil)
        #expect(compileError("do ::l:: end ::l::") == nil)
        #expect(compileError("while x do local y ::continue:: end") == nil)
    }

    @Test("a goto cannot reach a label of an enclosing function")
    func gotoAcrossFunctions() {
        #expect(
            compileError("::l:: local function f() goto l end")?.message == "no visible label 'l' for <goto> at line 1"
        )
        #expect(
            compileError("while x do local function f() break end end")?.message == "break outside a loop at line 1"
        )
    }

    @Test("nesting is capped at 200 levels; shallower nesting parses")
    func nestingLimit() throws {
        let shallow = "return " + String(repeating: "(", count: 150) + "1" + String(repeating: ")", count: 150)
        #expect(compileError(shallow) == nil)
        let deep = "return " + String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300)
        let error = try #require(compileError(deep))
        #expect(error.message.hasPrefix("too many nested syntax levels (limit 200)"))
        let blocks = String(repeating: "do ", count: 300) + String(repeating: "end ", count: 300)
        #expect(compileError(blocks)?.message.hasPrefix("too many nested syntax levels") == true)
        let chain = "return " + Array(repeating: "a", count: 150).joined(separator: " + ")
        #expect(compileError(chain) == nil)
        let longChain = "return " + Array(repeating: "a", count: 500).joined(separator: " + ")
        #expect(compileError(longChain)?.message.hasPrefix("too many nested syntax levels") == true)
        let calls = "return f" + String(repeating: "()", count: 500)
        #expect(compileError(calls)?.message.hasPrefix("too many nested syntax levels") == true)
    }

    @Test("too many locals in one function")
    func tooManyLocals() throws {
        let source = (1...201).map { "local v\($0) = \($0)" }.joined(separator: "\n")
        let error = try #require(compileError(source))
        #expect(error.message == "too many local variables (limit is 200) in one function")
        #expect(error.position.line == 201)
        let fine = (1...200).map { "local v\($0) = \($0)" }.joined(separator: "\n")
        #expect(compileError(fine) == nil)
    }

    @Test("a 1 MiB script of statements parses")
    func largeScript() throws {
        let line = "local value = (attributeValue or 'x') .. [[text]] -- note\n"
        let source = String(repeating: line, count: (1 << 20) / line.utf8.count)
        let chunk = try LuaParser.parse(Array(source.utf8))
        #expect(chunk.block.statements.count == (1 << 20) / line.utf8.count)
    }
}
