extension ProvisioningPlanner {
    /// The request's one password, and the policy that generated it.
    ///
    /// Only systems that map a password attribute receive the password, so
    /// only they take part: when none does, there is no password. A generated
    /// password comes from the generate policy of the first such system that
    /// names one, else the default; other systems' generate policies are not
    /// consulted (one password serves the whole request), but every such
    /// system's validate policies and the defaults are paired with the
    /// generator and checked afterwards.
    func choosePassword(
        for request: PlanRequest
    ) throws(PlanningError) -> (password: GuardedString?, generatePolicy: String?) {
        let reached = request.systems.filter { !$0.passwordAttributes.isEmpty }
        guard !reached.isEmpty else { return (nil, nil) }
        let password: GuardedString
        var generatePolicy: String?
        switch request.password {
        case .chosen(let chosen):
            password = chosen
        case .generate:
            guard let name = reached.lazy.compactMap(\.generatePolicy).first ?? catalog.defaultGenerate,
                let policy = catalog.policies[name]
            else { return (nil, nil) }
            let paired = Self.unique(reached.flatMap(validatePolicyNames)).compactMap { catalog.policies[$0] }
            let generator = PasswordGenerator(
                policy: policy, words: catalog.words, commonPasswords: catalog.commonPasswords)
            do throws(PolicyError) {
                password = try generator.generate(for: request.identity, pairedWith: paired)
            } catch {
                throw .generationFailed(policy: name, cause: error)
            }
            generatePolicy = name
        }
        try validate(password, for: reached, identity: request.identity)
        return (password, generatePolicy)
    }

    /// Checks `password` against every validate policy of `systems` and the
    /// defaults, each policy once, and throws every violation per system.
    private func validate(
        _ password: GuardedString,
        for systems: [ConnectorDefinition],
        identity: Identity
    ) throws(PlanningError) {
        var verdicts: [String: [PolicyViolation]] = [:]
        var failures: [SystemViolations] = []
        for system in systems {
            var violations: [PolicyViolation] = []
            for name in validatePolicyNames(system) {
                if verdicts[name] == nil, let policy = catalog.policies[name] {
                    verdicts[name] = PasswordValidator(policy: policy, commonPasswords: catalog.commonPasswords)
                        .violations(of: password, identity: identity)
                }
                violations += verdicts[name] ?? []
            }
            if !violations.isEmpty {
                failures.append(SystemViolations(system: system.name, violations: violations))
            }
        }
        if !failures.isEmpty { throw .policyViolation(failures) }
    }

    /// The system's validate policies, then the defaults it does not list.
    private func validatePolicyNames(_ system: ConnectorDefinition) -> [String] {
        Self.unique(system.validatePolicies + catalog.defaultValidate)
    }

    /// `names` without repeats, in first-seen order.
    private static func unique(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.filter { seen.insert($0).inserted }
    }
}
