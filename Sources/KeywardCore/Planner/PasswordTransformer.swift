/// Runs a password attribute's transformation script for the planner.
///
/// KeywardCore declares this so it never links Lua; KeywardScripting's
/// `ScriptTransformer` implements it on the sandbox, and tests use fakes.
/// An implementation must be safe to call from any thread, must not log the
/// password, and reports failures only as a ``TransformationFailure``, whose
/// vocabulary is fixed so no secret or script message can ride along.
public protocol PasswordTransformer: Sendable {
    /// Transforms `password` with the script at `script` (its configured path).
    ///
    /// - Parameters:
    ///   - script: the script's id: the `transform` path of the mapping.
    ///   - password: the request's password, or nil when none was generated.
    ///   - context: the non-secret facts the script sees as `context`.
    /// - Returns: the value to provision, or nil when the script returned nil.
    /// - Throws: ``TransformationFailure`` naming the script and a fixed code.
    func transform(
        script: String,
        password: GuardedString?,
        context: TransformationContext
    ) throws(TransformationFailure) -> GuardedString?
}

/// The non-secret facts a transformation script sees.
public struct TransformationContext: Sendable, Equatable {
    /// The target system's name.
    public var system: String
    /// The password attribute being transformed, e.g. `__PASSWORD__`.
    public var attribute: String
    /// The request's kind, which the script sees as `context.operation`.
    public var operation: PlanRequest.Kind
    /// The account's uid on the system.
    public var uid: String
    /// The account's non-password attribute values that are known.
    public var attributes: [String: String]

    /// Creates a context.
    public init(
        system: String,
        attribute: String,
        operation: PlanRequest.Kind,
        uid: String,
        attributes: [String: String] = [:]
    ) {
        self.system = system
        self.attribute = attribute
        self.operation = operation
        self.uid = uid
        self.attributes = attributes
    }
}

/// A transformation script failed, or could not be made ready to run.
///
/// It holds the script's id and a code from a fixed list, nothing else: never
/// the password, a transformed value, or the script's own error message
/// (which can quote the secret).
public struct TransformationFailure: Error, Sendable, Hashable {
    /// A stable failure code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, CaseIterable {
            case unavailable, compile, forbidden, runtime, budget, memory, badReturn, `internal`
        }
        private let base: Base

        /// The script could not be read.
        public static let unavailable = Code(base: .unavailable)
        /// The script does not compile.
        public static let compile = Code(base: .compile)
        /// The security checker refused the script, or it did something forbidden.
        public static let forbidden = Code(base: .forbidden)
        /// The script raised an error while running.
        public static let runtime = Code(base: .runtime)
        /// The script ran out of its instruction or time budget.
        public static let budget = Code(base: .budget)
        /// The script ran out of memory.
        public static let memory = Code(base: .memory)
        /// The script returned something other than a GuardedString or nil.
        public static let badReturn = Code(base: .badReturn)
        /// Keyward itself failed to run the script.
        public static let `internal` = Code(base: .internal)

        /// The code's stable name (`runtime`, `budget`, …).
        public var description: String { base.rawValue }

        /// The code with this stable name, if it is one of the list.
        public init?(name: String) {
            guard let base = Base(rawValue: name) else { return nil }
            self.base = base
        }

        private init(base: Base) { self.base = base }
    }

    /// The script's id (its configured path).
    public var scriptID: String
    /// What went wrong.
    public var code: Code

    /// Creates a failure.
    public init(scriptID: String, code: Code) {
        self.scriptID = scriptID
        self.code = code
    }
}

extension TransformationFailure: CustomStringConvertible {
    /// `script PATH failed (code)`.
    public var description: String { "script \(scriptID) failed (\(code))" }
}
