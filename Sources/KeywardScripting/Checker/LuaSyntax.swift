/// A name as written in the source. Its position's offset identifies the
/// occurrence (the scope resolver binds occurrences, not names).
struct LuaIdentifier: Sendable, Equatable {
    var name: String
    var position: LuaSourcePosition
}

/// A parsed Lua 5.4 chunk: the main function's body.
struct LuaChunk: Sendable {
    var block: LuaBlock
    /// Where the chunk ends (the position of the end-of-file token).
    var end: LuaSourcePosition
}

/// A sequence of statements with its own scope.
struct LuaBlock: Sendable {
    var statements: [LuaStatement]
    /// The position of the token that closes the block (`end`, `else`,
    /// `until`, end of file…).
    var end: LuaSourcePosition
}

/// The attribute of a local variable (`local x <const>`).
enum LuaLocalAttribute: String, Sendable {
    case const
    case close
}

/// One variable of a `local` statement.
struct LuaLocalName: Sendable {
    var identifier: LuaIdentifier
    var attribute: LuaLocalAttribute?
}

/// `a.b.c:d` in `function a.b.c:d() … end`.
struct LuaFunctionName: Sendable {
    var base: LuaIdentifier
    var fields: [LuaIdentifier]
    var method: LuaIdentifier?
}

/// Parameters and body of a function, from `function` (or the name of a
/// `local function`) to `end`.
struct LuaFunctionBody: Sendable {
    var parameters: [LuaIdentifier]
    var isVararg: Bool
    /// Declared with `:`, so it has an implicit first parameter `self`.
    var hasSelf: Bool
    var block: LuaBlock
    var position: LuaSourcePosition
}

/// An `if` or `elseif` branch.
struct LuaConditionalBlock: Sendable {
    var condition: LuaExpression
    var block: LuaBlock
}

/// A field of a table constructor.
enum LuaTableField: Sendable {
    /// `name = value`: the name is a string key, not a variable.
    case named(LuaIdentifier, LuaExpression)
    /// `[key] = value`.
    case keyed(LuaExpression, LuaExpression)
    /// `value`, given the next integer key.
    case positional(LuaExpression)
}

/// A unary operator.
enum LuaUnaryOperator: String, Sendable {
    case negate = "-"
    case not
    case length = "#"
    case bitwiseNot = "~"
}

/// A binary operator with its Lua 5.4 priorities (left, right).
enum LuaBinaryOperator: String, Sendable {
    case or, and
    case less = "<", greater = ">", lessEqual = "<=", greaterEqual = ">=", notEqual = "~=", equal = "=="
    case bitwiseOr = "|", bitwiseXor = "~", bitwiseAnd = "&", shiftLeft = "<<", shiftRight = ">>"
    case concat = ".."
    case add = "+", subtract = "-"
    case multiply = "*", divide = "/", floorDivide = "//", modulo = "%"
    case power = "^"

    /// Priorities from `lparser.c`; a right priority below the left one makes
    /// the operator right-associative.
    var priority: (left: Int, right: Int) {
        switch self {
        case .or: (1, 1)
        case .and: (2, 2)
        case .less, .greater, .lessEqual, .greaterEqual, .notEqual, .equal: (3, 3)
        case .bitwiseOr: (4, 4)
        case .bitwiseXor: (5, 5)
        case .bitwiseAnd: (6, 6)
        case .shiftLeft, .shiftRight: (7, 7)
        case .concat: (9, 8)
        case .add, .subtract: (10, 10)
        case .multiply, .divide, .floorDivide, .modulo: (11, 11)
        case .power: (14, 13)
        }
    }

    /// The priority of unary operators: above everything but `^`.
    static let unaryPriority = 12

    var isComparison: Bool {
        switch self {
        case .less, .greater, .lessEqual, .greaterEqual, .notEqual, .equal: true
        default: false
        }
    }
}

/// A constant that needs no evaluation.
enum LuaLiteral: Sendable, Equatable {
    case `nil`
    case `true`
    case `false`
    case number(String)
    case string([UInt8])
}

/// A Lua expression.
indirect enum LuaExpression: Sendable {
    case literal(LuaLiteral, LuaSourcePosition)
    case vararg(LuaSourcePosition)
    case name(LuaIdentifier)
    /// `base.name`.
    case field(base: LuaExpression, name: LuaIdentifier)
    /// `base[key]`; the position is that of `[`.
    case index(base: LuaExpression, key: LuaExpression, position: LuaSourcePosition)
    /// `callee(arguments)`, `callee "s"` or `callee {…}`; the position is that
    /// of the arguments.
    case call(callee: LuaExpression, arguments: [LuaExpression], position: LuaSourcePosition)
    /// `receiver:name(arguments)`.
    case methodCall(receiver: LuaExpression, name: LuaIdentifier, arguments: [LuaExpression])
    case function(LuaFunctionBody)
    /// The position is that of the operator.
    case unary(LuaUnaryOperator, LuaExpression, position: LuaSourcePosition)
    /// The position is that of the operator.
    case binary(LuaBinaryOperator, LuaExpression, LuaExpression, position: LuaSourcePosition)
    /// `(expression)`, which truncates to one value; the position is that of `(`.
    case parenthesized(LuaExpression, position: LuaSourcePosition)
    /// `{…}`; the position is that of `{`.
    case table([LuaTableField], position: LuaSourcePosition)

    /// Where the expression starts in the source.
    var position: LuaSourcePosition {
        switch self {
        case .literal(_, let position), .vararg(let position), .parenthesized(_, let position),
            .table(_, let position):
            position
        case .name(let identifier): identifier.position
        case .field(let base, _), .index(let base, _, _): base.position
        case .call(let callee, _, _): callee.position
        case .methodCall(let receiver, _, _): receiver.position
        case .function(let body): body.position
        case .unary(_, _, let position): position
        case .binary(_, let left, _, _): left.position
        }
    }

    /// The expression inside any parentheses.
    var unparenthesized: LuaExpression {
        var expression = self
        while case .parenthesized(let inner, _) = expression {
            expression = inner
        }
        return expression
    }

    /// The string constant this expression is, if it is a string literal.
    var stringConstant: [UInt8]? {
        if case .literal(.string(let bytes), _) = unparenthesized { return bytes }
        return nil
    }
}

/// A Lua statement (empty statements `;` are dropped).
enum LuaStatement: Sendable {
    case local(names: [LuaLocalName], values: [LuaExpression])
    case assignment(targets: [LuaExpression], values: [LuaExpression])
    case call(LuaExpression)
    case doBlock(LuaBlock)
    case whileLoop(condition: LuaExpression, body: LuaBlock)
    /// The condition is inside the body's scope.
    case repeatLoop(body: LuaBlock, condition: LuaExpression)
    case ifStatement(branches: [LuaConditionalBlock], elseBlock: LuaBlock?)
    case numericFor(
        variable: LuaIdentifier,
        start: LuaExpression,
        limit: LuaExpression,
        step: LuaExpression?,
        body: LuaBlock
    )
    case genericFor(variables: [LuaIdentifier], values: [LuaExpression], body: LuaBlock)
    case function(name: LuaFunctionName, body: LuaFunctionBody)
    case localFunction(name: LuaIdentifier, body: LuaFunctionBody)
    case returnStatement(values: [LuaExpression], position: LuaSourcePosition)
    case breakStatement(position: LuaSourcePosition)
    case gotoStatement(label: LuaIdentifier, position: LuaSourcePosition)
    case label(LuaIdentifier)
}
