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
    let source: [UInt8]
    private(set) var index = 0
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
    var position: LuaSourcePosition {
        LuaSourcePosition(line: line, column: column, offset: index)
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
                while current != LuaByte.endOfInput && current != LuaByte.lineFeed && current != LuaByte.carriageReturn
                {
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
                        message: "invalid long string delimiter near '\(excerpt(from: start))'",
                        position: start
                    )
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

    private mutating func readOperator(from start: LuaSourcePosition) throws(LuaSyntaxError) -> LuaToken {
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

    private mutating func readNumeral(from start: LuaSourcePosition) throws(LuaSyntaxError) -> LuaToken {
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

    // MARK: - Reading

    var current: Int {
        index < source.count ? Int(source[index]) : LuaByte.endOfInput
    }

    mutating func advance() {
        guard index < source.count else { return }
        if source[index] & 0xC0 != 0x80 {
            column += 1
        }
        index += 1
    }

    mutating func take(_ byte: Int) -> Bool {
        guard current == byte else { return false }
        advance()
        return true
    }

    /// Skips `\n`, `\r`, `\r\n` or `\n\r`: one line in every case.
    mutating func newline() {
        let first = current
        index += 1
        if (current == LuaByte.lineFeed || current == LuaByte.carriageReturn) && current != first {
            index += 1
        }
        line += 1
        column = 1
    }

    func token(_ kind: LuaTokenKind, from start: LuaSourcePosition) -> LuaToken {
        LuaToken(kind: kind, position: start, length: index - start.offset)
    }

    func excerpt(from start: LuaSourcePosition) -> String {
        LuaToken.excerpt(source[start.offset..<index])
    }
}
