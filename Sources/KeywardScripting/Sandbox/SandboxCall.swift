internal import CLuaSandbox
import KeywardCore

/// One call of a script on a sandbox state (this thread's).
enum SandboxCall {
    /// Runs the script once on `state`. Returns the evaluation and whether the state must
    /// be retired (after a budget or memory failure, or enough calls).
    /// `measure` adds the wall time (two clock reads the hot path skips).
    static func evaluate(
        on state: OpaquePointer,
        _ script: TransformScript,
        input: GuardedString?,
        context: ScriptContext,
        mode: ScriptRunMode,
        measure: Bool
    ) -> (ScriptEvaluation, retire: Bool) {
        let body = script.body
        var limits = body.limits
        if mode == .author {
            limits.hook_interval = 1
            limits.want_message = 1
        }
        limits.reuse_environment = script.assignsNoGlobals ? 1 : 0

        var raw = CLuaSandbox_Result()
        let start = measure ? ContinuousClock.now : nil
        withUnsafePointer(to: &limits) { limits in
            withUnsafeMutablePointer(to: &raw) { raw in
                context.encoding.withEntries { entries, count in
                    body.source.withUnsafeBufferPointer { source in
                        body.key.withUnsafeBufferPointer { key in
                            let text = UnsafeRawPointer(source.baseAddress)?.assumingMemoryBound(to: CChar.self)
                            Self.withSecret(input) { secret, length in
                                CLuaSandbox_call(
                                    state, key.baseAddress, text, source.count - 1,
                                    secret, length, entries, count, limits, raw)
                            }
                        }
                    }
                }
            }
        }
        let outcome = Self.outcome(of: &raw, script: script, mode: mode)
        let duration = start.map { ContinuousClock.now - $0 } ?? .zero
        let retire = CLuaSandbox_end_call(state) != 0
        let evaluation = ScriptEvaluation(
            outcome: outcome,
            instructions: Int(raw.instructions),
            peakMemoryBytes: Int(raw.peak_memory),
            duration: duration)
        return (evaluation, retire)
    }

    /// Lends the secret's bytes to C: NULL for nil, a valid pointer for empty.
    private static func withSecret(_ input: GuardedString?, _ body: (UnsafePointer<UInt8>?, Int) -> Void) {
        guard let input else { return body(nil, 0) }
        input.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress, !bytes.isEmpty {
                body(base.assumingMemoryBound(to: UInt8.self), bytes.count)
            } else {
                withUnsafePointer(to: UInt8(0)) { body($0, 0) }
            }
        }
    }

    private static func outcome(
        of raw: inout CLuaSandbox_Result,
        script: TransformScript,
        mode: ScriptRunMode
    ) -> Result<GuardedString?, ScriptError> {
        let code: ScriptError.Code
        switch raw.outcome {
        case CLuaSandbox_OK:
            if raw.result_is_nil != 0 { return .success(nil) }
            let length = raw.result_len
            let bytes = raw.result_bytes
            return .success(GuardedString(count: length) { buffer in
                if let bytes, length > 0 {
                    buffer.baseAddress?.copyMemory(from: bytes, byteCount: length)
                }
            })
        case CLuaSandbox_COMPILE: code = .compile
        case CLuaSandbox_RUNTIME: code = .runtime
        case CLuaSandbox_BUDGET: code = .budget
        case CLuaSandbox_MEMORY: code = .memory
        case CLuaSandbox_BAD_RETURN: code = .badReturn
        case CLuaSandbox_FORBIDDEN: code = .forbidden
        default: code = .internal
        }
        var detail: ScriptError.AuthorDetail?
        if mode == .author {
            let message = withUnsafeBytes(of: &raw.message) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            detail = .init(message: message, line: raw.error_line > 0 ? Int(raw.error_line) : nil)
        }
        withUnsafeMutableBytes(of: &raw.message) { SecureMemory.zero($0) }
        let returned = code == .badReturn
            ? withUnsafeBytes(of: &raw.bad_type) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            : nil
        return .failure(ScriptError(code: code, scriptID: script.id, returnedType: returned, authorDetail: detail))
    }
}

