/// Turns a password request into provisioning operations per target system,
/// following the rules of the seeds (DESIGN.md, "Rules from the seeds").
///
/// Planning touches no system and stores nothing; the only code it runs is
/// the transformation scripts, through a ``PasswordTransformer``. It goes in
/// three steps:
///
/// 1. **Checks, before anything runs.** Every system's type must be known
///    and support the request (`create` needs `initialize`; `change` on
///    `entra` or `servicenow` is refused), the system must be enabled, every
///    policy it names must be defined, the account's uid must be known, and a
///    password change needs a password attribute. The first problem is thrown.
/// 2. **One password.** The chosen one, or one generated once with the
///    generate policy of the first reached system that names one, else the
///    default generate policy, paired with the validate policies of every
///    reached system and the defaults so the one password suits them all. No
///    generate policy at all: the password is nil and every script receives
///    nil. A password (chosen or generated) is then checked against the
///    validate policies of every reached system and the default ones; any
///    violation throws one error listing them per system, and nothing is
///    planned for any system. "Reached" means a system that maps a password
///    attribute: one without any never receives the password.
/// 3. **Per system**, every password attribute's script transforms that same
///    password (a password attribute without a script sends the password
///    itself); then the operations are built:
///    - `create`: one `create` operation with every mapped attribute,
///      password attributes included.
///    - `change`, `reset`, `initialize` act on an existing account and are
///      password changes in the seed's sense: an `update` with the uid and
///      `__PASSWORD__` alone, then an `update` with the other password
///      attributes; with `sendPasswordAttributesTogether`, or when there is
///      nothing to split, one `update` with all password attributes.
///
///    A script failure stops that system's plan: it gets the error (script id
///    and a fixed code, never the secret or the script's message) and no
///    operation, so nothing for it can reach the queue. The other systems'
///    plans stand, because their accounts are independent and their scripts
///    succeeded; a caller that wants all-or-nothing checks
///    ``ProvisioningPlan/isComplete`` before queueing anything.
public struct ProvisioningPlanner: Sendable {
    /// The policies, defaults and lists to use.
    public let catalog: PolicyCatalog
    /// Runs the transformation scripts.
    public let transformer: any PasswordTransformer
    /// The known connector types and the operations each supports.
    public let connectorTypes: [ConnectorType]

    /// Creates a planner.
    public init(
        catalog: PolicyCatalog,
        transformer: any PasswordTransformer,
        connectorTypes: [ConnectorType] = ConnectorType.builtIn
    ) {
        self.catalog = catalog
        self.transformer = transformer
        self.connectorTypes = connectorTypes
    }

    /// Plans `request`.
    ///
    /// - Returns: per system, in the request's order, its operations or its
    ///   script failure.
    /// - Throws: ``PlanningError`` when the request cannot be planned at all:
    ///   a failed check, a generation failure, or policy violations.
    public func plan(_ request: PlanRequest) throws(PlanningError) -> ProvisioningPlan {
        let accounts = try check(request)
        let (password, generatePolicy) = try choosePassword(for: request)
        let systems = zip(request.systems, accounts).map { system, account in
            plan(system, account: account, kind: request.kind, password: password)
        }
        return ProvisioningPlan(
            kind: request.kind, password: password, generatePolicy: generatePolicy, systems: systems)
    }

    /// Transforms every password attribute of `system`, then builds its operations.
    private func plan(
        _ system: ConnectorDefinition,
        account: AccountAttributes,
        kind: PlanRequest.Kind,
        password: GuardedString?
    ) -> SystemPlan {
        // The checks made sure of the uid.
        let uid = account.uid ?? ""
        var values: [String: PlannedAttribute] = [:]
        for mapping in system.passwordAttributes {
            guard let script = mapping.transform else {
                values[mapping.name] = PlannedAttribute(
                    name: mapping.name, value: password.map { .secret($0) }, isPassword: true)
                continue
            }
            let context = TransformationContext(
                system: system.name, attribute: mapping.name, operation: kind, uid: uid,
                attributes: account.known)
            do throws(TransformationFailure) {
                let value = try transformer.transform(script: script, password: password, context: context)
                values[mapping.name] = PlannedAttribute(
                    name: mapping.name, value: value.map { .secret($0) }, isPassword: true, transformedBy: script)
            } catch {
                return SystemPlan(
                    system: system.name,
                    outcome: .failed(.scriptFailed(system: system.name, attribute: mapping.name, failure: error)))
            }
        }
        let operations =
            kind == .create
            ? [creation(system, uid: uid, account: account, passwords: values)]
            : passwordChange(system, uid: uid, passwords: values)
        return SystemPlan(system: system.name, outcome: .planned(operations))
    }

    /// One `create` with every mapped attribute, in mapping order.
    private func creation(
        _ system: ConnectorDefinition,
        uid: String,
        account: AccountAttributes,
        passwords: [String: PlannedAttribute]
    ) -> PlannedOperation {
        let attributes = system.attributes.map { mapping in
            passwords[mapping.name]
                ?? PlannedAttribute(
                    name: mapping.name, value: (account.values[mapping.name] ?? nil).map { .plain($0) },
                    isPassword: false)
        }
        return PlannedOperation(kind: .create, uid: uid, attributes: attributes)
    }

    /// `__PASSWORD__` with the uid alone, then the other password attributes;
    /// or all of them in one update.
    private func passwordChange(
        _ system: ConnectorDefinition,
        uid: String,
        passwords: [String: PlannedAttribute]
    ) -> [PlannedOperation] {
        let mappings = system.attributes.filter(\.isPassword)
        let main = mappings.filter { $0.name == AttributeSchema.passwordName }.compactMap { passwords[$0.name] }
        let others = mappings.filter { $0.name != AttributeSchema.passwordName }.compactMap { passwords[$0.name] }
        if system.sendPasswordAttributesTogether || main.isEmpty || others.isEmpty {
            return [PlannedOperation(kind: .update, uid: uid, attributes: main + others)]
        }
        return [
            PlannedOperation(kind: .update, uid: uid, attributes: main),
            PlannedOperation(kind: .update, uid: uid, attributes: others),
        ]
    }
}
