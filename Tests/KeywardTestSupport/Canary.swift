/// A marker secret that must never appear in any output.
public enum Canary {
    /// The marker password pushed through every path in canary tests.
    public static let password = "Kw-CANARY-7f3a9c-P@ss"
}
