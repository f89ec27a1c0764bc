internal import CLuaSandbox
import KeywardCore

/// One Lua state of the pool. Used by one thread at a time.
final class SandboxState: @unchecked Sendable {
    private let state: OpaquePointer

    init?() {
        guard let state = CLuaSandbox_open() else { return nil }
        self.state = state
    }

    deinit {
        CLuaSandbox_close(state)
    }

    /// Runs the script once. Returns the evaluation and whether the state must
    /// be retired (after a budget or memory failure, or enough calls).
    func evaluate(
        _ script: TransformScript,
        input: GuardedString?,
        context: ScriptContext,
        mode: ScriptRunMode
    ) -> (ScriptEvaluation, retire: Bool) {
        var limits = CLuaSandbox_Limits()
        limits.instruction_limit = Int64(script.limits.instructions)
        limits.memory_limit = script.limits.memoryBytes
        let (seconds, attoseconds) = script.limits.timeLimit.components
        limits.time_limit_ns = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        limits.hook_interval = mode == .author ? 1 : 1000
        limits.allow_reveal = script.limits.allowReveal ? 1 : 0
        limits.want_message = mode == .author ? 1 : 0
        limits.reuse_environment = script.assignsNoGlobals ? 1 : 0

        var raw = CLuaSandbox_Result()
        let clock = ContinuousClock()
        let start = clock.now
        context.encoding.withEntries { entries, count in
            script.source.withUnsafeBufferPointer { source in
                script.contentHashCString.withUnsafeBufferPointer { key in
                    let sourceText = UnsafeRawPointer(source.baseAddress)?.assumingMemoryBound(to: CChar.self)
                    func invoke(_ secret: UnsafePointer<UInt8>?, _ length: Int) {
                        CLuaSandbox_call(
                            state, key.baseAddress, sourceText, source.count - 1,
                            secret, length, entries, count, &limits, &raw)
                    }
                    if let input {
                        input.withUnsafeBytes { bytes in
                            if let base = bytes.baseAddress, !bytes.isEmpty {
                                invoke(base.assumingMemoryBound(to: UInt8.self), bytes.count)
                            } else {
                                // An empty secret is not nil: pass a valid pointer.
                                withUnsafePointer(to: UInt8(0)) { invoke($0, 0) }
                            }
                        }
                    } else {
                        invoke(nil, 0)
                    }
                }
            }
        }
        let outcome = Self.outcome(of: &raw, script: script, mode: mode)
        let duration = clock.now - start
        let retire = CLuaSandbox_end_call(state) != 0
        let evaluation = ScriptEvaluation(
            outcome: outcome,
            instructions: Int(raw.instructions),
            peakMemoryBytes: Int(raw.peak_memory),
            duration: duration)
        return (evaluation, retire)
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

