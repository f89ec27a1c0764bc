import KeywardTestSupport
import Testing

@testable import KeywardScripting

/// All tokens of `source` up to the end of file (excluded).
private func lexTokens(_ source: String) throws(LuaSyntaxError) -> [LuaToken] {
    var lexer = LuaLexer(source: Array(source.utf8))
    var tokens: [LuaToken] = []
    while true {
        let token = try lexer.next()
        if token.kind == .endOfFile { return tokens }
        tokens.append(token)
    }
}

private func lexKinds(_ source: String) throws(LuaSyntaxError) -> [LuaTokenKind] {
    try lexTokens(source).map(\.kind)
}

/// The lexical error `source` raises, if any.
private func lexError(_ source: String) -> LuaSyntaxError? {
    do throws(LuaSyntaxError) {
        _ = try lexTokens(source)
        return nil
    } catch {
        return error
    }
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("Lua lexer", .offThePool)
struct CheckerLexerTests {
    @Test("long strings of any level, first newline skipped")
    func longStrings() throws {
        #expect(try lexKinds("x = [[abc]]") == [.name("x"), .symbol(.assign), .string(bytes("abc"))])
        #expect(try lexKinds("[==[ a ]] b ]=] c ]==]") == [.string(bytes(" a ]] b ]=] c "))])
        #expect(try lexKinds("[[\nline]]") == [.string(bytes("line"))])
        #expect(try lexKinds("[[\r\nline]]") == [.string(bytes("line"))])
        #expect(try lexKinds("[[\n\nline]]") == [.string(bytes("\nline"))])
        #expect(try lexKinds("[[a\r\nb\n\rc\rd]]") == [.string(bytes("a\nb\nc\nd"))])
        #expect(try lexKinds("[=[]]]=]") == [.string(bytes("]]"))])
        #expect(try lexKinds("[[print(x)]]") == [.string(bytes("print(x)"))])
    }

    @Test("long and short comments produce no tokens")
    func comments() throws {
        #expect(try lexKinds("--[==[ print() ]] still comment ]==] x") == [.name("x")])
        #expect(try lexKinds("--[[ multi\nline ]] y") == [.name("y")])
        #expect(try lexKinds("-- print(x)\nz") == [.name("z")])
        #expect(try lexKinds("--[= not long\nw") == [.name("w")])
        #expect(try lexKinds("--[ not long\nv") == [.name("v")])
        #expect(try lexKinds("a - -b") == [.name("a"), .symbol(.minus), .symbol(.minus), .name("b")])
        let tokens = try lexTokens("--[==[\n\n]==] q")
        #expect(tokens.first?.position.line == 3)
        #expect(tokens.first?.position.column == 6)
    }

    @Test("short-string escapes")
    func escapes() throws {
        #expect(try lexKinds(#""\a\b\f\n\r\t\v\\\"\'""#) == [.string([7, 8, 12, 10, 13, 9, 11, 92, 34, 39])])
        #expect(try lexKinds(#"'\x41\x7a'"#) == [.string(bytes("Az"))])
        #expect(try lexKinds(#"'\65\066\0067'"#) == [.string(bytes("AB") + [6, 55])])
        #expect(try lexKinds(#"'\255'"#) == [.string([255])])
        #expect(try lexKinds("'a\\z   \n\t  b'") == [.string(bytes("ab"))])
        #expect(try lexKinds("'a\\\nb'") == [.string(bytes("a\nb"))])
        #expect(try lexKinds(#"'\u{41}\u{E9}\u{20AC}'"#) == [.string(bytes("Aé€"))])
        #expect(try lexKinds(#"'\u{7FFFFFFF}'"#) == [.string([0xFD, 0xBF, 0xBF, 0xBF, 0xBF, 0xBF])])
        #expect(try lexKinds(#"'\u{10FFFF}'"#) == [.string([0xF4, 0x8F, 0xBF, 0xBF])])
        #expect(try lexKinds(#""it's""#) == [.string(bytes("it's"))])
        #expect(try lexKinds(#"'print(x)'"#) == [.string(bytes("print(x)"))])
    }

    @Test("\\z across several lines keeps line numbers right")
    func escapeZLines() throws {
        let tokens = try lexTokens("'a\\z\n\n  b' c")
        #expect(tokens.count == 2)
        #expect(tokens[1].position.line == 3)
        #expect(tokens[1].position.column == 6)
    }

    @Test(
        "numerals",
        arguments: [
            "3", "345", "0xff", "0xBEBADA", "3.0", "3.1416", "314.16e-2", "0.31416E1", "34e1", "0x0.1E",
            "0xA23p-4", "0X1.921FB54442D18P+1", "1e10", ".5", "3.", "0x.8p1", "0xA.", "9223372036854775808",
        ]
    )
    func numerals(text: String) throws {
        #expect(try lexKinds(text) == [.number(text)])
    }

    @Test("a numeral followed by an operator")
    func numeralBoundaries() throws {
        #expect(try lexKinds("a..b") == [.name("a"), .symbol(.concat), .name("b")])
        #expect(try lexKinds("1 ..2") == [.number("1"), .symbol(.concat), .number("2")])
        #expect(try lexKinds("0x10-1") == [.number("0x10"), .symbol(.minus), .number("1")])
        #expect(try lexKinds("1e-2+3") == [.number("1e-2"), .symbol(.plus), .number("3")])
    }

    @Test("every operator")
    func operators() throws {
        let text = "+ - * / // % ^ # & ~ | << >> == ~= <= >= < > = ( ) { } [ ] :: ; : , . .. ..."
        let expected: [LuaSymbol] = [
            .plus, .minus, .star, .slash, .doubleSlash, .percent, .caret, .hash, .ampersand, .tilde, .pipe,
            .shiftLeft, .shiftRight, .equal, .notEqual, .lessEqual, .greaterEqual, .less, .greater, .assign,
            .openParen, .closeParen, .openBrace, .closeBrace, .openBracket, .closeBracket, .doubleColon,
            .semicolon, .colon, .comma, .dot, .concat, .ellipsis,
        ]
        #expect(try lexKinds(text) == expected.map { .symbol($0) })
        #expect(
            try lexKinds("a//b>>c<<d~e") == [
                .name("a"), .symbol(.doubleSlash), .name("b"), .symbol(.shiftRight), .name("c"), .symbol(.shiftLeft),
                .name("d"), .symbol(.tilde), .name("e"),
            ]
        )
    }

    @Test("keywords and names")
    func keywords() throws {
        #expect(
            try lexKinds("local goto_ goto function_x end") == [
                .keyword(.local), .name("goto_"), .keyword(.goto), .name("function_x"), .keyword(.end),
            ]
        )
        #expect(try lexKinds("_ENV _G __index") == [.name("_ENV"), .name("_G"), .name("__index")])
    }

    @Test("a shebang first line is skipped")
    func shebang() throws {
        let tokens = try lexTokens("#!/usr/bin/env lua\nreturn 1")
        #expect(tokens.map(\.kind) == [.keyword(.return), .number("1")])
        #expect(tokens[0].position == LuaSourcePosition(line: 2, column: 1, offset: 19))
        #expect(try lexKinds("# comment only") == [])
        #expect(try lexKinds("x = 1\n#y") == [.name("x"), .symbol(.assign), .number("1"), .symbol(.hash), .name("y")])
    }

    @Test("positions: 1-based lines and columns in code points, all newline styles")
    func positions() throws {
        let tokens = try lexTokens("a\r\nb\n\rc\rd\n  y = 'ü' x")
        let places = tokens.map { [$0.position.line, $0.position.column] }
        #expect(places == [[1, 1], [2, 1], [3, 1], [4, 1], [5, 3], [5, 5], [5, 7], [5, 11]])
        #expect(lexError("x = 'é' @")?.position.column == 9)
        #expect(try lexTokens("\ta")[0].position.column == 2)
    }

    @Test(
        "lexical errors with their exact position",
        arguments: [
            ("x = 'abc", "unfinished string near '<eof>'", 1, 5),
            ("x = 1\ny = \"abc\nz", "unfinished string near '\"abc'", 2, 5),
            ("s = 'a\\qb'", "invalid escape sequence '\\q' near ''a\\q'", 1, 7),
            ("s = 'a\\xZZ'", "hexadecimal digit expected near ''a\\xZ'", 1, 7),
            ("s = '\\300'", "decimal escape too large near ''\\300''", 1, 6),
            ("s = '\\u{80000000}'", "UTF-8 value too large near ''\\u{80000000'", 1, 6),
            ("s = '\\u41'", "missing '{' near ''\\u4'", 1, 6),
            ("s = '\\u{41'", "missing '}' near ''\\u{41''", 1, 6),
            ("s = '\\u{}'", "hexadecimal digit expected near ''\\u{}'", 1, 6),
            ("\n\n  --[==[ never closed ]=]", "unfinished long comment (starting at line 3) near '<eof>'", 3, 3),
            ("x = [==[ abc ]]", "unfinished long string (starting at line 1) near '<eof>'", 1, 5),
            ("x = [=a", "invalid long string delimiter near '[='", 1, 5),
            ("x = 1..2", "malformed number near '1..2'", 1, 5),
            ("x = 0x", "malformed number near '0x'", 1, 5),
            ("x = 3f", "malformed number near '3f'", 1, 5),
            ("x = 1e+", "malformed number near '1e+'", 1, 5),
            ("x = .5e", "malformed number near '.5e'", 1, 5),
            ("x = 0x1p", "malformed number near '0x1p'", 1, 5),
            ("x = 12abc", "malformed number near '12abc'", 1, 5),
            ("x = 12g", "malformed number near '12g'", 1, 5),
            ("x = @", "unexpected symbol near '@'", 1, 5),
            ("x = $", "unexpected symbol near '$'", 1, 5),
            ("x = \u{1}", "unexpected symbol near '<\\1>'", 1, 5),
            ("x = é", "unexpected symbol near '<\\195>'", 1, 5),
        ] as [(String, String, Int, Int)]
    )
    func lexicalErrors(source: String, message: String, line: Int, column: Int) throws {
        let error = try #require(lexError(source))
        #expect(error.message == message)
        #expect(error.position.line == line)
        #expect(error.position.column == column)
    }

    @Test("extended UTF-8 encodes up to 31 bits as Lua does")
    func extendedUTF8() {
        #expect(LuaLexer.extendedUTF8(0x41) == [0x41])
        #expect(LuaLexer.extendedUTF8(0x7FF) == [0xDF, 0xBF])
        #expect(LuaLexer.extendedUTF8(0xFFFF) == [0xEF, 0xBF, 0xBF])
        #expect(LuaLexer.extendedUTF8(0x20_0000) == [0xF8, 0x88, 0x80, 0x80, 0x80])
    }

    @Test("lexing stays linear on a large input")
    func largeInput() throws {
        let line = "local s = 'abc' .. [[long]] -- comment\n"
        let source = String(repeating: line, count: 20_000)
        #expect(try lexTokens(source).count == 120_000)
        let longLine = String(repeating: "a ", count: 200_000)
        let tokens = try lexTokens(longLine)
        #expect(tokens.last?.position.column == 399_999)
    }
}
