public import KeywardCore
import Synchronization

/// The planner's ``PasswordTransformer`` on the Lua sandbox.
///
/// Each script path is read and checked once: the first call loads its text
/// with the injected loader, runs the security checker (``TransformScript``)
/// and keeps the result; later calls reuse it, from any thread. A script that
/// fails to load or is refused is not kept, so a fixed file is picked up on
/// the next call. Scripts run in production mode, so a failure carries only
/// the script's id and a fixed code: the Lua message, which can quote the
/// secret, is dropped here.
public final class ScriptTransformer: PasswordTransformer {
    /// Reads a script's text given its path; what the path is relative to,
    /// and whether it touches the disk, is the caller's decision.
    public typealias Loader = @Sendable (String) throws -> String

    private let engine: ScriptEngine
    private let loader: Loader
    private let limits: @Sendable (String) -> ScriptLimits
    private let scripts = Mutex<[String: TransformScript]>([:])

    /// Creates a transformer.
    ///
    /// - Parameters:
    ///   - engine: the sandbox to run in.
    ///   - limits: each script's limits, by path (whether it may `reveal()`).
    ///   - loader: reads a script's text by path.
    public init(
        engine: ScriptEngine,
        limits: @escaping @Sendable (String) -> ScriptLimits = { _ in ScriptLimits() },
        loader: @escaping Loader
    ) {
        self.engine = engine
        self.limits = limits
        self.loader = loader
    }

    /// Limits for the scripts `systems` map: `base`, with `allowReveal` on
    /// for a path only when every mapping that names it says `allowReveal`.
    public static func limits(
        for systems: [ConnectorDefinition],
        base: ScriptLimits = ScriptLimits()
    ) -> @Sendable (String) -> ScriptLimits {
        var reveal: [String: Bool] = [:]
        for mapping in systems.flatMap(\.attributes) {
            guard let path = mapping.transform else { continue }
            reveal[path] = (reveal[path] ?? true) && mapping.allowReveal
        }
        let allowed = Set(reveal.filter(\.value).keys)
        return { path in
            var limits = base
            limits.allowReveal = allowed.contains(path)
            return limits
        }
    }

    /// Runs the script at `script` on `password`.
    public func transform(
        script: String,
        password: GuardedString?,
        context: TransformationContext
    ) throws(TransformationFailure) -> GuardedString? {
        let compiled = try compiledScript(script)
        let scriptContext = ScriptContext(
            system: context.system,
            attribute: context.attribute,
            operation: ScriptContext.Operation(context.operation),
            uid: context.uid,
            attributes: context.attributes)
        do throws(ScriptError) {
            return try engine.transform(compiled, input: password, context: scriptContext)
        } catch {
            throw TransformationFailure(scriptID: script, code: TransformationFailure.Code(error.code))
        }
    }

    /// The checked script for `path`, loaded and checked on first use.
    private func compiledScript(_ path: String) throws(TransformationFailure) -> TransformScript {
        // Holding the lock while loading makes "once per path" exact; it is
        // taken for long only on a path's first use.
        let result: Result<TransformScript, TransformationFailure> = scripts.withLock { cache in
            if let cached = cache[path] { return .success(cached) }
            let source: String
            do {
                source = try loader(path)
            } catch {
                return .failure(TransformationFailure(scriptID: path, code: .unavailable))
            }
            do throws(ScriptError) {
                let compiled = try TransformScript(id: path, source: source, limits: limits(path))
                cache[path] = compiled
                return .success(compiled)
            } catch {
                return .failure(TransformationFailure(scriptID: path, code: TransformationFailure.Code(error.code)))
            }
        }
        return try result.get()
    }
}

extension ScriptContext.Operation {
    /// The script's `context.operation` for a request of this kind.
    init(_ kind: PlanRequest.Kind) {
        switch kind {
        case .create: self = .create
        case .change: self = .change
        case .reset: self = .reset
        case .initialize: self = .initialize
        }
    }
}

extension TransformationFailure.Code {
    /// The planner's code for a sandbox error code (they share their names).
    init(_ code: ScriptError.Code) {
        self = Self(name: code.description) ?? .internal
    }
}
