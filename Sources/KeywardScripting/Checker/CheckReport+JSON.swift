import Foundation

extension CheckReport {
    /// Reports as JSON, with sorted keys:
    /// `{"errors":N,"files":[{"findings":[{"column","fix","id","line","message","severity"}],"path"}],"warnings":N}`.
    public static func json(_ reports: [CheckReport]) -> String {
        let document = JSONDocument(
            files: reports.map { report in
                JSONDocument.File(
                    path: report.path,
                    findings: report.findings.map {
                        JSONDocument.Item(
                            id: $0.ruleID,
                            severity: $0.severity,
                            line: $0.line,
                            column: $0.column,
                            message: $0.message,
                            fix: $0.fix
                        )
                    }
                )
            },
            errors: reports.reduce(0) { $0 + $1.errorCount },
            warnings: reports.reduce(0) { $0 + $1.warningCount }
        )
        return encodedJSON(document)
    }

    /// Encodes with sorted keys, pretty-printed, slashes unescaped; the value
    /// types here always encode, so the fallback is never used.
    static func encodedJSON(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

private struct JSONDocument: Encodable {
    struct File: Encodable {
        var path: String
        var findings: [Item]
    }

    struct Item: Encodable {
        var id: String
        var severity: FindingSeverity
        var line: Int
        var column: Int
        var message: String
        var fix: String
    }

    var files: [File]
    var errors: Int
    var warnings: Int
}
