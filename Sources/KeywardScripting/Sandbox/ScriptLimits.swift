/// The limits one transformation call runs under.
///
/// The defaults let any honest transformation run with room to spare (a
/// realistic script uses a few hundred instructions and a few KiB) while a
/// runaway script stops within milliseconds.
public struct ScriptLimits: Sendable, Equatable {
    /// Lua VM instructions, plus C work charged by pattern matching and the
    /// budgeted library functions. Default 1,000,000 (about 10 ms).
    public var instructions: Int
    /// Bytes a call may add to its Lua state, Lua objects and host-side
    /// secrets together. Default 8 MiB.
    public var memoryBytes: Int
    /// CPU time one call may use (its thread's, so a busy machine does not
    /// count). Default 100 ms. It catches the few single instructions whose
    /// work no counter sees (comparing two long strings, a long vararg
    /// list); a run past it ends as `budget`.
    public var timeLimit: Duration
    /// Whether `attributeValue:reveal()` may turn the secret into a Lua string.
    /// Off by default; the security checker refuses `reveal()` unless it is on.
    public var allowReveal: Bool

    /// The default instruction budget.
    public static let defaultInstructions = 1_000_000
    /// The default memory limit.
    public static let defaultMemoryBytes = 8 << 20
    /// The default time limit.
    public static let defaultTimeLimit = Duration.milliseconds(100)

    /// Creates limits; every argument has a production default.
    public init(
        instructions: Int = ScriptLimits.defaultInstructions,
        memoryBytes: Int = ScriptLimits.defaultMemoryBytes,
        timeLimit: Duration = ScriptLimits.defaultTimeLimit,
        allowReveal: Bool = false
    ) {
        self.instructions = instructions
        self.memoryBytes = memoryBytes
        self.timeLimit = timeLimit
        self.allowReveal = allowReveal
    }
}
