extension CheckReport {
    /// Reports as text for a terminal: one `path:line:column: severity ID:
    /// message` line per finding with an indented `fix:` line under it, then
    /// a summary line.
    ///
    /// ```
    /// scripts/ldap.lua:2:1: error KW001: `print` writes to standard output; the sandbox has no output path
    ///     fix: Remove it: a transformation only returns its result and never prints or logs.
    /// 1 file checked: 1 error, 0 warnings
    /// ```
    public static func text(_ reports: [CheckReport]) -> String {
        var lines: [String] = []
        for report in reports {
            for finding in report.findings {
                lines.append(
                    "\(report.path):\(finding.line):\(finding.column): "
                        + "\(finding.severity.rawValue) \(finding.ruleID): \(finding.message)"
                )
                lines.append("    fix: \(finding.fix)")
            }
        }
        let errors = reports.reduce(0) { $0 + $1.errorCount }
        let warnings = reports.reduce(0) { $0 + $1.warningCount }
        lines.append(
            "\(counted(reports.count, "file")) checked: \(counted(errors, "error")), \(counted(warnings, "warning"))"
        )
        return lines.joined(separator: "\n") + "\n"
    }

    private static func counted(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
