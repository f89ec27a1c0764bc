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
        var names: [String: Int] = [:]
        var activeAtEntry: Int
        var firstLabel: Int
        var firstGoto: Int
    }

    private struct Label {
        var name: String
        var position: SourcePosition
        var activeLocals: Int
    }

    private struct PendingGoto {
        /// The label name, or `nil` for `break`.
        var label: String?
        var position: SourcePosition
        var activeLocals: Int
    }

    private struct FunctionState {
        var activeLocals: [Int] = []
        var firstLabel: Int
    }

    private var resolution = NameResolution()
    private var scopes: [Scope] = []
    private var functions: [FunctionState] = []
    private var labels: [Label] = []
    private var pendingGotos: [PendingGoto] = []

    /// Resolves every name of `chunk`.
    static func resolve(_ chunk: Chunk) throws(LuaSyntaxError) -> NameResolution {
        var resolver = ScopeResolver()
        try resolver.walkFunction(parameters: [], selfPosition: nil, block: chunk.block)
        return resolver.resolution
    }

    // MARK: - Scopes

    private mutating func walkFunction(
        parameters: [Identifier], selfPosition: SourcePosition?, block: Block
    ) throws(LuaSyntaxError) {
        functions.append(FunctionState(firstLabel: labels.count))
        try enterScope(.functionTop)
        if let selfPosition {
            try declare(LocalVariable(name: "self", position: selfPosition, kind: .implicitSelf))
        }
        for parameter in parameters {
            try declare(LocalVariable(name: parameter.name, position: parameter.position, kind: .parameter))
        }
        try walkStatements(block.statements, isRepeatBody: false)
        try leaveScope()
        functions.removeLast()
    }

    private mutating func enterScope(_ kind: Scope.Kind) throws(LuaSyntaxError) {
        let active = functions[functions.count - 1].activeLocals.count
        scopes.append(Scope(kind: kind, activeAtEntry: active, firstLabel: labels.count, firstGoto: pendingGotos.count))
    }

    private mutating func leaveScope() throws(LuaSyntaxError) {
        let scope = scopes.removeLast()
        let function = functions.count - 1
        functions[function].activeLocals.removeLast(functions[function].activeLocals.count - scope.activeAtEntry)
        if scope.kind == .loop {
            var index = scope.firstGoto
            while index < pendingGotos.count {
                if pendingGotos[index].label == nil {
                    pendingGotos.remove(at: index)
                } else {
                    index += 1
                }
            }
        }
        labels.removeLast(labels.count - scope.firstLabel)
        if scope.kind == .functionTop {
            if scope.firstGoto < pendingGotos.count {
                let pending = pendingGotos[scope.firstGoto]
                let line = pending.position.line
                let message =
                    pending.label.map { "no visible label '\($0)' for <goto> at line \(line)" }
                    ?? "break outside a loop at line \(line)"
                throw LuaSyntaxError(message: message, position: pending.position)
            }
        } else {
            for index in scope.firstGoto..<pendingGotos.count {
                pendingGotos[index].activeLocals = min(pendingGotos[index].activeLocals, scope.activeAtEntry)
            }
        }
    }

    private mutating func declare(_ variable: LocalVariable) throws(LuaSyntaxError) {
        let function = functions.count - 1
        guard functions[function].activeLocals.count < ScopeResolver.maximumLocals else {
            throw LuaSyntaxError(
                message: "too many local variables (limit is \(ScopeResolver.maximumLocals)) in one function",
                position: variable.position)
        }
        let index = resolution.locals.count
        resolution.locals.append(variable)
        scopes[scopes.count - 1].names[variable.name] = index
        functions[function].activeLocals.append(index)
    }

    private func lookUp(_ name: String) -> Int? {
        for scope in scopes.reversed() {
            if let index = scope.names[name] { return index }
        }
        return nil
    }

    /// Binds a name that is read.
    private mutating func reference(_ identifier: Identifier) {
        if let index = lookUp(identifier.name) {
            resolution.references[identifier.position.offset] = index
        } else {
            resolution.globalReferences.append(identifier)
        }
    }

    /// Binds a name that is assigned.
    private mutating func assign(_ identifier: Identifier) throws(LuaSyntaxError) {
        guard let index = lookUp(identifier.name) else {
            resolution.globalReferences.append(identifier)
            resolution.assignedGlobals.insert(identifier.name)
            return
        }
        resolution.references[identifier.position.offset] = index
        if resolution.locals[index].attribute != nil {
            throw LuaSyntaxError(
                message: "attempt to assign to const variable '\(identifier.name)'", position: identifier.position)
        }
        resolution.locals[index].isReassigned = true
    }

    // MARK: - Statements

    private mutating func walkBlock(_ block: Block, kind: Scope.Kind = .plain) throws(LuaSyntaxError) {
        try enterScope(kind)
        try walkStatements(block.statements, isRepeatBody: false)
        try leaveScope()
    }

    private mutating func walkStatements(_ statements: [Statement], isRepeatBody: Bool) throws(LuaSyntaxError) {
        for (index, statement) in statements.enumerated() {
            if case .label(let name) = statement {
                let isLast =
                    !isRepeatBody
                    && statements[(index + 1)...].allSatisfy {
                        if case .label = $0 { true } else { false }
                    }
                try defineLabel(name, isLast: isLast)
            } else {
                try walk(statement)
            }
        }
    }

    private mutating func walk(_ statement: Statement) throws(LuaSyntaxError) {
        switch statement {
        case .local(let names, let values):
            try walk(values)
            for (index, name) in names.enumerated() {
                try declare(
                    LocalVariable(
                        name: name.identifier.name, position: name.identifier.position, kind: .local,
                        attribute: name.attribute, initializer: index < values.count ? values[index] : nil))
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
            try enterScope(.loop)
            try walkBlock(body)
            try leaveScope()
        case .repeatLoop(let body, let condition):
            try enterScope(.loop)
            try enterScope(.repeatBody)
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
            try declare(LocalVariable(name: name.name, position: name.position, kind: .localFunction))
            try walk(body, selfPosition: nil)
        case .returnStatement(let values, _):
            try walk(values)
        case .breakStatement(let position):
            pendingGotos.append(PendingGoto(label: nil, position: position, activeLocals: activeLocalCount))
        case .gotoStatement(let label, let position):
            let firstLabel = functions[functions.count - 1].firstLabel
            if !labels[firstLabel...].contains(where: { $0.name == label.name }) {
                pendingGotos.append(
                    PendingGoto(label: label.name, position: position, activeLocals: activeLocalCount))
            }
        case .label(let name):
            try defineLabel(name, isLast: false)
        }
    }

    private mutating func walkLoop(variables: [Identifier], body: Block) throws(LuaSyntaxError) {
        try enterScope(.loop)
        for variable in variables {
            try declare(LocalVariable(name: variable.name, position: variable.position, kind: .loopVariable))
        }
        try walkBlock(body)
        try leaveScope()
    }

    private var activeLocalCount: Int { functions[functions.count - 1].activeLocals.count }

    /// Lua's `labelstat`: a repeated label is an error; pending forward gotos
    /// of this block to it are solved, unless they would jump into the scope
    /// of a local declared in between. A label at the end of its block counts
    /// as outside the scope of the block's locals.
    private mutating func defineLabel(_ name: Identifier, isLast: Bool) throws(LuaSyntaxError) {
        let firstLabel = functions[functions.count - 1].firstLabel
        if let existing = labels[firstLabel...].first(where: { $0.name == name.name }) {
            throw LuaSyntaxError(
                message: "label '\(name.name)' already defined on line \(existing.position.line)",
                position: name.position)
        }
        let scope = scopes[scopes.count - 1]
        let active = isLast ? scope.activeAtEntry : activeLocalCount
        labels.append(Label(name: name.name, position: name.position, activeLocals: active))
        var index = scope.firstGoto
        while index < pendingGotos.count {
            let pending = pendingGotos[index]
            guard pending.label == name.name else {
                index += 1
                continue
            }
            if pending.activeLocals < active {
                let local = resolution.locals[functions[functions.count - 1].activeLocals[pending.activeLocals]]
                throw LuaSyntaxError(
                    message:
                        "<goto \(name.name)> at line \(pending.position.line) jumps into the scope of local '\(local.name)'",
                    position: pending.position)
            }
            pendingGotos.remove(at: index)
        }
    }

    // MARK: - Expressions

    private mutating func walk(_ expressions: [Expression]) throws(LuaSyntaxError) {
        for expression in expressions {
            try walk(expression)
        }
    }

    private mutating func walk(_ body: FunctionBody, selfPosition: SourcePosition?) throws(LuaSyntaxError) {
        try walkFunction(parameters: body.parameters, selfPosition: selfPosition, block: body.block)
    }

    private mutating func walk(_ expression: Expression) throws(LuaSyntaxError) {
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
