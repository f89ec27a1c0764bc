/// What the checker may let a script do.
public struct CheckPolicy: Sendable, Hashable {
    /// Whether the script may call `reveal()` on a handle (KW004 is silent
    /// when it may).
    public var allowReveal: Bool

    /// Creates a policy; by default reveal is not allowed.
    public init(allowReveal: Bool = false) {
        self.allowReveal = allowReveal
    }
}
