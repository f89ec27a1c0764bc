/// How serious a finding is.
public enum FindingSeverity: String, Sendable, Codable, Hashable {
    /// The script must not run: the checker rejects it.
    case error
    /// The script may run, but probably does something unintended.
    case warning
}

/// One problem the checker found in a script, with where it is and how to fix it.
public struct Finding: Sendable, Equatable {
    /// The rule that produced the finding.
    public let rule: CheckRule
    /// The severity (the rule's).
    public let severity: FindingSeverity
    /// The 1-based line.
    public let line: Int
    /// The 1-based column, counted in Unicode scalars (code points) from the
    /// start of the line.
    public let column: Int
    /// What is wrong, naming the code involved.
    public let message: String
    /// How to fix it, in one line.
    public let fix: String

    /// The rule's stable id, such as `KW001`.
    public var ruleID: String { rule.id }

    /// Creates a finding of `rule`, with the rule's fix unless `fix` is given.
    public init(rule: CheckRule, line: Int, column: Int, message: String, fix: String? = nil) {
        self.rule = rule
        self.severity = rule.severity
        self.line = line
        self.column = column
        self.message = message
        self.fix = fix ?? rule.fix
    }

    init(rule: CheckRule, at position: LuaSourcePosition, message: String, fix: String? = nil) {
        self.init(rule: rule, line: position.line, column: position.column, message: message, fix: fix)
    }
}
