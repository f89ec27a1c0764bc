internal import CLuaSandbox
public import KeywardCore

/// Runs transformation scripts in the Lua sandbox, from any number of threads.
///
/// Every thread that runs scripts keeps its own sandboxed Lua state (a pool
/// with one state per thread: taking it needs no lock, and it is closed when
/// the thread exits). A call runs on a thread with at least
/// ``Configuration/minimumStackSize`` of stack (SANDBOX.md rule 15): the
/// caller's own thread when it qualifies, otherwise one of the engine's worker
/// threads. Compiled chunks are cached per state under the script's content
/// hash. A state is retired after a budget or memory failure and after 10,000
/// calls.
public final class ScriptEngine: Sendable {
    /// Thread settings.
    public struct Configuration: Sendable {
        /// Worker threads for callers whose own stack is too small. Default: processors.
        public var workerThreads: Int
        /// Stack every Lua call needs. Default and minimum: 1 MiB.
        public var minimumStackSize: Int

        /// Creates a configuration with the defaults above.
        public init(workerThreads: Int? = nil, minimumStackSize: Int = 1 << 20) {
            let processors = max(ProcessorCount.active, 1)
            self.workerThreads = workerThreads ?? processors
            self.minimumStackSize = max(minimumStackSize, 1 << 20)
        }
    }

    private let configuration: Configuration
    private let workers: WorkerThreads

    /// The linked Lua release, e.g. `Lua 5.4.4`.
    public static var luaRelease: String { String(cString: CLuaSandbox_lua_release()) }

    /// Creates an engine.
    ///
    /// - Throws: ``ScriptError`` with code `internal` when the linked Lua is
    ///   older than 5.4.4 (SANDBOX.md refuses older releases).
    public init(configuration: Configuration = .init()) throws(ScriptError) {
        guard CLuaSandbox_lua_release_ok() != 0 else {
            throw ScriptError(
                code: .internal, scriptID: "-",
                internalReason: "the linked liblua is \(Self.luaRelease); Keyward needs Lua 5.4.4 or newer")
        }
        self.configuration = configuration
        self.workers = WorkerThreads(count: configuration.workerThreads, stackSize: configuration.minimumStackSize * 4)
    }

    /// Transforms `input` with `script`.
    ///
    /// - Returns: the new secret, or nil when the script returned nil.
    /// - Throws: ``ScriptError``; its text never holds the secret.
    public func transform(
        _ script: TransformScript,
        input: GuardedString?,
        context: ScriptContext = .init()
    ) throws(ScriptError) -> GuardedString? {
        if CLuaSandbox_thread_stack_size() >= configuration.minimumStackSize {
            return try evaluateHere(script, input: input, context: context, mode: .production, measure: false)
                .outcome.get()
        }
        return try workers.run {
            self.evaluateHere(script, input: input, context: context, mode: .production, measure: false)
        }.outcome.get()
    }

    /// Transforms `input` with `script` without blocking a cooperative thread.
    public func transform(
        _ script: TransformScript,
        input: GuardedString?,
        context: ScriptContext = .init()
    ) async throws(ScriptError) -> GuardedString? {
        let evaluation = await withCheckedContinuation { (continuation: CheckedContinuation<ScriptEvaluation, Never>) in
            workers.submit {
                continuation.resume(
                    returning: self.evaluateHere(script, input: input, context: context, mode: .production, measure: false))
            }
        }
        return try evaluation.outcome.get()
    }

    /// Runs `script` once and reports outcome and cost, never throwing.
    public func evaluate(
        _ script: TransformScript,
        input: GuardedString?,
        context: ScriptContext = .init(),
        mode: ScriptRunMode = .production
    ) -> ScriptEvaluation {
        if CLuaSandbox_thread_stack_size() >= configuration.minimumStackSize {
            return evaluateHere(script, input: input, context: context, mode: mode, measure: true)
        }
        return workers.run { self.evaluateHere(script, input: input, context: context, mode: mode, measure: true) }
    }

    /// Runs on the current thread, which has enough stack.
    private func evaluateHere(
        _ script: TransformScript,
        input: GuardedString?,
        context: ScriptContext,
        mode: ScriptRunMode,
        measure: Bool
    ) -> ScriptEvaluation {
        guard let state = CLuaSandbox_thread_state() else {
            return ScriptEvaluation(
                outcome: .failure(ScriptError(code: .memory, scriptID: script.id)),
                instructions: 0, peakMemoryBytes: 0, duration: .zero)
        }
        let (evaluation, retire) = SandboxCall.evaluate(
            on: state, script, input: input, context: context, mode: mode, measure: measure)
        if retire { CLuaSandbox_retire_thread_state() }
        return evaluation
    }
}
