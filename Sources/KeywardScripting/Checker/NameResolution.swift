/// A local variable: declared by `local`, `local function`, a parameter, a
/// `for` loop or a method's implicit `self`.
struct LuaLocalVariable: Sendable {
    enum Kind: Sendable, Equatable {
        case local
        case localFunction
        case parameter
        case implicitSelf
        case loopVariable
    }

    var name: String
    /// Where it is declared (for `self`, the method's name).
    var position: LuaSourcePosition
    var kind: Kind
    var attribute: LuaLocalAttribute?
    /// The expression a `local` statement gives this variable, if any.
    var initializer: LuaExpression?
    /// Whether an assignment or `function` statement changes it after its
    /// declaration.
    var isReassigned = false
}

/// What every name in a chunk refers to: a local variable, or else a global
/// (a field of `_ENV`).
struct NameResolution: Sendable {
    /// Every local variable of the chunk, in declaration order.
    var locals: [LuaLocalVariable] = []
    /// For each identifier occurrence (by byte offset) that names a local
    /// variable: its index in `locals`. Occurrences not here are globals.
    var references: [Int: Int] = [:]
    /// Every global access (read or assignment), in source order.
    var globalReferences: [LuaIdentifier] = []
    /// Global names that the chunk assigns (`x = 1`, `function f() end`).
    var assignedGlobals: Set<String> = []

    /// The local variable an identifier occurrence refers to, or `nil` for a
    /// global.
    func local(for identifier: LuaIdentifier) -> LuaLocalVariable? {
        references[identifier.position.offset].map { locals[$0] }
    }

    /// Whether an identifier occurrence is a global access.
    func isGlobal(_ identifier: LuaIdentifier) -> Bool {
        references[identifier.position.offset] == nil
    }
}
