import KeywardCore
import KeywardScripting

/// One case of a `NAME.cases.yaml` file: an input, a context, and what the
/// script must do with them.
struct ScriptCase {
    /// What the case expects.
    enum Expectation {
        /// `expect`: exactly this value, or nil.
        case value(GuardedString?)
        /// `expectError`: a failure with this code.
        case error(ScriptError.Code)
        /// `expectLength` and/or `expectPrefix`: a value (not nil) of this
        /// length in bytes, starting with these bytes. For results that are
        /// not deterministic, such as a randomly salted `{SSHA}` hash.
        case shape(length: Int?, prefix: GuardedString?)
    }

    /// The case's name, unique in its file.
    let name: String
    /// `attributeValue`.
    let input: GuardedString?
    /// `context`.
    let context: ScriptContext
    /// What the script must do.
    let expectation: Expectation

    /// Why the outcome does not meet the expectation, or nil when it does.
    ///
    /// Values are described by their length and SHA-256 prefix only: a wrong
    /// result is never shown in plain text.
    func mismatch(_ outcome: Result<GuardedString?, ScriptError>) -> String? {
        switch (expectation, outcome) {
        case (.value(let expected), .success(let got)):
            switch (expected, got) {
            case (nil, nil): return nil
            case (let expected?, let got?) where expected == got: return nil
            default: return "expected \(Self.describe(expected)); got \(Self.describe(got))"
            }
        case (.error(let code), .failure(let error)) where error.code == code:
            return nil
        case (.error(let code), _):
            return "expected \(Self.article(code)) \(code) error; got \(describe(outcome))"
        case (.shape(let length, let prefix), .success(let got?)):
            var wanted: [String] = []
            if let length, got.count != length { wanted.append("\(length) bytes") }
            if let prefix, !SecretDisplay.secret(got, startsWith: prefix) {
                wanted.append("a value starting with the expected prefix (\(SecretDisplay.fingerprint(prefix)))")
            }
            return wanted.isEmpty ? nil : "expected \(wanted.joined(separator: " and ")); got \(describe(outcome))"
        case (.shape, _), (.value, .failure):
            return "expected \(describeExpectation()); got \(describe(outcome))"
        }
    }

    private func describeExpectation() -> String {
        switch expectation {
        case .value(let value):
            return Self.describe(value)
        case .error(let code):
            return "\(Self.article(code)) \(code) error"
        case .shape(let length, let prefix):
            var text = "a value"
            if let length { text += " of \(length) bytes" }
            if prefix != nil { text += " with the expected prefix" }
            return text
        }
    }

    private func describe(_ outcome: Result<GuardedString?, ScriptError>) -> String {
        switch outcome {
        case .success(let value): return Self.describe(value)
        case .failure(let error):
            var text = "\(Self.article(error.code)) \(error.code) error"
            if let detail = error.authorDetail, !detail.message.isEmpty, error.code != .badReturn {
                let message = SecretDisplay.redacting(input, in: DryRunReport.withoutChunkPosition(detail.message))
                text += detail.line.map { " at line \($0): " } ?? ": "
                text += message
            } else {
                text += ": \(error.summary)"
            }
            return text
        }
    }

    private static func describe(_ value: GuardedString?) -> String {
        value.map(SecretDisplay.fingerprint) ?? "nil"
    }

    private static func article(_ code: ScriptError.Code) -> String {
        code == .internal ? "an" : "a"
    }
}
