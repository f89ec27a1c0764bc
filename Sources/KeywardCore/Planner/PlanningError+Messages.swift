/// The planner's errors, each with a message that says what to do. Every
/// message is built from names and codes only.
extension PlanningError {
    static func noSystems() -> PlanningError {
        PlanningError(code: .noSystems, message: "the request reaches no target system; name at least one")
    }

    static func duplicateSystem(_ system: String) -> PlanningError {
        PlanningError(
            code: .duplicateSystem, system: system,
            message: "system '\(system)' appears more than once in the request; name each system once")
    }

    static func unknownConnectorType(system: String, type: String) -> PlanningError {
        PlanningError(
            code: .unknownConnectorType, system: system,
            message: "system '\(system)' has connector type '\(type)', which is not registered; "
                + "use one of the registered types or register the plugin")
    }

    static func systemDisabled(_ system: String) -> PlanningError {
        PlanningError(
            code: .systemDisabled, system: system,
            message: "system '\(system)' is disabled (enabled: false in its connector file); "
                + "enable it or leave it out of the request")
    }

    static func unsupportedOperation(system: String, type: ConnectorType, kind: PlanRequest.Kind) -> PlanningError {
        let supported = PasswordOperation.allCases.filter(type.operations.contains).map(\.rawValue)
        let what =
            kind == .create
            ? "account creation (it sets a first password, which needs initialize)" : "password \(kind.rawValue)"
        return PlanningError(
            code: .unsupportedOperation, system: system,
            message: "system '\(system)' (type \(type.name)) does not support \(what); type \(type.name) supports "
                + (supported.isEmpty ? "no password operation" : supported.joined(separator: ", ")))
    }

    static func unknownPolicy(_ policy: String, system: String?) -> PlanningError {
        let owner = system.map { "system '\($0)' names" } ?? "the defaults in keyward.yaml name"
        return PlanningError(
            code: .unknownPolicy, system: system, policy: policy,
            message: "\(owner) password policy '\(policy)', which is not defined; "
                + "define it under policies: in keyward.yaml or fix the name")
    }

    static func unflaggedPassword(system: String, location: SourceLocation) -> PlanningError {
        PlanningError(
            code: .unflaggedPassword, system: system, attribute: AttributeSchema.passwordName,
            message: "\(location): system '\(system)' maps \(AttributeSchema.passwordName) without password: true, "
                + "so its password would not be sent; run `keyward config migrate` or add password: true")
    }

    static func noPasswordAttribute(system: String, kind: PlanRequest.Kind) -> PlanningError {
        PlanningError(
            code: .noPasswordAttribute, system: system,
            message: "system '\(system)' maps no password attribute, so a password \(kind.rawValue) has nothing to "
                + "send; map \(AttributeSchema.passwordName) with password: true")
    }

    static func noUID(system: String, uidAttribute: AttributeMapping?, username: String) -> PlanningError {
        let reason =
            if let uidAttribute {
                "its uid attribute '\(uidAttribute.name)' has no value for user '\(username)'"
            } else { "its mapping has no attribute with uid: true" }
        return PlanningError(
            code: .noUID, system: system,
            message: "the account's uid on system '\(system)' is unknown: \(reason), and the request gave none")
    }

    static func generationFailed(policy: String, cause: PolicyError) -> PlanningError {
        PlanningError(code: .generationFailed, policy: policy, message: cause.description, cause: cause)
    }

    static func policyViolation(_ violations: [SystemViolations]) -> PlanningError {
        PlanningError(
            code: .policyViolation, violations: violations,
            message: "the password does not meet the password policies; nothing was planned for any system:\n"
                + violations.map { "  \($0)" }.joined(separator: "\n"))
    }

    static func scriptFailed(system: String, attribute: String, failure: TransformationFailure) -> PlanningError {
        PlanningError(
            code: .scriptFailed, system: system, attribute: attribute, scriptID: failure.scriptID,
            scriptFailure: failure.code,
            message: "system '\(system)': the script \(failure.scriptID) for attribute \(attribute) failed "
                + "(\(failure.code)); nothing is provisioned to '\(system)'. "
                + "Run `keyward dry-run \(failure.scriptID)` to see the script's own error")
    }
}
