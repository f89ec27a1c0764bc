/// The planner refused a request, or could not plan one system.
///
/// Its `description`, `debugDescription` and mirror are built from names,
/// fixed codes and the policies' own violation messages: never the password,
/// a transformed value, or a script's error message.
public struct PlanningError: Error, Sendable {
    /// A stable error code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case noSystems, duplicateSystem, unknownConnectorType, systemDisabled, unsupportedOperation
            case unknownPolicy, unflaggedPassword, noPasswordAttribute, noUID
            case generationFailed, policyViolation, scriptFailed
        }
        private let base: Base

        /// The request names no target system.
        public static let noSystems = Code(base: .noSystems)
        /// The request names a system twice.
        public static let duplicateSystem = Code(base: .duplicateSystem)
        /// A system's connector type is not registered.
        public static let unknownConnectorType = Code(base: .unknownConnectorType)
        /// A system is disabled (`enabled: false`).
        public static let systemDisabled = Code(base: .systemDisabled)
        /// A system's type does not support the request's operation.
        public static let unsupportedOperation = Code(base: .unsupportedOperation)
        /// A system, or the defaults, name a policy that is not defined.
        public static let unknownPolicy = Code(base: .unknownPolicy)
        /// A system maps `__PASSWORD__` without `password: true` (a configuration
        /// from before the flag; `keyward config migrate` sets it).
        public static let unflaggedPassword = Code(base: .unflaggedPassword)
        /// A password change reaches a system that maps no password attribute.
        public static let noPasswordAttribute = Code(base: .noPasswordAttribute)
        /// The account's uid on a system is not known.
        public static let noUID = Code(base: .noUID)
        /// The generate policy could not make a password.
        public static let generationFailed = Code(base: .generationFailed)
        /// The password does not meet the validate policies (see ``PlanningError/violations``).
        public static let policyViolation = Code(base: .policyViolation)
        /// A transformation script failed for one system.
        public static let scriptFailed = Code(base: .scriptFailed)

        /// The code's stable name.
        public var description: String { base.rawValue }

        private init(base: Base) { self.base = base }
    }

    /// What went wrong.
    public let code: Code
    /// The system concerned, when one is.
    public let system: String?
    /// The attribute whose script failed (`scriptFailed`).
    public let attribute: String?
    /// The script that failed (`scriptFailed`).
    public let scriptID: String?
    /// How the script failed (`scriptFailed`).
    public let scriptFailure: TransformationFailure.Code?
    /// The policy concerned (`unknownPolicy`, `generationFailed`).
    public let policy: String?
    /// Every violated rule, per system (`policyViolation`).
    public let violations: [SystemViolations]
    /// What happened and what to do, in one or a few lines.
    public let message: String
    /// The underlying error (the generator's), when there is one.
    public let cause: (any Error)?

    package init(
        code: Code,
        system: String? = nil,
        attribute: String? = nil,
        scriptID: String? = nil,
        scriptFailure: TransformationFailure.Code? = nil,
        policy: String? = nil,
        violations: [SystemViolations] = [],
        message: String,
        cause: (any Error)? = nil
    ) {
        self.code = code
        self.system = system
        self.attribute = attribute
        self.scriptID = scriptID
        self.scriptFailure = scriptFailure
        self.policy = policy
        self.violations = violations
        self.message = message
        self.cause = cause
    }
}

/// The validate-policy violations of a password for one system: those of the
/// system's own validate policies and of the default validate policies.
public struct SystemViolations: Sendable {
    /// The system's name.
    public var system: String
    /// Every violated rule, in policy order.
    public var violations: [PolicyViolation]

    /// Creates an entry.
    public init(system: String, violations: [PolicyViolation]) {
        self.system = system
        self.violations = violations
    }
}

extension PlanningError: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The ``message``.
    public var description: String { message }
    /// `[code] message`, the same facts as `description`.
    public var debugDescription: String { "[\(code)] \(message)" }
    /// Names and codes only.
    public var customMirror: Mirror {
        var children: [(label: String?, value: Any)] = [("code", code.description)]
        if let system { children.append(("system", system)) }
        if let attribute { children.append(("attribute", attribute)) }
        if let scriptID { children.append(("scriptID", scriptID)) }
        if let scriptFailure { children.append(("scriptFailure", scriptFailure.description)) }
        if let policy { children.append(("policy", policy)) }
        if !violations.isEmpty { children.append(("violations", violations.map(\.description))) }
        children.append(("message", message))
        return Mirror(self, children: children, displayStyle: .struct)
    }
}

extension SystemViolations: CustomStringConvertible {
    /// `system: policy NAME (RULE): MESSAGE; …`.
    public var description: String {
        "\(system): " + violations.map(\.description).joined(separator: "; ")
    }
}
