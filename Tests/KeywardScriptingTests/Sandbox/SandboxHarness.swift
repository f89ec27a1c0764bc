import Foundation
import KeywardCore
import KeywardTestSupport
@testable import KeywardScripting

/// One engine for the suite, and shorthands to run unchecked scripts on the canary.
enum Sandbox {
    static let engine: ScriptEngine = {
        do { return try ScriptEngine() } catch { fatalError("no engine: \(error)") }
    }()

    /// Runs `source` without the checker (the sandbox must hold on its own).
    static func run(
        _ source: String,
        input: String? = Canary.password,
        context: ScriptContext = .init(system: "hr", attribute: "__PASSWORD__", operation: .create, uid: "alice"),
        limits: ScriptLimits = .init(),
        mode: ScriptRunMode = .production
    ) -> ScriptEvaluation {
        let script = TransformScript(unchecked: "test.lua", source: source, limits: limits)
        return engine.evaluate(script, input: input.map(GuardedString.init), context: context, mode: mode)
    }

    /// The error code of a failed run, or nil when it succeeded.
    static func code(_ evaluation: ScriptEvaluation) -> ScriptError.Code? {
        if case .failure(let error) = evaluation.outcome { return error.code }
        return nil
    }

    /// The result's plaintext (tests only), "nil" for nil, or nil on failure.
    static func plaintext(_ evaluation: ScriptEvaluation) -> String? {
        guard case .success(let value) = evaluation.outcome else { return nil }
        return value?.withPlaintext { $0 } ?? "nil"
    }

    /// Every text an error can show: description, reflection, dump, mirror.
    static func renderings(of evaluation: ScriptEvaluation) -> [String] {
        guard case .failure(let error) = evaluation.outcome else { return [] }
        var dumped = ""
        dump(error, to: &dumped)
        return [
            String(describing: error), String(reflecting: error), "\(error)", dumped,
            error.summary, error.localizedDescriptionIfAny,
        ]
    }
}

extension ScriptError {
    var localizedDescriptionIfAny: String { (self as any Error).localizedDescription }
}
