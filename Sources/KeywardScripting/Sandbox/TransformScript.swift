internal import CLuaSandbox

/// A transformation script that passed the security checker and may run.
///
/// The only public way to make one is ``init(id:source:limits:)``, which runs
/// the checker: the engine never runs a script with an error-level finding.
public struct TransformScript: Sendable {
    /// The script's id in errors: its path, or a configured name.
    public let id: String
    /// The limits it runs under.
    public let limits: ScriptLimits
    /// The checker's findings (warnings only, unless built unchecked).
    public let findings: [Finding]
    /// Hex SHA-256 of the source: the key of the compiled-chunk cache.
    public var contentHash: String { body.contentHash }
    /// What the sandbox needs on every call, built once and shared by copies.
    let body: ScriptBody
    /// Proven by the checker; always false for unchecked scripts.
    private(set) var assignsNoGlobals = false

    /// Checks `source` and keeps it for running.
    ///
    /// - Throws: ``ScriptError`` with code `forbidden` listing the error-level
    ///   findings, or `compile` when only the syntax is wrong.
    public init(id: String, source: String, limits: ScriptLimits = .init()) throws(ScriptError) {
        let report = ScriptChecker(policy: CheckPolicy(allowReveal: limits.allowReveal))
            .check(source: source, path: id)
        let errors = report.findings.filter { $0.severity == .error }
        if !errors.isEmpty {
            let syntaxOnly = errors.allSatisfy { $0.ruleID == "KW008" || $0.ruleID == "KW009" }
            throw ScriptError(code: syntaxOnly ? .compile : .forbidden, scriptID: id, findings: errors)
        }
        self.init(unchecked: id, source: source, limits: limits, findings: report.findings)
        // The checker proved the script assigns no globals and plays no _ENV
        // tricks, so calls may share one environment. The sandbox still makes
        // that environment refuse new globals, should the proof be wrong.
        self.assignsNoGlobals = !report.findings.contains { $0.ruleID == "KW007" || $0.ruleID == "KW003" }
    }

    /// Keeps `source` without checking it. Only `keyward dry-run --skip-check`
    /// uses this, to study the sandbox on its own.
    package init(unchecked id: String, source: String, limits: ScriptLimits = .init(), findings: [Finding] = []) {
        self.id = id
        self.limits = limits
        self.findings = findings
        self.body = ScriptBody(source: source, limits: limits)
    }

    /// Lets a test run an unchecked script in the shared environment, to
    /// prove the sandbox refuses new globals there on its own.
    package mutating func forceSharedEnvironmentForTesting() {
        assignsNoGlobals = true
    }
}

/// A script's source, cache key and C limits, immutable and shared by every
/// copy of its `TransformScript`, so a call copies one reference.
final class ScriptBody: Sendable {
    /// The source bytes, NUL-terminated for C.
    let source: ContiguousArray<UInt8>
    /// The content hash as a C string.
    let key: ContiguousArray<CChar>
    let contentHash: String
    /// Production limits in C form; author mode adjusts a copy.
    let limits: CLuaSandbox_Limits

    init(source text: String, limits: ScriptLimits) {
        var bytes = ContiguousArray(text.utf8)
        contentHash = Self.sha256Hex(bytes)
        key = ContiguousArray(contentHash.utf8CString)
        bytes.append(0)
        source = bytes
        let (seconds, attoseconds) = limits.timeLimit.components
        var c = CLuaSandbox_Limits()
        c.instruction_limit = Int64(limits.instructions)
        c.memory_limit = limits.memoryBytes
        c.time_limit_ns = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        c.hook_interval = 1000
        c.allow_reveal = limits.allowReveal ? 1 : 0
        self.limits = c
    }

    static func sha256Hex(_ bytes: ContiguousArray<UInt8>) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBytes { raw in
            digest.withUnsafeMutableBufferPointer { out in
                CLuaSandbox_sha256(raw.baseAddress, raw.count, out.baseAddress)
            }
        }
        return digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
