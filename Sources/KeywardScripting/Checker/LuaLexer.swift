/// A complete Lua 5.4 lexer over the bytes of a chunk, producing one token at
/// a time in linear time.
///
/// It follows `llex.c`: long strings and comments of any level, every short
/// string escape, decimal and hexadecimal numerals (validated as
/// `luaO_str2num` does), every operator, and a first line starting with `#`
/// (and a UTF-8 byte order mark) skipped as `luaL_loadfile` does. Errors carry
/// the position of the offending token, or of the escape sequence inside a
/// string.
struct LuaLexer {
    private let source: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1

    init(source: [UInt8]) {
        self.source = source
        if source.starts(with: [0xEF, 0xBB, 0xBF]) {
            index = 3
        }
        if current == LuaByte.hash {
            while current != LuaByte.endOfInput && current != LuaByte.lineFeed && current != LuaByte.carriageReturn {
                advance()
            }
        }
    }

    /// The position of the next byte to read.
    var position: SourcePosition {
        SourcePosition(line: line, column: column, offset: index)
    }

    /// Reads the next token; at the end of the chunk, an `endOfFile` token.
    mutating func next() throws(LuaSyntaxError) -> LuaToken {
        while true {
            let start = position
            switch current {
            case LuaByte.endOfInput:
                return LuaToken(kind: .endOfFile, position: start, length: 0)
            case LuaByte.lineFeed, LuaByte.carriageReturn:
                newline()
            case LuaByte.space, LuaByte.formFeed, LuaByte.tab, LuaByte.verticalTab:
                advance()
            case LuaByte.minus:
                advance()
                guard current == LuaByte.minus else { return token(.symbol(.minus), from: start) }
                advance()
                if current == LuaByte.openBracket, case .long(let level) = skipOpeningSeparator() {
                    try readLongBracket(level: level, from: start, isComment: true)
                    continue
                }
                while current != LuaByte.endOfInput && current != LuaByte.lineFeed && current != LuaByte.carriageReturn {
                    advance()
                }
            case LuaByte.openBracket:
                switch skipOpeningSeparator() {
                case .long(let level):
                    let bytes = try readLongBracket(level: level, from: start, isComment: false)
                    return token(.string(bytes), from: start)
                case .bracket:
                    return token(.symbol(.openBracket), from: start)
                case .invalid:
                    throw LuaSyntaxError(
                        message: "invalid long string delimiter near '\(excerpt(from: start))'", position: start)
                }
            case LuaByte.doubleQuote, LuaByte.singleQuote:
                return try readShortString(from: start)
            case LuaByte.dot:
                advance()
                if current == LuaByte.dot {
                    advance()
                    if current == LuaByte.dot {
                        advance()
                        return token(.symbol(.ellipsis), from: start)
                    }
                    return token(.symbol(.concat), from: start)
                }
                guard LuaByte.isDigit(current) else { return token(.symbol(.dot), from: start) }
                return try readNumeral(from: start)
            case let byte where LuaByte.isDigit(byte):
                return try readNumeral(from: start)
            case let byte where LuaByte.isAlpha(byte):
                while LuaByte.isAlphanumeric(current) {
                    advance()
                }
                let text = String(decoding: source[start.offset..<index], as: UTF8.self)
                if let keyword = LuaKeyword(rawValue: text) {
                    return token(.keyword(keyword), from: start)
                }
                return token(.name(text), from: start)
            default:
                return try readOperator(from: start)
            }
        }
    }

    // MARK: - Operators

    private mutating func readOperator(from start: SourcePosition) throws(LuaSyntaxError) -> LuaToken {
        let byte = current
        advance()
        let symbol: LuaSymbol
        switch byte {
        case LuaByte.ascii("+"): symbol = .plus
        case LuaByte.ascii("*"): symbol = .star
        case LuaByte.ascii("%"): symbol = .percent
        case LuaByte.ascii("^"): symbol = .caret
        case LuaByte.hash: symbol = .hash
        case LuaByte.ascii("&"): symbol = .ampersand
        case LuaByte.ascii("|"): symbol = .pipe
        case LuaByte.ascii("("): symbol = .openParen
        case LuaByte.ascii(")"): symbol = .closeParen
        case LuaByte.ascii("{"): symbol = .openBrace
        case LuaByte.ascii("}"): symbol = .closeBrace
        case LuaByte.closeBracket: symbol = .closeBracket
        case LuaByte.ascii(";"): symbol = .semicolon
        case LuaByte.ascii(","): symbol = .comma
        case LuaByte.ascii("/"): symbol = take(LuaByte.ascii("/")) ? .doubleSlash : .slash
        case LuaByte.equals: symbol = take(LuaByte.equals) ? .equal : .assign
        case LuaByte.ascii("~"): symbol = take(LuaByte.equals) ? .notEqual : .tilde
        case LuaByte.ascii(":"): symbol = take(LuaByte.ascii(":")) ? .doubleColon : .colon
        case LuaByte.ascii("<"):
            symbol = take(LuaByte.equals) ? .lessEqual : take(LuaByte.ascii("<")) ? .shiftLeft : .less
        case LuaByte.ascii(">"):
            symbol = take(LuaByte.equals) ? .greaterEqual : take(LuaByte.ascii(">")) ? .shiftRight : .greater
        default:
            let shown = byte >= 0x20 && byte < 0x7F ? String(Unicode.Scalar(UInt8(byte))) : "<\\\(byte)>"
            throw LuaSyntaxError(message: "unexpected symbol near '\(shown)'", position: start)
        }
        return token(.symbol(symbol), from: start)
    }

    // MARK: - Numerals

    private mutating func readNumeral(from start: SourcePosition) throws(LuaSyntaxError) -> LuaToken {
        let first = current
        advance()
        var exponentMarks = (LuaByte.ascii("e"), LuaByte.ascii("E"))
        if first == LuaByte.ascii("0") && (current == LuaByte.ascii("x") || current == LuaByte.ascii("X")) {
            advance()
            exponentMarks = (LuaByte.ascii("p"), LuaByte.ascii("P"))
        }
        while true {
            if current == exponentMarks.0 || current == exponentMarks.1 {
                advance()
                if current == LuaByte.ascii("+") || current == LuaByte.minus {
                    advance()
                }
            } else if LuaByte.isHexDigit(current) || current == LuaByte.dot {
                advance()
            } else {
                break
            }
        }
        if LuaByte.isAlpha(current) {
            advance()
        }
        let text = source[start.offset..<index]
        guard LuaLexer.isWellFormedNumeral(text) else {
            throw LuaSyntaxError(message: "malformed number near '\(excerpt(from: start))'", position: start)
        }
        return token(.number(String(decoding: text, as: UTF8.self)), from: start)
    }

    /// Whether `text` is a numeral `luaO_str2num` accepts: decimal with an
    /// optional fraction and `e` exponent, or hexadecimal with an optional
    /// fraction and `p` exponent.
    static func isWellFormedNumeral(_ text: ArraySlice<UInt8>) -> Bool {
        var rest = text[...]
        var isHex = false
        if rest.count >= 2, rest[rest.startIndex] == LuaByte.ascii("0"),
            rest[rest.startIndex + 1] | 0x20 == LuaByte.ascii("x")
        {
            isHex = true
            rest = rest.dropFirst(2)
        }
        func isMantissaDigit(_ byte: Int) -> Bool { isHex ? LuaByte.isHexDigit(byte) : LuaByte.isDigit(byte) }
        var digits = 0
        while let byte = rest.first, isMantissaDigit(Int(byte)) {
            digits += 1
            rest = rest.dropFirst()
        }
        if rest.first == UInt8(LuaByte.dot) {
            rest = rest.dropFirst()
            while let byte = rest.first, isMantissaDigit(Int(byte)) {
                digits += 1
                rest = rest.dropFirst()
            }
        }
        guard digits > 0 else { return false }
        guard let mark = rest.first else { return true }
        guard Int(mark) | 0x20 == (isHex ? LuaByte.ascii("p") : LuaByte.ascii("e")) else { return false }
        rest = rest.dropFirst()
        if let sign = rest.first, sign == UInt8(LuaByte.ascii("+")) || sign == UInt8(LuaByte.minus) {
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty else { return false }
        return rest.allSatisfy { LuaByte.isDigit(Int($0)) }
    }

    // MARK: - Long brackets

    private enum Separator {
        case long(level: Int)
        case bracket
        case invalid
    }

    /// At a `[`: consumes `[` and any `=`, and says whether a long bracket
    /// opens (the second `[` is left for `readLongBracket`).
    private mutating func skipOpeningSeparator() -> Separator {
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
    private mutating func readLongBracket(
        level: Int, from start: SourcePosition, isComment: Bool
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
                    position: start)
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

    private mutating func readShortString(from start: SourcePosition) throws(LuaSyntaxError) -> LuaToken {
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
        into contents: inout [UInt8], stringStart: SourcePosition
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

    // MARK: - Reading

    private var current: Int {
        index < source.count ? Int(source[index]) : LuaByte.endOfInput
    }

    private mutating func advance() {
        guard index < source.count else { return }
        if source[index] & 0xC0 != 0x80 {
            column += 1
        }
        index += 1
    }

    private mutating func take(_ byte: Int) -> Bool {
        guard current == byte else { return false }
        advance()
        return true
    }

    /// Skips `\n`, `\r`, `\r\n` or `\n\r`: one line in every case.
    private mutating func newline() {
        let first = current
        index += 1
        if (current == LuaByte.lineFeed || current == LuaByte.carriageReturn) && current != first {
            index += 1
        }
        line += 1
        column = 1
    }

    private func token(_ kind: LuaTokenKind, from start: SourcePosition) -> LuaToken {
        LuaToken(kind: kind, position: start, length: index - start.offset)
    }

    private func excerpt(from start: SourcePosition) -> String {
        LuaToken.excerpt(source[start.offset..<index])
    }
}
