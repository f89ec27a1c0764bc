/// A transformation script failed, or was refused before it ran.
///
/// The error never carries the secret: its text is built from the script's id,
/// a fixed code and (for `badReturn`) a Lua type name. The Lua error message,
/// which can contain the secret, is kept only for the author tools
/// (`keyward dry-run`, `keyward test`) in ``authorDetail``, and never appears
/// in `description`, `debugDescription` or a mirror.
public struct ScriptError: Error, Sendable {
    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case compile, runtime, budget, memory, badReturn, forbidden, `internal`
        }
        private let base: Base

        /// The script does not compile (syntax error, or a binary chunk).
        public static let compile = Code(base: .compile)
        /// The script raised an error while running.
        public static let runtime = Code(base: .runtime)
        /// The script ran out of its instruction budget.
        public static let budget = Code(base: .budget)
        /// The script ran out of memory.
        public static let memory = Code(base: .memory)
        /// The script returned something other than one GuardedString or nil.
        public static let badReturn = Code(base: .badReturn)
        /// The script did something it is not allowed to (checker error, `reveal()`).
        public static let forbidden = Code(base: .forbidden)
        /// Keyward itself failed (no Lua state, wrong Lua version).
        public static let `internal` = Code(base: .internal)

        /// The code's stable name, as in `--json` output and case files.
        public var description: String { base.rawValue }

        /// The code with this stable name, if any.
        public init?(name: String) {
            guard let base = Base(rawValue: name) else { return nil }
            self.base = base
        }

        private init(base: Base) { self.base = base }
    }

    /// The Lua error message and line, shown only to a script's author.
    public struct AuthorDetail: Sendable, Equatable {
        /// The Lua error text (may contain values the author typed).
        public let message: String
        /// The script line, when Lua reported one.
        public let line: Int?
    }

    /// What went wrong.
    public let code: Code
    /// Which script (its path or configured id).
    public let scriptID: String
    /// For `badReturn`: the Lua type that came back (`string`, `2 values`, …).
    public let returnedType: String?
    /// For `forbidden` by the checker: its error-level findings.
    public let findings: [Finding]
    /// For `internal`: what Keyward itself lacked (never script data).
    public let internalReason: String?
    /// Only in author mode: the Lua message and line.
    public let authorDetail: AuthorDetail?

    package init(
        code: Code,
        scriptID: String,
        returnedType: String? = nil,
        findings: [Finding] = [],
        internalReason: String? = nil,
        authorDetail: AuthorDetail? = nil
    ) {
        self.internalReason = internalReason
        self.code = code
        self.scriptID = scriptID
        self.returnedType = returnedType
        self.findings = findings
        self.authorDetail = authorDetail
    }

    /// A one-line explanation that holds no secret.
    public var summary: String {
        switch code {
        case .compile: "does not compile"
        case .runtime: "raised an error"
        case .budget: "ran out of its instruction budget"
        case .memory: "ran out of memory"
        case .badReturn: "returned \(returnedType ?? "a value") instead of a GuardedString or nil"
        case .forbidden:
            findings.isEmpty
                ? "did something it is not allowed to"
                : "was refused by the security checker (\(findings.map(\.ruleID).joined(separator: ", ")))"
        default: "failed inside Keyward" + (internalReason.map { ": \($0)" } ?? "")
        }
    }
}

extension ScriptError: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `script ID failed (code): summary`, never the Lua message.
    public var description: String { "script \(scriptID) failed (\(code)): \(summary)" }
    /// Same as `description`, on purpose.
    public var debugDescription: String { description }
    /// Shows the code and script id only.
    public var customMirror: Mirror {
        Mirror(self, children: ["code": code.description, "scriptID": scriptID], displayStyle: .struct)
    }
}
