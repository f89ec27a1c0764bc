/// String literals and comments: long brackets of any level, and short
/// strings with every Lua 5.4 escape.
extension LuaLexer {
    // MARK: - Long brackets

    enum Separator {
        case long(level: Int)
        case bracket
        case invalid
    }

    /// At a `[`: consumes `[` and any `=`, and says whether a long bracket
    /// opens (the second `[` is left for `readLongBracket`).
    mutating func skipOpeningSeparator() -> Separator {
        advance()
        var level = 0
        while current == LuaByte.equals {
            advance()
            level += 1
        }
        if current == LuaByte.openBracket { return .long(level: level) }
        return level == 0 ? .bracket : .invalid
    }

    /// Reads a long string or comment whose opening `[=*` has been consumed;
    /// returns its contents with every newline sequence made `\n`, after
    /// dropping a first newline, as Lua does (comments return nothing).
    @discardableResult
    mutating func readLongBracket(
        level: Int,
        from start: LuaSourcePosition,
        isComment: Bool
    ) throws(LuaSyntaxError) -> [UInt8] {
        advance()
        if current == LuaByte.lineFeed || current == LuaByte.carriageReturn {
            newline()
        }
        var contents: [UInt8] = []
        while true {
            switch current {
            case LuaByte.endOfInput:
                let what = isComment ? "comment" : "string"
                throw LuaSyntaxError(
                    message: "unfinished long \(what) (starting at line \(start.line)) near '<eof>'",
                    position: start
                )
            case LuaByte.closeBracket:
                let closeStart = index
                advance()
                var equals = 0
                while current == LuaByte.equals {
                    advance()
                    equals += 1
                }
                if equals == level && current == LuaByte.closeBracket {
                    advance()
                    return contents
                }
                if !isComment {
                    contents.append(contentsOf: source[closeStart..<index])
                }
            case LuaByte.lineFeed, LuaByte.carriageReturn:
                newline()
                if !isComment {
                    contents.append(UInt8(LuaByte.lineFeed))
                }
            case let byte:
                if !isComment {
                    contents.append(UInt8(byte))
                }
                advance()
            }
        }
    }

    // MARK: - Short strings

    mutating func readShortString(from start: LuaSourcePosition) throws(LuaSyntaxError) -> LuaToken {
        let delimiter = current
        advance()
        var contents: [UInt8] = []
        while current != delimiter {
            switch current {
            case LuaByte.endOfInput, LuaByte.lineFeed, LuaByte.carriageReturn:
                let near = current == LuaByte.endOfInput ? "<eof>" : excerpt(from: start)
                throw LuaSyntaxError(message: "unfinished string near '\(near)'", position: start)
            case LuaByte.backslash:
                try readEscape(into: &contents, stringStart: start)
            case let byte:
                contents.append(UInt8(byte))
                advance()
            }
        }
        advance()
        return token(.string(contents), from: start)
    }

    private mutating func readEscape(
        into contents: inout [UInt8],
        stringStart: LuaSourcePosition
    ) throws(LuaSyntaxError) {
        let escapeStart = position
        advance()
        let simple: [Int: UInt8] = [
            LuaByte.ascii("a"): 0x07, LuaByte.ascii("b"): 0x08, LuaByte.ascii("f"): 0x0C, LuaByte.ascii("n"): 0x0A,
            LuaByte.ascii("r"): 0x0D, LuaByte.ascii("t"): 0x09, LuaByte.ascii("v"): 0x0B, LuaByte.backslash: 0x5C,
            LuaByte.doubleQuote: 0x22, LuaByte.singleQuote: 0x27,
        ]
        if let byte = simple[current] {
            contents.append(byte)
            advance()
            return
        }
        func failure(_ message: String) -> LuaSyntaxError {
            let end = min(index + 1, source.count)
            let near = LuaToken.excerpt(source[stringStart.offset..<end])
            return LuaSyntaxError(message: "\(message) near '\(near)'", position: escapeStart)
        }
        switch current {
        case LuaByte.endOfInput:
            return
        case LuaByte.lineFeed, LuaByte.carriageReturn:
            newline()
            contents.append(UInt8(LuaByte.lineFeed))
        case LuaByte.ascii("x"):
            var value = 0
            for _ in 0..<2 {
                advance()
                guard let digit = LuaByte.hexValue(current) else { throw failure("hexadecimal digit expected") }
                value = value * 16 + digit
            }
            advance()
            contents.append(UInt8(value))
        case LuaByte.ascii("z"):
            advance()
            while LuaByte.isSpace(current) {
                if current == LuaByte.lineFeed || current == LuaByte.carriageReturn {
                    newline()
                } else {
                    advance()
                }
            }
        case LuaByte.ascii("u"):
            advance()
            guard current == LuaByte.ascii("{") else { throw failure("missing '{'") }
            advance()
            guard var value = LuaByte.hexValue(current) else { throw failure("hexadecimal digit expected") }
            advance()
            while let digit = LuaByte.hexValue(current) {
                value = value * 16 + digit
                guard value <= 0x7FFF_FFFF else { throw failure("UTF-8 value too large") }
                advance()
            }
            guard current == LuaByte.ascii("}") else { throw failure("missing '}'") }
            advance()
            contents.append(contentsOf: LuaLexer.extendedUTF8(value))
        case let byte where LuaByte.isDigit(byte):
            var value = 0
            var digits = 0
            while digits < 3 && LuaByte.isDigit(current) {
                value = value * 10 + current - LuaByte.ascii("0")
                digits += 1
                advance()
            }
            guard value <= 255 else { throw failure("decimal escape too large") }
            contents.append(UInt8(value))
        default:
            throw failure("invalid escape sequence '\\\(LuaToken.excerpt(source[index..<index + 1]))'")
        }
    }

    /// Lua's `luaO_utf8esc`: UTF-8 extended to 31 bits (up to six bytes).
    static func extendedUTF8(_ value: Int) -> [UInt8] {
        if value < 0x80 { return [UInt8(value)] }
        var bytes: [UInt8] = []
        var rest = value
        var firstByteLimit = 0x3F
        repeat {
            bytes.append(UInt8(0x80 | (rest & 0x3F)))
            rest >>= 6
            firstByteLimit >>= 1
        } while rest > firstByteLimit
        bytes.append(UInt8((~firstByteLimit << 1) & 0xFF | rest))
        return bytes.reversed()
    }
}
