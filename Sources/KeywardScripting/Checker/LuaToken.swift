/// A place in a script's source.
///
/// `line` and `column` are 1-based. Columns count Unicode scalars (code
/// points) from the start of the line, so a tab is one column and `é` is one
/// column although it is two bytes; in bytes that are not valid UTF-8, each
/// byte other than a continuation byte (0x80–0xBF) counts one column. `offset` is the 0-based byte offset in the UTF-8 source and
/// identifies a token uniquely.
struct LuaSourcePosition: Sendable, Hashable, Comparable {
    var line: Int
    var column: Int
    var offset: Int

    static func < (lhs: LuaSourcePosition, rhs: LuaSourcePosition) -> Bool {
        lhs.offset < rhs.offset
    }
}

/// The reserved words of Lua 5.4.
enum LuaKeyword: String, Sendable, CaseIterable {
    case and, `break`, `do`, `else`, `elseif`, end, `false`, `for`, function, goto, `if`, `in`
    case local, `nil`, not, or, `repeat`, `return`, then, `true`, until, `while`
}

/// The operators and punctuation of Lua 5.4.
enum LuaSymbol: String, Sendable, CaseIterable {
    case plus = "+", minus = "-", star = "*", slash = "/", doubleSlash = "//", percent = "%"
    case caret = "^", hash = "#", ampersand = "&", tilde = "~", pipe = "|"
    case shiftLeft = "<<", shiftRight = ">>"
    case equal = "==", notEqual = "~=", lessEqual = "<=", greaterEqual = ">=", less = "<", greater = ">"
    case assign = "="
    case openParen = "(", closeParen = ")", openBrace = "{", closeBrace = "}"
    case openBracket = "[", closeBracket = "]", doubleColon = "::", semicolon = ";", colon = ":"
    case comma = ",", dot = ".", concat = "..", ellipsis = "..."
}

/// What a token is.
enum LuaTokenKind: Sendable, Equatable {
    /// An identifier.
    case name(String)
    /// A short or long string literal, with its escapes decoded (Lua strings are bytes).
    case string([UInt8])
    /// A numeral, as written.
    case number(String)
    case keyword(LuaKeyword)
    case symbol(LuaSymbol)
    case endOfFile
}

/// One token of a Lua chunk with where it starts and how many bytes it spans.
struct LuaToken: Sendable, Equatable {
    var kind: LuaTokenKind
    var position: LuaSourcePosition
    var length: Int

    func isSymbol(_ symbol: LuaSymbol) -> Bool { kind == .symbol(symbol) }

    func isKeyword(_ keyword: LuaKeyword) -> Bool { kind == .keyword(keyword) }

    /// How the token reads in a message: `'end'`, `'"abc"'`, `'<eof>'`.
    func quoted(in source: [UInt8]) -> String {
        switch kind {
        case .endOfFile:
            return "'<eof>'"
        case .keyword(let keyword):
            return "'\(keyword.rawValue)'"
        case .symbol(let symbol):
            return "'\(symbol.rawValue)'"
        case .name, .string, .number:
            let end = min(position.offset + length, source.count)
            return "'\(LuaToken.excerpt(source[position.offset..<end]))'"
        }
    }

    /// Source text fit for a one-line message: at most 40 characters, with
    /// control characters written as Lua writes them (`<\10>`).
    static func excerpt(_ bytes: ArraySlice<UInt8>) -> String {
        let limit = 40
        var clipped = bytes.prefix(limit * 4)
        var text = ""
        var count = 0
        var truncated = bytes.count > clipped.count
        while !clipped.isEmpty {
            if count == limit {
                truncated = true
                break
            }
            let byte = clipped.removeFirst()
            if byte < 0x20 || byte == 0x7F {
                text += "<\\\(byte)>"
            } else if byte < 0x80 {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                var sequence = [byte]
                while let next = clipped.first, next & 0xC0 == 0x80 {
                    sequence.append(clipped.removeFirst())
                }
                text += String(decoding: sequence, as: UTF8.self)
            }
            count += 1
        }
        return truncated ? text + "..." : text
    }
}

/// A lexical, grammatical or compile-time error in a chunk, where Lua's own
/// compiler would reject it.
struct LuaSyntaxError: Error, Sendable, Equatable {
    var message: String
    var position: LuaSourcePosition
}
