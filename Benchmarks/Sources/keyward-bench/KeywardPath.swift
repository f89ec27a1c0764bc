import KeywardCore
import KeywardScripting

/// Keyward's full path: a GuardedString in, a checked script, a sandboxed call
/// with isolation and budgets (production mode, default limits), a
/// GuardedString out, released (and so wiped) after every call.
final class KeywardPath: Sendable {
    let engine: ScriptEngine
    let script: TransformScript
    let input: GuardedString
    let context: ScriptContext

    /// Builds the engine and runs the checker on ``Workload/chunk``.
    init() {
        do {
            engine = try ScriptEngine()
            script = try TransformScript(id: Workload.scriptID, source: Workload.chunk)
        } catch {
            fatalError("Keyward refused the benchmark script: \(error)")
        }
        input = GuardedString(Workload.input)
        context = ScriptContext(system: "hr", attribute: "__PASSWORD__", operation: .change, uid: "jdoe")
    }

    /// Runs one call and returns its result's plaintext, to check it.
    func runOnce() -> String? {
        do {
            return try engine.transform(script, input: input, context: context)?.withPlaintext { $0 }
        } catch {
            fatalError("Keyward call failed: \(String(reflecting: error))")
        }
    }

    /// Runs `iterations` calls on the calling thread.
    func run(_ iterations: Int) {
        var bytes = 0
        do {
            for _ in 0..<iterations {
                bytes &+= try engine.transform(script, input: input, context: context)?.count ?? 0
            }
        } catch {
            fatalError("Keyward call failed: \(String(reflecting: error))")
        }
        precondition(bytes == iterations * Workload.expected.utf8.count, "unexpected result length")
    }
}
