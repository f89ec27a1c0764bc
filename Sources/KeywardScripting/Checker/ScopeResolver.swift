/// Binds every name of a parsed chunk to a local variable or to a global, with
/// Lua 5.4's scoping: `local x = x` reads the outer `x`, `local function f`
/// sees itself, `function f()` assigns `f`, a `repeat` condition sees the
/// loop body's locals, methods get `self`.
///
/// It also reports what Lua's compiler rejects once names are known: a goto
/// with no visible label or jumping into the scope of a local, a repeated
/// label, `break` outside a loop, assignment to a `<const>` or `<close>`
/// variable, and more than 200 locals in one function.
struct ScopeResolver {
    /// Lua's `MAXVARS`.
    static let maximumLocals = 200

    private struct Scope {
        enum Kind {
            case plain
            case loop
            case repeatBody
            case functionTop
        }

        var kind: Kind
        /// The names declared in this scope, in order.
        var declared: [String] = []
        var activeAtEntry: Int
        var firstLabel: Int
        var firstGoto: Int
    }

    private struct FunctionState {
        var activeLocals: [Int] = []
        var firstLabel: Int
    }

    private var resolution = NameResolution()
    private var scopes: [Scope] = []
    /// For each name, the locals that bear it in the open scopes, innermost last.
    private var visible: [String: [Int]] = [:]
    private var functions: [FunctionState] = []
    private var labels = LabelTracker()

    /// Resolves every name of `chunk`.
    static func resolve(_ chunk: LuaChunk) throws(LuaSyntaxError) -> NameResolution {
        var resolver = ScopeResolver()
        try resolver.walkFunction(parameters: [], selfPosition: nil, block: chunk.block)
        return resolver.resolution
    }

    // MARK: - Scopes

    private mutating func walkFunction(
        parameters: [LuaIdentifier],
        selfPosition: LuaSourcePosition?,
        block: LuaBlock
    ) throws(LuaSyntaxError) {
        functions.append(FunctionState(firstLabel: labels.labelCount))
        enterScope(.functionTop)
        if let selfPosition {
            try declare(LuaLocalVariable(name: "self", position: selfPosition, kind: .implicitSelf))
        }
        for parameter in parameters {
            try declare(LuaLocalVariable(name: parameter.name, position: parameter.position, kind: .parameter))
        }
        try walkStatements(block.statements, isRepeatBody: false)
        try leaveScope()
        functions.removeLast()
    }

    private mutating func enterScope(_ kind: Scope.Kind) {
        scopes.append(
            Scope(
                kind: kind,
                activeAtEntry: activeLocalCount,
                firstLabel: labels.labelCount,
                firstGoto: labels.jumpCount
            )
        )
    }

    private mutating func leaveScope() throws(LuaSyntaxError) {
        let scope = scopes.removeLast()
        for name in scope.declared.reversed() {
            visible[name]?.removeLast()
        }
        let function = functions.count - 1
        functions[function].activeLocals.removeLast(functions[function].activeLocals.count - scope.activeAtEntry)
        if scope.kind == .loop {
            labels.solveBreaks(from: scope.firstGoto)
        }
        if scope.kind == .functionTop {
            try labels.closeFunction(firstLabel: scope.firstLabel, firstJump: scope.firstGoto)
        } else {
            labels.closeBlock(
                firstLabel: scope.firstLabel,
                firstJump: scope.firstGoto,
                activeAtEntry: scope.activeAtEntry
            )
        }
    }

    private mutating func declare(_ variable: LuaLocalVariable) throws(LuaSyntaxError) {
        let function = functions.count - 1
        guard functions[function].activeLocals.count < ScopeResolver.maximumLocals else {
            throw LuaSyntaxError(
                message: "too many local variables (limit is \(ScopeResolver.maximumLocals)) in one function",
                position: variable.position
            )
        }
        let index = resolution.locals.count
        resolution.locals.append(variable)
        scopes[scopes.count - 1].declared.append(variable.name)
        visible[variable.name, default: []].append(index)
        functions[function].activeLocals.append(index)
    }

    private func lookUp(_ name: String) -> Int? {
        visible[name]?.last
    }

    /// Binds a name that is read.
    private mutating func reference(_ identifier: LuaIdentifier) {
        if let index = lookUp(identifier.name) {
            resolution.references[identifier.position.offset] = index
        } else {
            resolution.globalReferences.append(identifier)
        }
    }

    /// Binds a name that is assigned.
    private mutating func assign(_ identifier: LuaIdentifier) throws(LuaSyntaxError) {
        guard let index = lookUp(identifier.name) else {
            resolution.globalReferences.append(identifier)
            resolution.assignedGlobals.insert(identifier.name)
            return
        }
        resolution.references[identifier.position.offset] = index
        if resolution.locals[index].attribute != nil {
            throw LuaSyntaxError(
                message: "attempt to assign to const variable '\(identifier.name)'",
                position: identifier.position
            )
        }
        resolution.locals[index].isReassigned = true
    }

    // MARK: - Statements

    private mutating func walkBlock(_ block: LuaBlock, kind: Scope.Kind = .plain) throws(LuaSyntaxError) {
        enterScope(kind)
        try walkStatements(block.statements, isRepeatBody: false)
        try leaveScope()
    }

    private mutating func walkStatements(_ statements: [LuaStatement], isRepeatBody: Bool) throws(LuaSyntaxError) {
        // Labels after the last other statement end the block (not in a
        // `repeat` body, whose `until` condition still sees the locals).
        let lastOther = statements.lastIndex {
            if case .label = $0 { false } else { true }
        }
        for (index, statement) in statements.enumerated() {
            if case .label(let name) = statement {
                try defineLabel(name, isLast: !isRepeatBody && index > (lastOther ?? -1))
            } else {
                try walk(statement)
            }
        }
    }

    private mutating func walk(_ statement: LuaStatement) throws(LuaSyntaxError) {
        switch statement {
        case .local(let names, let values):
            try walk(values)
            for (index, name) in names.enumerated() {
                try declare(
                    LuaLocalVariable(
                        name: name.identifier.name,
                        position: name.identifier.position,
                        kind: .local,
                        attribute: name.attribute,
                        initializer: index < values.count ? values[index] : nil
                    )
                )
            }
        case .assignment(let targets, let values):
            for target in targets {
                if case .name(let identifier) = target {
                    try assign(identifier)
                } else {
                    try walk(target)
                }
            }
            try walk(values)
        case .call(let expression):
            try walk(expression)
        case .doBlock(let block):
            try walkBlock(block)
        case .whileLoop(let condition, let body):
            try walk(condition)
            enterScope(.loop)
            try walkBlock(body)
            try leaveScope()
        case .repeatLoop(let body, let condition):
            enterScope(.loop)
            enterScope(.repeatBody)
            try walkStatements(body.statements, isRepeatBody: true)
            try walk(condition)
            try leaveScope()
            try leaveScope()
        case .ifStatement(let branches, let elseBlock):
            for branch in branches {
                try walk(branch.condition)
                try walkBlock(branch.block)
            }
            if let elseBlock {
                try walkBlock(elseBlock)
            }
        case .numericFor(let variable, let start, let limit, let step, let body):
            try walk(start)
            try walk(limit)
            if let step {
                try walk(step)
            }
            try walkLoop(variables: [variable], body: body)
        case .genericFor(let variables, let values, let body):
            try walk(values)
            try walkLoop(variables: variables, body: body)
        case .function(let name, let body):
            if name.fields.isEmpty && name.method == nil {
                try assign(name.base)
            } else {
                reference(name.base)
            }
            try walk(body, selfPosition: name.method?.position)
        case .localFunction(let name, let body):
            try declare(LuaLocalVariable(name: name.name, position: name.position, kind: .localFunction))
            try walk(body, selfPosition: nil)
        case .returnStatement(let values, _):
            try walk(values)
        case .breakStatement(let position):
            labels.addBreak(at: position, activeLocals: activeLocalCount)
        case .gotoStatement(let label, let position):
            labels.addGoto(
                label,
                at: position,
                activeLocals: activeLocalCount,
                functionStart: functions[functions.count - 1].firstLabel
            )
        case .label(let name):
            try defineLabel(name, isLast: false)
        }
    }

    private mutating func walkLoop(variables: [LuaIdentifier], body: LuaBlock) throws(LuaSyntaxError) {
        enterScope(.loop)
        for variable in variables {
            try declare(LuaLocalVariable(name: variable.name, position: variable.position, kind: .loopVariable))
        }
        try walkBlock(body)
        try leaveScope()
    }

    private var activeLocalCount: Int { functions[functions.count - 1].activeLocals.count }

    /// Lua's `labelstat`; a label at the end of its block counts as outside
    /// the scope of the block's locals.
    private mutating func defineLabel(_ name: LuaIdentifier, isLast: Bool) throws(LuaSyntaxError) {
        let scope = scopes[scopes.count - 1]
        let function = functions[functions.count - 1]
        try labels.defineLabel(
            name,
            activeLocals: isLast ? scope.activeAtEntry : activeLocalCount,
            functionStart: function.firstLabel,
            blockFirstJump: scope.firstGoto,
            localName: { [locals = resolution.locals] in locals[function.activeLocals[$0]].name }
        )
    }

    // MARK: - Expressions

    private mutating func walk(_ expressions: [LuaExpression]) throws(LuaSyntaxError) {
        for expression in expressions {
            try walk(expression)
        }
    }

    private mutating func walk(_ body: LuaFunctionBody, selfPosition: LuaSourcePosition?) throws(LuaSyntaxError) {
        try walkFunction(parameters: body.parameters, selfPosition: selfPosition, block: body.block)
    }

    private mutating func walk(_ expression: LuaExpression) throws(LuaSyntaxError) {
        switch expression {
        case .literal, .vararg:
            break
        case .name(let identifier):
            reference(identifier)
        case .field(let base, _):
            try walk(base)
        case .index(let base, let key, _):
            try walk(base)
            try walk(key)
        case .call(let callee, let arguments, _):
            try walk(callee)
            try walk(arguments)
        case .methodCall(let receiver, _, let arguments):
            try walk(receiver)
            try walk(arguments)
        case .function(let body):
            try walk(body, selfPosition: nil)
        case .unary(_, let operand, _):
            try walk(operand)
        case .binary(_, let left, let right, _):
            try walk(left)
            try walk(right)
        case .parenthesized(let inner, _):
            try walk(inner)
        case .table(let fields, _):
            for field in fields {
                switch field {
                case .named(_, let value), .positional(let value):
                    try walk(value)
                case .keyed(let key, let value):
                    try walk(key)
                    try walk(value)
                }
            }
        }
    }
}
