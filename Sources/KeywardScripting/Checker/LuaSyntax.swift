/// A name as written in the source. Its position's offset identifies the
/// occurrence (the scope resolver binds occurrences, not names).
struct Identifier: Sendable, Equatable {
    var name: String
    var position: SourcePosition
}

/// A parsed Lua 5.4 chunk: the main function's body.
struct Chunk: Sendable {
    var block: Block
    /// Where the chunk ends (the position of the end-of-file token).
    var end: SourcePosition
}

/// A sequence of statements with its own scope.
struct Block: Sendable {
    var statements: [Statement]
    /// The position of the token that closes the block (`end`, `else`,
    /// `until`, end of file…).
    var end: SourcePosition
}

/// The attribute of a local variable (`local x <const>`).
enum LocalAttribute: String, Sendable {
    case const
    case close
}

/// One variable of a `local` statement.
struct LocalName: Sendable {
    var identifier: Identifier
    var attribute: LocalAttribute?
}

/// `a.b.c:d` in `function a.b.c:d() … end`.
struct FunctionName: Sendable {
    var base: Identifier
    var fields: [Identifier]
    var method: Identifier?
}

/// Parameters and body of a function, from `function` (or the name of a
/// `local function`) to `end`.
struct FunctionBody: Sendable {
    var parameters: [Identifier]
    var isVararg: Bool
    /// Declared with `:`, so it has an implicit first parameter `self`.
    var hasSelf: Bool
    var block: Block
    var position: SourcePosition
}

/// An `if` or `elseif` branch.
struct ConditionalBlock: Sendable {
    var condition: Expression
    var block: Block
}

/// A field of a table constructor.
enum TableField: Sendable {
    /// `name = value`: the name is a string key, not a variable.
    case named(Identifier, Expression)
    /// `[key] = value`.
    case keyed(Expression, Expression)
    /// `value`, given the next integer key.
    case positional(Expression)
}

/// A unary operator.
enum UnaryOperator: String, Sendable {
    case negate = "-"
    case not
    case length = "#"
    case bitwiseNot = "~"
}

/// A binary operator with its Lua 5.4 priorities (left, right).
enum BinaryOperator: String, Sendable {
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
enum Literal: Sendable, Equatable {
    case `nil`
    case `true`
    case `false`
    case number(String)
    case string([UInt8])
}

/// A Lua expression.
indirect enum Expression: Sendable {
    case literal(Literal, SourcePosition)
    case vararg(SourcePosition)
    case name(Identifier)
    /// `base.name`.
    case field(base: Expression, name: Identifier)
    /// `base[key]`; the position is that of `[`.
    case index(base: Expression, key: Expression, position: SourcePosition)
    /// `callee(arguments)`, `callee "s"` or `callee {…}`; the position is that
    /// of the arguments.
    case call(callee: Expression, arguments: [Expression], position: SourcePosition)
    /// `receiver:name(arguments)`.
    case methodCall(receiver: Expression, name: Identifier, arguments: [Expression])
    case function(FunctionBody)
    /// The position is that of the operator.
    case unary(UnaryOperator, Expression, position: SourcePosition)
    /// The position is that of the operator.
    case binary(BinaryOperator, Expression, Expression, position: SourcePosition)
    /// `(expression)`, which truncates to one value; the position is that of `(`.
    case parenthesized(Expression, position: SourcePosition)
    /// `{…}`; the position is that of `{`.
    case table([TableField], position: SourcePosition)

    /// Where the expression starts in the source.
    var position: SourcePosition {
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
    var unparenthesized: Expression {
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
enum Statement: Sendable {
    case local(names: [LocalName], values: [Expression])
    case assignment(targets: [Expression], values: [Expression])
    case call(Expression)
    case doBlock(Block)
    case whileLoop(condition: Expression, body: Block)
    /// The condition is inside the body's scope.
    case repeatLoop(body: Block, condition: Expression)
    case ifStatement(branches: [ConditionalBlock], elseBlock: Block?)
    case numericFor(variable: Identifier, start: Expression, limit: Expression, step: Expression?, body: Block)
    case genericFor(variables: [Identifier], values: [Expression], body: Block)
    case function(name: FunctionName, body: FunctionBody)
    case localFunction(name: Identifier, body: FunctionBody)
    case returnStatement(values: [Expression], position: SourcePosition)
    case breakStatement(position: SourcePosition)
    case gotoStatement(label: Identifier, position: SourcePosition)
    case label(Identifier)
}
