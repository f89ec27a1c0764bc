import Foundation
import KeywardCore
import KeywardScripting

/// What `keyward dry-run` found out, rendered as text or as the one JSON
/// object of `--json`. Secrets appear masked unless `reveal` is set.
struct DryRunReport {
    /// Whether the script ran, or the checker refused it.
    enum Run {
        case ran(ScriptEvaluation)
        case refused(ScriptError)
    }

    /// The script's path.
    let path: String
    /// The value given to the script.
    let input: GuardedString?
    /// The checker's findings (also printed when the script ran anyway).
    let report: CheckReport
    /// The run, or the refusal.
    let run: Run
    /// Whether values are shown instead of masked.
    let reveal: Bool

    /// `ok`, or the stable name of the error code.
    var outcome: String {
        switch run {
        case .ran(let evaluation):
            switch evaluation.outcome {
            case .success: "ok"
            case .failure(let error): error.code.description
            }
        case .refused(let error): error.code.description
        }
    }

    private var failure: ScriptError? {
        switch run {
        case .ran(let evaluation):
            if case .failure(let error) = evaluation.outcome { return error }
            return nil
        case .refused(let error): return error
        }
    }

    private var evaluation: ScriptEvaluation? {
        if case .ran(let evaluation) = run { return evaluation }
        return nil
    }

    /// The result: nil when the script failed, `.some(nil)` when it returned nil.
    private var result: GuardedString?? {
        guard let evaluation, case .success(let value) = evaluation.outcome else { return nil }
        return .some(value)
    }

    /// The error's message and line for the author: the first error-level
    /// finding when the checker refused the script, otherwise the Lua message
    /// (with the input redacted unless `--reveal`), or the error's summary.
    private var errorDetail: (message: String, line: Int?)? {
        guard let failure else { return nil }
        if case .refused = run {
            guard let first = failure.findings.first else { return (failure.summary, nil) }
            let more = failure.findings.count > 1 ? " (and \(failure.findings.count - 1) more)" : ""
            return ("\(first.ruleID): \(first.message)\(more)", first.line)
        }
        let line = failure.authorDetail?.line
        guard let raw = failure.authorDetail?.message, !raw.isEmpty,
            failure.code == .compile || failure.code == .runtime || failure.code == .forbidden
        else {
            return (failure.summary, line)
        }
        let message = Self.withoutChunkPosition(raw)
        return (reveal ? message : SecretDisplay.redacting(input, in: message), line)
    }

    /// The Lua message without the `script:LINE: ` position Lua puts in
    /// front (the line is reported separately).
    static func withoutChunkPosition(_ message: String) -> String {
        guard message.hasPrefix("script:") else { return message }
        let rest = message.dropFirst("script:".count)
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, rest.dropFirst(digits.count).hasPrefix(": ") else { return message }
        return String(rest.dropFirst(digits.count + 2))
    }

    // MARK: - Text

    /// The aligned text report for standard output.
    func text() -> String {
        var lines: [(String, String)] = []
        lines.append(("input", show(input)))
        lines.append(("outcome", outcome))
        switch result {
        case .none: lines.append(("result", "none"))
        case .some(let value): lines.append(("result", show(value)))
        }
        if let evaluation {
            lines.append(("instructions", "\(evaluation.instructions)"))
            lines.append(("peak memory", Self.formatted(bytes: evaluation.peakMemoryBytes)))
            lines.append(("time", Self.formatted(micros: Self.micros(evaluation.duration))))
        }
        return lines.map { label, value in
            label.padding(toLength: 14, withPad: " ", startingAt: 0) + value
        }.joined(separator: "\n") + "\n"
    }

    /// The one-line error for standard error when the script failed or was
    /// refused, naming the file and line.
    func problemLine() -> String? {
        guard let failure, let detail = errorDetail else { return nil }
        if case .refused = run {
            let what = failure.code == .compile ? "does not compile" : "was refused by the security checker"
            return "\(path): \(what); nothing ran (fix the errors above, or study the sandbox with --skip-check)"
        }
        let place = detail.line.map { "\(path):\($0)" } ?? path
        return "\(place): \(failure.code) error: \(detail.message)"
    }

    private func show(_ value: GuardedString?) -> String {
        guard let value else { return "nil" }
        if reveal { return "\(SecretDisplay.revealed(value))  (\(SecretDisplay.fingerprint(value)))" }
        return SecretDisplay.masked(value)
    }

    static func formatted(bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) bytes" }
        let tenths = (bytes * 10 + 512) / 1024
        if tenths < 10240 { return "\(tenths / 10).\(tenths % 10) KiB" }
        let mebiTenths = (bytes * 10 + (1 << 19)) >> 20
        return "\(mebiTenths / 10).\(mebiTenths % 10) MiB"
    }

    static func formatted(micros: Int) -> String {
        let thousandths = micros % 1000
        let padded = String(repeating: "0", count: 3 - String(thousandths).count) + String(thousandths)
        return "\(micros / 1000).\(padded) ms"
    }

    static func micros(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1_000_000 + Int(attoseconds / 1_000_000_000_000)
    }

    // MARK: - JSON

    /// The one JSON object of `--json`, with a trailing newline.
    func json() -> String {
        let document = JSONReport(
            outcome: outcome,
            result: result.map { value in
                JSONReport.Result(
                    kind: value == nil ? "nil" : "guarded",
                    length: value?.count ?? 0,
                    sha256Prefix: value?.sha256Prefix() ?? "",
                    value: reveal ? value.map(SecretDisplay.revealed) : nil,
                    revealed: reveal)
            },
            findings: report.findings.map {
                JSONReport.Finding(id: $0.ruleID, severity: $0.severity.rawValue, line: $0.line, column: $0.column,
                    message: $0.message)
            },
            instructions: evaluation?.instructions ?? 0,
            memoryBytes: evaluation?.peakMemoryBytes ?? 0,
            micros: evaluation.map { Self.micros($0.duration) } ?? 0,
            error: failure.map { failure in
                JSONReport.Failure(code: failure.code.description, message: errorDetail?.message ?? failure.summary,
                    line: errorDetail?.line)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(document) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// The `--json` document. Absent values encode as `null`, never as a
/// missing key, except `result.value`, which exists only with `--reveal`.
private struct JSONReport: Encodable {
    struct Result: Encodable {
        var kind: String
        var length: Int
        var sha256Prefix: String
        var value: String?
        /// Whether `value` is a key at all (`null` for a nil result).
        var revealed: Bool

        enum CodingKeys: String, CodingKey {
            case kind, length, sha256Prefix, value
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            if kind == "guarded" {
                try container.encode(length, forKey: .length)
                try container.encode(sha256Prefix, forKey: .sha256Prefix)
                if revealed { try container.encode(value, forKey: .value) }
            } else {
                try container.encodeNil(forKey: .length)
                try container.encodeNil(forKey: .sha256Prefix)
                if revealed { try container.encodeNil(forKey: .value) }
            }
        }
    }

    struct Finding: Encodable {
        var id: String
        var severity: String
        var line: Int
        var column: Int
        var message: String
    }

    struct Failure: Encodable {
        var code: String
        var message: String
        var line: Int?

        enum CodingKeys: String, CodingKey {
            case code, message, line
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .message)
            try container.encode(line, forKey: .line)
        }
    }

    var outcome: String
    var result: Result?
    var findings: [Finding]
    var instructions: Int
    var memoryBytes: Int
    var micros: Int
    var error: Failure?

    enum CodingKeys: String, CodingKey {
        case outcome, result, findings, instructions, memoryBytes, micros, error
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(result, forKey: .result)
        try container.encode(findings, forKey: .findings)
        try container.encode(instructions, forKey: .instructions)
        try container.encode(memoryBytes, forKey: .memoryBytes)
        try container.encode(micros, forKey: .micros)
        try container.encode(error, forKey: .error)
    }
}
