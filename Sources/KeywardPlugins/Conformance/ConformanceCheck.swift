/// One check of the conformance suite and how it ended.
public struct ConformanceCheck: Sendable, Equatable {
    /// How a check ended.
    public enum Outcome: String, Sendable {
        case passed = "PASS"
        case failed = "FAIL"
        /// The plugin does not declare what the check needs.
        case skipped = "SKIP"
    }

    /// What was checked, e.g. `changePassword with a wrong current password`.
    public var name: String
    /// How it ended.
    public var outcome: Outcome
    /// What was seen, or why it failed (never a secret, never a line the plugin wrote).
    public var detail: String

    /// Creates a check's result.
    public init(_ name: String, _ outcome: Outcome, _ detail: String = "") {
        self.name = name
        self.outcome = outcome
        self.detail = detail
    }

    /// `PASS  name: detail`.
    public var line: String {
        "\(outcome.rawValue)  \(name)" + (detail.isEmpty ? "" : ": \(detail)")
    }
}
