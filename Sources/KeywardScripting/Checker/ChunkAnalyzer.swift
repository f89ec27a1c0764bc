/// Walks a parsed and resolved chunk once and applies the rules that read
/// code: KW001–KW007 and KW010–KW012. Each name occurrence yields at most one
/// finding.
struct ChunkAnalyzer {
    let resolution: NameResolution
    let policy: CheckPolicy
    private let handleAliases: [Bool]
    var findings: [Finding] = []
    var nilGuards = NilGuardTracker()
    private var functionDepth = 0
    private var mainChunkReturns = false

    /// Applies the rules to `chunk`, whose names `resolution` binds.
    static func analyze(_ chunk: LuaChunk, resolution: NameResolution, policy: CheckPolicy) -> [Finding] {
        var analyzer = ChunkAnalyzer(
            resolution: resolution,
            policy: policy,
            handleAliases: handleAliases(in: resolution)
        )
        analyzer.visit(chunk.block)
        if let finding = analyzer.nilGuards.finding {
            analyzer.findings.append(finding)
        }
        if !analyzer.mainChunkReturns {
            analyzer.findings.append(
                Finding(
                    rule: .missingReturn,
                    at: chunk.end,
                    message: "the script never returns a value: its main chunk has no `return` statement, "
                        + "so the sandbox gets no value (badReturn)"
                )
            )
        }
        return analyzer.findings
    }

    // MARK: - Statements

    private mutating func visit(_ block: LuaBlock) {
        for statement in block.statements {
            visit(statement)
        }
    }

    private mutating func visit(_ statement: LuaStatement) {
        switch statement {
        case .local(let names, let values):
            visit(values)
            for name in names {
                checkDeclaration(name.identifier)
            }
        case .assignment(let targets, let values):
            for target in targets {
                visitAssignmentTarget(target)
            }
            visit(values)
        case .call(let expression):
            visit(expression)
        case .doBlock(let block):
            visit(block)
        case .whileLoop(let condition, let body):
            visitCondition(condition)
            visit(body)
        case .repeatLoop(let body, let condition):
            visit(body)
            visitCondition(condition)
        case .ifStatement(let branches, let elseBlock):
            for branch in branches {
                visitCondition(branch.condition)
                visit(branch.block)
            }
            if let elseBlock {
                visit(elseBlock)
            }
        case .numericFor(let variable, let start, let limit, let step, let body):
            checkDeclaration(variable)
            visit(start)
            visit(limit)
            if let step {
                visit(step)
            }
            visit(body)
        case .genericFor(let variables, let values, let body):
            variables.forEach { checkDeclaration($0) }
            visit(values)
            visit(body)
        case .function(let name, let body):
            visitFunctionName(name)
            visitFunction(body)
        case .localFunction(let name, let body):
            checkDeclaration(name)
            visitFunction(body)
        case .returnStatement(let values, _):
            if functionDepth == 0 {
                mainChunkReturns = true
            }
            visit(values)
        case .breakStatement, .gotoStatement, .label:
            break
        }
    }

    /// `function f()` assigns `f`; `function a.b:c()` reads `a`, then writes
    /// into it.
    private mutating func visitFunctionName(_ name: LuaFunctionName) {
        guard let key = name.fields.first ?? name.method else {
            writeName(name.base)
            return
        }
        let base = LuaExpression.name(name.base)
        if checkEnvironmentBase(base, key: KeyAccess(key)) { return }
        if let library = libraryName(of: base) {
            let isWritten = name.fields.count + (name.method == nil ? 0 : 1) == 1
            checkLibraryMember(library, key.name, at: key.position, writing: isWritten)
        } else {
            readName(name.base)
        }
    }

    private mutating func visitFunction(_ body: LuaFunctionBody) {
        body.parameters.forEach { checkDeclaration($0) }
        functionDepth += 1
        visit(body.block)
        functionDepth -= 1
    }

    /// `if`, `elseif`, `while` and `until` conditions: the value itself as a
    /// condition is a nil check.
    private mutating func visitCondition(_ condition: LuaExpression) {
        if let handle = handleName(condition) {
            nilGuards.noteGuard(at: handle.position)
        }
        visit(condition)
    }

    private mutating func visitAssignmentTarget(_ target: LuaExpression) {
        switch target {
        case .name(let identifier):
            writeName(identifier)
        case .field(let base, let name):
            noteHandleUse(base, .indexed)
            if checkEnvironmentBase(base, key: KeyAccess(name)) { return }
            if let library = libraryName(of: base) {
                checkLibraryMember(library, name.name, at: name.position, writing: true)
            } else {
                visit(base)
            }
        case .index(let base, let key, _):
            noteHandleUse(base, .indexed)
            if !checkEnvironmentBase(base, key: KeyAccess(key)) {
                if let library = libraryName(of: base), let member = key.stringConstant {
                    checkLibraryMember(
                        library,
                        String(decoding: member, as: UTF8.self),
                        at: key.position,
                        writing: true
                    )
                } else {
                    visit(base)
                }
            }
            visit(key)
        default:
            visit(target)
        }
    }

    // MARK: - Expressions

    private mutating func visit(_ expressions: [LuaExpression]) {
        for expression in expressions {
            visit(expression)
        }
    }

    private mutating func visit(_ expression: LuaExpression) {
        switch expression {
        case .literal, .vararg:
            break
        case .name(let identifier):
            readName(identifier)
        case .field(let base, let name):
            checkReveal(name.name, at: name.position)
            noteHandleUse(base, .indexed)
            if checkEnvironmentBase(base, key: KeyAccess(name)) { return }
            if let library = libraryName(of: base) ?? (base.stringConstant == nil ? nil : "string") {
                checkLibraryMember(library, name.name, at: name.position, writing: false)
            } else {
                visit(base)
            }
        case .index(let base, let key, _):
            if let constant = key.stringConstant {
                checkReveal(String(decoding: constant, as: UTF8.self), at: key.position)
            }
            noteHandleUse(base, .indexed)
            if !checkEnvironmentBase(base, key: KeyAccess(key)) {
                if let library = libraryName(of: base) ?? (base.stringConstant == nil ? nil : "string"),
                    let member = key.stringConstant
                {
                    checkLibraryMember(
                        library,
                        String(decoding: member, as: UTF8.self),
                        at: key.position,
                        writing: false
                    )
                } else {
                    visit(base)
                }
            }
            visit(key)
        case .call(let callee, let arguments, _):
            visitCall(callee, arguments)
        case .methodCall(let receiver, let name, let arguments):
            checkReveal(name.name, at: name.position)
            if handleName(receiver) != nil {
                noteHandleUse(receiver, .methodReceiver)
                checkHandleMethod(name)
            } else if receiver.stringConstant != nil {
                checkLibraryMember("string", name.name, at: name.position, writing: false)
            }
            visit(receiver)
            visit(arguments)
        case .function(let body):
            visitFunction(body)
        case .unary(let unary, let operand, _):
            switch unary {
            case .not:
                if let handle = handleName(operand) {
                    nilGuards.noteGuard(at: handle.position)
                }
            case .length:
                noteHandleUse(operand, .length)
            case .negate, .bitwiseNot:
                noteHandleUse(operand, .arithmetic)
            }
            visit(operand)
        case .binary(let binary, let left, let right, _):
            visitOperands(binary, left, right)
            visit(left)
            visit(right)
        case .parenthesized(let inner, _):
            visit(inner)
        case .table(let fields, _):
            for field in fields {
                switch field {
                case .named(_, let value), .positional(let value):
                    visit(value)
                case .keyed(let key, let value):
                    visit(key)
                    visit(value)
                }
            }
        }
    }

    private mutating func visitCall(_ callee: LuaExpression, _ arguments: [LuaExpression]) {
        noteHandleUse(callee, .called)
        var remaining = arguments[...]
        if case .name(let function) = callee.unparenthesized, resolution.isGlobal(function) {
            if function.name == "type" || function.name == "assert", let first = arguments.first,
                let handle = handleName(first)
            {
                nilGuards.noteGuard(at: handle.position)
            }
            if function.name == "rawget", let table = arguments.first,
                checkEnvironmentBase(
                    table,
                    key: arguments.count > 1 ? KeyAccess(arguments[1]) : .dynamic,
                    through: "rawget"
                )
            {
                remaining = arguments.dropFirst()
            }
        }
        visit(callee)
        visit(Array(remaining))
    }

    /// Nil checks (`x == nil`, `x and …`) and uses that fail on nil (`x .. s`).
    private mutating func visitOperands(_ binary: LuaBinaryOperator, _ left: LuaExpression, _ right: LuaExpression) {
        switch binary {
        case .and, .or:
            if let handle = handleName(left) {
                nilGuards.noteGuard(at: handle.position)
            }
        case .equal, .notEqual:
            if isNil(right), let handle = handleName(left) {
                nilGuards.noteGuard(at: handle.position)
            } else if isNil(left), let handle = handleName(right) {
                nilGuards.noteGuard(at: handle.position)
            } else {
                noteHandleUse(left, .compared)
                noteHandleUse(right, .compared)
            }
        case .less, .greater, .lessEqual, .greaterEqual:
            noteHandleUse(left, .compared)
            noteHandleUse(right, .compared)
        case .concat:
            noteHandleUse(left, .concatenated)
            noteHandleUse(right, .concatenated)
        default:
            noteHandleUse(left, .arithmetic)
            noteHandleUse(right, .arithmetic)
        }
    }

    private func isNil(_ expression: LuaExpression) -> Bool {
        if case .literal(.nil, _) = expression.unparenthesized { return true }
        return false
    }

    private mutating func noteHandleUse(_ expression: LuaExpression, _ use: NilGuardTracker.Use) {
        if let handle = handleName(expression) {
            nilGuards.noteUse(use, of: handle.name, at: handle.position)
        }
    }

    /// The name through which `expression` is the `attributeValue` handle: the
    /// global itself, or a local alias of it.
    func handleName(_ expression: LuaExpression) -> LuaIdentifier? {
        guard case .name(let identifier) = expression.unparenthesized else { return nil }
        guard let local = resolution.references[identifier.position.offset] else {
            return identifier.name == "attributeValue" ? identifier : nil
        }
        return handleAliases[local] ? identifier : nil
    }

    /// For each local of `resolution`: whether it is an alias of the handle,
    /// a `local` initialised with `attributeValue` (or an alias) and never
    /// reassigned. An initializer only names earlier locals, so one pass in
    /// declaration order settles every alias chain.
    static func handleAliases(in resolution: NameResolution) -> [Bool] {
        var aliases: [Bool] = []
        aliases.reserveCapacity(resolution.locals.count)
        for local in resolution.locals {
            guard local.kind == .local, !local.isReassigned,
                case .name(let source) = local.initializer?.unparenthesized
            else {
                aliases.append(false)
                continue
            }
            if let index = resolution.references[source.position.offset] {
                aliases.append(index < aliases.count && aliases[index])
            } else {
                aliases.append(source.name == "attributeValue")
            }
        }
        return aliases
    }
}
