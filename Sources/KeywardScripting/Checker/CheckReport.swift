/// The findings for one script.
public struct CheckReport: Sendable, Equatable {
    /// The script's path as given to the checker.
    public let path: String
    /// The findings, sorted by line and column.
    public let findings: [Finding]

    /// Creates a report; the findings are sorted by line, column and rule id.
    public init(path: String, findings: [Finding]) {
        self.path = path
        self.findings = findings.sorted {
            ($0.line, $0.column, $0.rule.id) < ($1.line, $1.column, $1.rule.id)
        }
    }

    /// Whether any finding is an error, so the script must not run.
    public var hasErrors: Bool { errorCount > 0 }

    /// The number of error findings.
    public var errorCount: Int { findings.count { $0.severity == .error } }

    /// The number of warning findings.
    public var warningCount: Int { findings.count { $0.severity == .warning } }
}
