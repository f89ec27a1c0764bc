/// A recursive-descent parser for the whole Lua 5.4 grammar, after
/// `lparser.c`: it stops at the first error, as Lua does, with the position of
/// the offending token and what was expected there.
///
/// It also rejects what Lua's parser rejects while parsing: `...` outside a
/// vararg function, unknown local attributes and two to-be-closed variables
/// in one `local`. Rules that need scopes (goto, break, `<const>`) are the
/// scope resolver's.
///
/// Nesting is capped at ``maximumDepth`` levels, as Lua caps it (its limit is
/// 200 C levels); long left-associative chains (`a + b + c …`, `a.b.c…`,
/// `f()()…`) count towards the same cap, which keeps every later recursive
/// walk over the tree within a small, fixed stack.
struct LuaParser {
    /// How deeply statements and expressions may nest.
    static let maximumDepth = 200

    let source: [UInt8]
    private var lexer: LuaLexer
    private(set) var token: LuaToken
    private var lookahead: LuaToken?
    private var depth = 0
    /// Whether each enclosing function accepts `...` (the main chunk does).
    private var varargFunctions = [true]

    /// Parses a whole chunk.
    static func parse(_ source: [UInt8]) throws(LuaSyntaxError) -> LuaChunk {
        var parser = try LuaParser(source: source)
        return try parser.parseChunk()
    }

    init(source: [UInt8]) throws(LuaSyntaxError) {
        self.source = source
        lexer = LuaLexer(source: source)
        token = try lexer.next()
    }

    mutating func parseChunk() throws(LuaSyntaxError) -> LuaChunk {
        let block = try parseBlock()
        guard token.kind == .endOfFile else { throw expected("'<eof>'") }
        return LuaChunk(block: block, end: token.position)
    }

    // MARK: - Token handling

    mutating func advance() throws(LuaSyntaxError) {
        if let next = lookahead {
            token = next
            lookahead = nil
        } else {
            token = try lexer.next()
        }
    }

    mutating func peek() throws(LuaSyntaxError) -> LuaToken {
        if let lookahead { return lookahead }
        let next = try lexer.next()
        lookahead = next
        return next
    }

    mutating func take(_ symbol: LuaSymbol) throws(LuaSyntaxError) -> Bool {
        guard token.isSymbol(symbol) else { return false }
        try advance()
        return true
    }

    mutating func take(_ keyword: LuaKeyword) throws(LuaSyntaxError) -> Bool {
        guard token.isKeyword(keyword) else { return false }
        try advance()
        return true
    }

    mutating func expect(_ symbol: LuaSymbol) throws(LuaSyntaxError) {
        guard try take(symbol) else { throw expected("'\(symbol.rawValue)'") }
    }

    mutating func expect(_ keyword: LuaKeyword) throws(LuaSyntaxError) {
        guard try take(keyword) else { throw expected("'\(keyword.rawValue)'") }
    }

    /// Lua's `check_match`: the closing token, naming the opening one when it
    /// is on another line.
    mutating func expectClosing(
        _ closing: String,
        opening: String,
        at opened: LuaSourcePosition
    ) throws(LuaSyntaxError) {
        let matches: Bool
        if let keyword = LuaKeyword(rawValue: closing) {
            matches = try take(keyword)
        } else if let symbol = LuaSymbol(rawValue: closing) {
            matches = try take(symbol)
        } else {
            matches = false
        }
        guard !matches else { return }
        guard opened.line != token.position.line else { throw expected("'\(closing)'") }
        throw error("expected '\(closing)' to close '\(opening)' at line \(opened.line)")
    }

    mutating func expectName() throws(LuaSyntaxError) -> LuaIdentifier {
        guard case .name(let name) = token.kind else { throw expected("<name>") }
        let identifier = LuaIdentifier(name: name, position: token.position)
        try advance()
        return identifier
    }

    func error(_ message: String) -> LuaSyntaxError {
        LuaSyntaxError(message: "\(message) near \(token.quoted(in: source))", position: token.position)
    }

    func expected(_ what: String) -> LuaSyntaxError {
        error("expected \(what)")
    }

    /// Counts one nesting level (Lua's `enterlevel`).
    mutating func enterLevel() throws(LuaSyntaxError) {
        depth += 1
        try checkDepth(extra: 0)
    }

    func checkDepth(extra: Int) throws(LuaSyntaxError) {
        guard depth + extra <= LuaParser.maximumDepth else {
            throw error("too many nested syntax levels (limit \(LuaParser.maximumDepth))")
        }
    }

    mutating func leaveLevel() {
        depth -= 1
    }

    // MARK: - Blocks and statements

    func blockFollows(allowingUntil: Bool) -> Bool {
        switch token.kind {
        case .endOfFile, .keyword(.else), .keyword(.elseif), .keyword(.end): true
        case .keyword(.until): allowingUntil
        default: false
        }
    }

    mutating func parseBlock() throws(LuaSyntaxError) -> LuaBlock {
        var statements: [LuaStatement] = []
        while !blockFollows(allowingUntil: true) {
            if token.isKeyword(.return) {
                statements.append(try parseReturn())
                break
            }
            if let statement = try parseStatement() {
                statements.append(statement)
            }
        }
        return LuaBlock(statements: statements, end: token.position)
    }

    private mutating func parseReturn() throws(LuaSyntaxError) -> LuaStatement {
        let position = token.position
        try advance()
        var values: [LuaExpression] = []
        if !blockFollows(allowingUntil: true) && !token.isSymbol(.semicolon) {
            values = try parseExpressionList()
        }
        _ = try take(.semicolon)
        return .returnStatement(values: values, position: position)
    }

    private mutating func parseStatement() throws(LuaSyntaxError) -> LuaStatement? {
        try enterLevel()
        defer { leaveLevel() }
        let start = token.position
        switch token.kind {
        case .symbol(.semicolon):
            try advance()
            return nil
        case .keyword(.if):
            return try parseIf()
        case .keyword(.while):
            try advance()
            let condition = try parseExpression()
            try expect(.do)
            let body = try parseBlock()
            try expectClosing("end", opening: "while", at: start)
            return .whileLoop(condition: condition, body: body)
        case .keyword(.do):
            try advance()
            let body = try parseBlock()
            try expectClosing("end", opening: "do", at: start)
            return .doBlock(body)
        case .keyword(.for):
            return try parseFor()
        case .keyword(.repeat):
            try advance()
            let body = try parseBlock()
            try expectClosing("until", opening: "repeat", at: start)
            return .repeatLoop(body: body, condition: try parseExpression())
        case .keyword(.function):
            try advance()
            let name = try parseFunctionName()
            let body = try parseFunctionBody(at: start, hasSelf: name.method != nil)
            return .function(name: name, body: body)
        case .keyword(.local):
            try advance()
            if try take(.function) {
                let name = try expectName()
                return .localFunction(name: name, body: try parseFunctionBody(at: start, hasSelf: false))
            }
            return try parseLocal()
        case .symbol(.doubleColon):
            try advance()
            let name = try expectName()
            try expect(.doubleColon)
            return .label(name)
        case .keyword(.break):
            try advance()
            return .breakStatement(position: start)
        case .keyword(.goto):
            try advance()
            return .gotoStatement(label: try expectName(), position: start)
        default:
            return try parseExpressionStatement()
        }
    }

    private mutating func parseIf() throws(LuaSyntaxError) -> LuaStatement {
        let start = token.position
        var branches: [LuaConditionalBlock] = []
        var elseBlock: LuaBlock?
        repeat {
            try advance()
            let condition = try parseExpression()
            try expect(.then)
            branches.append(LuaConditionalBlock(condition: condition, block: try parseBlock()))
        } while token.isKeyword(.elseif)
        if try take(.else) {
            elseBlock = try parseBlock()
        }
        try expectClosing("end", opening: "if", at: start)
        return .ifStatement(branches: branches, elseBlock: elseBlock)
    }

    private mutating func parseFor() throws(LuaSyntaxError) -> LuaStatement {
        let start = token.position
        try advance()
        let first = try expectName()
        let statement: LuaStatement
        switch token.kind {
        case .symbol(.assign):
            try advance()
            let initial = try parseExpression()
            try expect(.comma)
            let limit = try parseExpression()
            let step = try take(.comma) ? try parseExpression() : nil
            try expect(.do)
            statement = .numericFor(variable: first, start: initial, limit: limit, step: step, body: try parseBlock())
        case .symbol(.comma), .keyword(.in):
            var variables = [first]
            while try take(.comma) {
                variables.append(try expectName())
            }
            try expect(.in)
            let values = try parseExpressionList()
            try expect(.do)
            statement = .genericFor(variables: variables, values: values, body: try parseBlock())
        default:
            throw expected("'=' or 'in'")
        }
        try expectClosing("end", opening: "for", at: start)
        return statement
    }

    private mutating func parseFunctionName() throws(LuaSyntaxError) -> LuaFunctionName {
        var name = LuaFunctionName(base: try expectName(), fields: [], method: nil)
        while try take(.dot) {
            name.fields.append(try expectName())
        }
        if try take(.colon) {
            name.method = try expectName()
        }
        return name
    }

    private mutating func parseLocal() throws(LuaSyntaxError) -> LuaStatement {
        var names: [LuaLocalName] = []
        var hasClose = false
        repeat {
            let identifier = try expectName()
            var attribute: LuaLocalAttribute?
            if try take(.less) {
                let attributeName = try expectName()
                try expect(.greater)
                guard let known = LuaLocalAttribute(rawValue: attributeName.name) else {
                    throw LuaSyntaxError(
                        message: "unknown attribute '\(attributeName.name)'",
                        position: attributeName.position
                    )
                }
                if known == .close {
                    guard !hasClose else {
                        throw LuaSyntaxError(
                            message: "multiple to-be-closed variables in local list",
                            position: identifier.position
                        )
                    }
                    hasClose = true
                }
                attribute = known
            }
            names.append(LuaLocalName(identifier: identifier, attribute: attribute))
        } while try take(.comma)
        let values = try take(.assign) ? try parseExpressionList() : []
        return .local(names: names, values: values)
    }

    private mutating func parseExpressionStatement() throws(LuaSyntaxError) -> LuaStatement {
        let first = try parseSuffixedExpression()
        guard token.isSymbol(.assign) || token.isSymbol(.comma) else {
            switch first {
            case .call, .methodCall: return .call(first)
            default: throw error("syntax error")
            }
        }
        var targets = [first]
        while true {
            switch targets[targets.count - 1] {
            case .name, .field, .index: break
            default: throw error("syntax error")
            }
            guard try take(.comma) else { break }
            targets.append(try parseSuffixedExpression())
        }
        try expect(.assign)
        return .assignment(targets: targets, values: try parseExpressionList())
    }

    // MARK: - Functions

    /// Parses `(parameters) block end`; `start` is where the function began.
    mutating func parseFunctionBody(at start: LuaSourcePosition, hasSelf: Bool) throws(LuaSyntaxError)
        -> LuaFunctionBody
    {
        try expect(.openParen)
        var parameters: [LuaIdentifier] = []
        var isVararg = false
        if !token.isSymbol(.closeParen) {
            while true {
                switch token.kind {
                case .name:
                    parameters.append(try expectName())
                case .symbol(.ellipsis):
                    try advance()
                    isVararg = true
                default:
                    throw expected("<name> or '...'")
                }
                guard !isVararg, try take(.comma) else { break }
            }
        }
        try expect(.closeParen)
        varargFunctions.append(isVararg)
        let block = try parseBlock()
        varargFunctions.removeLast()
        try expectClosing("end", opening: "function", at: start)
        return LuaFunctionBody(
            parameters: parameters,
            isVararg: isVararg,
            hasSelf: hasSelf,
            block: block,
            position: start
        )
    }

    var isInVarargFunction: Bool { varargFunctions.last ?? false }
}
