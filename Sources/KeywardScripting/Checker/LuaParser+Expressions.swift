extension LuaParser {
    mutating func parseExpression() throws(LuaSyntaxError) -> LuaExpression {
        try parseSubexpression(limit: 0)
    }

    mutating func parseExpressionList() throws(LuaSyntaxError) -> [LuaExpression] {
        var expressions = [try parseExpression()]
        while try take(.comma) {
            expressions.append(try parseExpression())
        }
        return expressions
    }

    /// Lua's `subexpr`: operators whose left priority is above `limit`.
    private mutating func parseSubexpression(limit: Int) throws(LuaSyntaxError) -> LuaExpression {
        try enterLevel()
        defer { leaveLevel() }
        var left: LuaExpression
        if let unary = unaryOperator {
            let position = token.position
            try advance()
            let operand = try parseSubexpression(limit: LuaBinaryOperator.unaryPriority)
            left = .unary(unary, operand, position: position)
        } else {
            left = try parseSimpleExpression()
        }
        var chain = 0
        while let binary = binaryOperator, binary.priority.left > limit {
            let position = token.position
            chain += 1
            try checkDepth(extra: chain)
            try advance()
            let right = try parseSubexpression(limit: binary.priority.right)
            left = .binary(binary, left, right, position: position)
        }
        return left
    }

    private var unaryOperator: LuaUnaryOperator? {
        switch token.kind {
        case .keyword(.not): .not
        case .symbol(.minus): .negate
        case .symbol(.hash): .length
        case .symbol(.tilde): .bitwiseNot
        default: nil
        }
    }

    private var binaryOperator: LuaBinaryOperator? {
        switch token.kind {
        case .keyword(.and): .and
        case .keyword(.or): .or
        case .symbol(let symbol):
            switch symbol {
            case .plus: .add
            case .minus: .subtract
            case .star: .multiply
            case .slash: .divide
            case .doubleSlash: .floorDivide
            case .percent: .modulo
            case .caret: .power
            case .ampersand: .bitwiseAnd
            case .tilde: .bitwiseXor
            case .pipe: .bitwiseOr
            case .shiftLeft: .shiftLeft
            case .shiftRight: .shiftRight
            case .concat: .concat
            case .equal: .equal
            case .notEqual: .notEqual
            case .less: .less
            case .lessEqual: .lessEqual
            case .greater: .greater
            case .greaterEqual: .greaterEqual
            default: nil
            }
        default: nil
        }
    }

    private mutating func parseSimpleExpression() throws(LuaSyntaxError) -> LuaExpression {
        let position = token.position
        let literal: LuaLiteral
        switch token.kind {
        case .number(let text): literal = .number(text)
        case .string(let bytes): literal = .string(bytes)
        case .keyword(.nil): literal = .nil
        case .keyword(.true): literal = .true
        case .keyword(.false): literal = .false
        case .symbol(.ellipsis):
            guard isInVarargFunction else { throw error("cannot use '...' outside a vararg function") }
            try advance()
            return .vararg(position)
        case .symbol(.openBrace):
            return try parseTable()
        case .keyword(.function):
            try advance()
            return .function(try parseFunctionBody(at: position, hasSelf: false))
        default:
            return try parseSuffixedExpression()
        }
        try advance()
        return .literal(literal, position)
    }

    private mutating func parsePrimaryExpression() throws(LuaSyntaxError) -> LuaExpression {
        switch token.kind {
        case .name:
            return .name(try expectName())
        case .symbol(.openParen):
            let position = token.position
            try advance()
            let inner = try parseExpression()
            try expectClosing(")", opening: "(", at: position)
            return .parenthesized(inner, position: position)
        default:
            throw error("unexpected symbol")
        }
    }

    /// A primary expression followed by fields, indexes and calls.
    mutating func parseSuffixedExpression() throws(LuaSyntaxError) -> LuaExpression {
        var expression = try parsePrimaryExpression()
        var chain = 0
        while true {
            switch token.kind {
            case .symbol(.dot):
                try advance()
                expression = .field(base: expression, name: try expectName())
            case .symbol(.openBracket):
                let position = token.position
                try advance()
                let key = try parseExpression()
                try expect(.closeBracket)
                expression = .index(base: expression, key: key, position: position)
            case .symbol(.colon):
                try advance()
                let name = try expectName()
                expression = .methodCall(receiver: expression, name: name, arguments: try parseArguments())
            case .symbol(.openParen), .symbol(.openBrace), .string:
                let position = token.position
                expression = .call(callee: expression, arguments: try parseArguments(), position: position)
            default:
                return expression
            }
            chain += 1
            try checkDepth(extra: chain)
        }
    }

    private mutating func parseArguments() throws(LuaSyntaxError) -> [LuaExpression] {
        switch token.kind {
        case .symbol(.openParen):
            let position = token.position
            try advance()
            var arguments: [LuaExpression] = []
            if !token.isSymbol(.closeParen) {
                arguments = try parseExpressionList()
            }
            try expectClosing(")", opening: "(", at: position)
            return arguments
        case .symbol(.openBrace):
            return [try parseTable()]
        case .string(let bytes):
            let position = token.position
            try advance()
            return [.literal(.string(bytes), position)]
        default:
            throw expected("function arguments")
        }
    }

    private mutating func parseTable() throws(LuaSyntaxError) -> LuaExpression {
        let position = token.position
        try expect(.openBrace)
        var fields: [LuaTableField] = []
        while !token.isSymbol(.closeBrace) {
            fields.append(try parseTableField())
            guard token.isSymbol(.comma) || token.isSymbol(.semicolon) else { break }
            try advance()
        }
        try expectClosing("}", opening: "{", at: position)
        return .table(fields, position: position)
    }

    private mutating func parseTableField() throws(LuaSyntaxError) -> LuaTableField {
        switch token.kind {
        case .name:
            guard try peek().isSymbol(.assign) else { return .positional(try parseExpression()) }
            let name = try expectName()
            try advance()
            return .named(name, try parseExpression())
        case .symbol(.openBracket):
            try advance()
            let key = try parseExpression()
            try expect(.closeBracket)
            try expect(.assign)
            return .keyed(key, try parseExpression())
        default:
            return .positional(try parseExpression())
        }
    }
}
