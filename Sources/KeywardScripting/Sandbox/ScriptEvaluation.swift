public import KeywardCore

/// One call of a script: its outcome and what it cost.
public struct ScriptEvaluation: Sendable {
    /// The transformed secret (nil when the script returned nil), or why not.
    public let outcome: Result<GuardedString?, ScriptError>
    /// Units charged to the budget: to the budget check's granularity (1,000)
    /// in production; in author mode exact up to 10,000, then to the 1,000.
    public let instructions: Int
    /// The most memory the call held above its state's baseline, in bytes.
    public let peakMemoryBytes: Int
    /// Wall time of the call.
    public let duration: Duration
}

/// How a call reports failures.
public enum ScriptRunMode: Sendable {
    /// Production: fixed codes only, never a Lua message (SANDBOX.md rule 11).
    case production
    /// Author tools (`dry-run`, `test`) on values the author typed: the Lua
    /// message and line are kept in ``ScriptError/authorDetail``, and small
    /// runs' instructions are counted exactly.
    case author
}
