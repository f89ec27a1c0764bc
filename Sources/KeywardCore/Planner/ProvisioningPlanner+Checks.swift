extension ProvisioningPlanner {
    /// Everything that must hold before any password is generated or any
    /// script runs, in this order: the request names systems, each once; every
    /// system's type is known, the system is enabled, and the type supports
    /// the request; every policy named anywhere is defined; `__PASSWORD__`
    /// carries the password flag; a password change
    /// reaches only systems with a password attribute; every account's uid is
    /// known.
    ///
    /// - Returns: each system's account attributes, in the request's order.
    func check(_ request: PlanRequest) throws(PlanningError) -> [AccountAttributes] {
        guard !request.systems.isEmpty else { throw .noSystems() }
        var seen: Set<String> = []
        for system in request.systems where !seen.insert(system.name).inserted {
            throw .duplicateSystem(system.name)
        }
        for system in request.systems {
            guard let type = connectorTypes.first(where: { $0.name == system.type }) else {
                throw .unknownConnectorType(system: system.name, type: system.type)
            }
            guard system.enabled else { throw .systemDisabled(system.name) }
            guard type.operations.contains(request.kind.requiredOperation) else {
                throw .unsupportedOperation(system: system.name, type: type, kind: request.kind)
            }
        }
        try checkPoliciesAreDefined(request.systems)
        return try request.systems.map { system throws(PlanningError) in
            if let unflagged = system.attributes.first(where: {
                $0.name == AttributeSchema.passwordName && !$0.isPassword
            }) {
                throw .unflaggedPassword(system: system.name, location: unflagged.location)
            }
            if request.kind != .create && system.passwordAttributes.isEmpty {
                throw .noPasswordAttribute(system: system.name, kind: request.kind)
            }
            let known = request.uids[system.name].flatMap { $0.isEmpty ? nil : $0 }
            let account = AccountAttributes(system: system, identity: request.identity, knownUID: known)
            guard let uid = account.uid, !uid.isEmpty else {
                throw .noUID(
                    system: system.name, uidAttribute: system.uidAttribute, username: request.identity.username)
            }
            return account
        }
    }

    /// Every policy the defaults and the systems name must be defined.
    private func checkPoliciesAreDefined(_ systems: [ConnectorDefinition]) throws(PlanningError) {
        for name in [catalog.defaultGenerate].compactMap(\.self) + catalog.defaultValidate
        where catalog.policies[name] == nil {
            throw .unknownPolicy(name, system: nil)
        }
        for system in systems {
            for name in [system.generatePolicy].compactMap(\.self) + system.validatePolicies
            where catalog.policies[name] == nil {
                throw .unknownPolicy(name, system: system.name)
            }
        }
    }
}
