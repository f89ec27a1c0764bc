import Foundation
import KeywardConnectors
import KeywardCore
import KeywardStore

extension ProvisioningService {
    /// The identity and its accounts by system, or `unknownUser`.
    func person(_ username: String) async throws(ServiceError) -> (Identity, [String: AccountRecord]) {
        let found: (Identity, [AccountRecord])?
        do {
            found = try await store.identityAndAccounts(username: username)
        } catch {
            throw ServiceError.store(error)
        }
        guard let (identity, accounts) = found else {
            throw ServiceError(
                .unknownUser, "no person with username '\(username)'; import people with `keyward identity import FILE`")
        }
        return (identity, Dictionary(accounts.map { ($0.system, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    /// The named systems, each checked to exist, be enabled and support `operation`.
    func targets(_ names: [String], supporting operation: PasswordOperation, username: String) throws(ServiceError) -> [TargetSystem] {
        guard !names.isEmpty else { throw ServiceError(.unknownSystem, "name at least one system (--system NAME)") }
        var seen: Set<String> = []
        var targets: [TargetSystem] = []
        for name in names where seen.insert(name).inserted {
            guard let target = systems[name] else {
                let known = systems.keys.sorted().joined(separator: ", ")
                let hint = EditDistance.closest(to: name, among: systems.keys.sorted()).map { "did you mean '\($0)'? " } ?? ""
                throw ServiceError(
                    .unknownSystem, "no system named '\(name)'; \(hint)the configured systems are: \(known.isEmpty ? "none" : known)")
            }
            guard target.definition.enabled else {
                throw ServiceError(.unknownSystem, "system '\(name)' is disabled (enabled: false in \(target.definition.location.file))")
            }
            guard target.operations.contains(operation) else {
                throw ServiceError(
                    .unsupported,
                    "system '\(name)' (type \(target.definition.type)) does not support \(operation.rawValue); "
                        + "it supports: \(target.operationList). Nothing was queued.")
            }
            targets.append(target)
        }
        return targets
    }

    /// The uid of the person's account on each target; `account` when one has none.
    func existingUIDs(
        _ username: String, accounts: [String: AccountRecord], on targets: [TargetSystem]
    ) throws(ServiceError) -> [String: String] {
        var uids: [String: String] = [:]
        for target in targets {
            guard let account = accounts[target.name], account.state != .failed else {
                throw ServiceError(
                    .account,
                    "\(username) has no account on \(target.name); create it first "
                        + "(keyward account create --user \(username) --system \(target.name))")
            }
            uids[target.name] = account.uid
        }
        return uids
    }

    /// Plans `request`; any failure (a policy, a script on any system) refuses
    /// the whole request, and the refusal goes to the audit log.
    func plan(_ request: PlanRequest) async throws(ServiceError) -> ProvisioningPlan {
        let plan: ProvisioningPlan
        do throws(PlanningError) {
            plan = try planner.plan(request)
        } catch {
            await auditRefusal(request, message: error.description)
            throw ServiceError(.planning, error.description, planningError: error)
        }
        if let failure = plan.failures.first {
            await auditRefusal(request, message: failure.description)
            throw ServiceError(.planning, "\(failure.description); nothing was queued for any system", planningError: failure)
        }
        return plan
    }

    private func auditRefusal(_ request: PlanRequest, message: String) async {
        let entries = request.systems.map {
            AuditEntry(
                actor: actor, action: request.kind.rawValue, username: request.identity.username, system: $0.name,
                uid: request.uids[$0.name], outcome: "refused", message: message)
        }
        try? await store.appendAudit(entries)
    }

    /// The current password as the system stores it: through the
    /// `__PASSWORD__` script, as the new one is, so the system can compare.
    func transformCurrent(
        _ current: GuardedString, for target: TargetSystem, identity: Identity, uid: String
    ) throws(ServiceError) -> GuardedString {
        guard let mapping = target.definition.attributes.first(where: { $0.name == AttributeSchema.passwordName }),
            let script = mapping.transform
        else { return current }
        let account = AccountAttributes(system: target.definition, identity: identity, knownUID: uid)
        let context = TransformationContext(
            system: target.name, attribute: mapping.name, operation: .change, uid: uid, attributes: account.known)
        let transformed: GuardedString?
        do throws(TransformationFailure) {
            transformed = try planner.transformer.transform(script: script, password: current, context: context)
        } catch {
            throw ServiceError(.planning, "\(error) (transforming the current password for \(target.name)); nothing was queued")
        }
        guard let transformed else {
            throw ServiceError(.planning, "script \(script) returned nil for the current password on \(target.name)")
        }
        return transformed
    }

    /// A planned operation as a queue row: plain values in the clear,
    /// secrets named and handed to confidential storage.
    func queued(_ planned: PlannedOperation, on target: TargetSystem, username: String, action: OperationAction) -> NewOperation {
        var attributes: [QueuedAttribute] = []
        var secrets: [String: GuardedString] = [:]
        for attribute in planned.attributes {
            switch attribute.value {
            case .plain(let text):
                attributes.append(QueuedAttribute(name: attribute.name, value: text, isSecret: false, isPassword: attribute.isPassword))
            case .secret(let secret):
                attributes.append(QueuedAttribute(name: attribute.name, value: nil, isSecret: true, isPassword: attribute.isPassword))
                secrets[attribute.name] = secret
            case nil:
                attributes.append(QueuedAttribute(name: attribute.name, value: nil, isSecret: false, isPassword: attribute.isPassword))
            }
        }
        return NewOperation(
            system: target.name, username: username, uid: planned.uid, action: action, attributes: attributes,
            secrets: secrets, maxAttempts: target.definition.retry.maxAttempts)
    }

    /// Stores the operations with one `requested` audit entry per system.
    func enqueue(
        _ operations: [NewOperation], accounts: [AccountRecord], plan: ProvisioningPlan?, action: String,
        username: String, targets: [TargetSystem], consumingToken: Data? = nil
    ) async throws(ServiceError) -> Receipt {
        let requestID = UUID().uuidString.lowercased()
        let audit = targets.map { target in
            let count = operations.filter { $0.system == target.name }.count
            let uid = operations.first { $0.system == target.name }?.uid
            return AuditEntry(
                actor: actor, action: action, username: username, system: target.name, uid: uid,
                outcome: "requested", message: "\(count) operation(s) queued, request \(requestID)")
        }
        let ids: [Int64]
        do {
            ids = try await store.enqueue(
                requestID: requestID, requestedBy: actor, operations: operations, accounts: accounts, audit: audit,
                consumingToken: consumingToken)
        } catch {
            throw ServiceError.store(error)
        }
        bell?.ring()
        let generated = plan?.generatePolicy == nil ? nil : plan?.password
        return Receipt(requestID: requestID, operationIDs: ids, generatedPassword: generated, systems: targets.map(\.name))
    }
}
