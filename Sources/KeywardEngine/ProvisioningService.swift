import Foundation
public import KeywardCore
public import KeywardStore
import KeywardConnectors

/// The password operations people ask for — create accounts, change, reset,
/// unlock — turned into queued provisioning operations.
///
/// Every request is checked before anything is queued: the person exists,
/// every system exists and supports the operation (the capability matrix),
/// the accounts exist (or, for create, do not), and the planner accepts it
/// (policies, scripts). A script failure anywhere refuses the whole request
/// and nothing reaches the queue (the seed's rule). Then the operations,
/// their secrets (encrypted by the store), the account records and the audit
/// entries are stored in one transaction. The ``Executor`` runs them.
public struct ProvisioningService: Sendable {
    /// The store.
    public let store: any Store
    /// The configured systems, by name.
    public let systems: [String: TargetSystem]
    /// The planner (policies and transformation scripts).
    public let planner: ProvisioningPlanner
    /// Who asks, for the audit log (`cli:alice`, `api:ci-bot`, `self:ada`).
    public var actor: String
    /// Rung once a request's operations are queued: the executor in the
    /// same process (its ``Executor/bell``) then claims them at once.
    public var bell: QueueBell?

    /// Creates a service.
    public init(store: any Store, systems: [TargetSystem], planner: ProvisioningPlanner, actor: String) {
        self.store = store
        self.systems = Dictionary(systems.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.planner = planner
        self.actor = actor
    }

    /// What a queued request left behind.
    public struct Receipt: Sendable {
        /// The request's id.
        public var requestID: String
        /// The queued operations' ids, in order.
        public var operationIDs: [Int64]
        /// The generated password, when one was generated (only to show it to
        /// the person who asked, on request); nil when it was chosen.
        public var generatedPassword: GuardedString?
        /// The systems reached, in order.
        public var systems: [String]
    }

    // MARK: Requests

    /// Creates the person's accounts on `systemNames`, with a first password
    /// (generated unless one is given).
    public func createAccounts(
        username: String, systems systemNames: [String], password: PlanRequest.Password = .generate
    ) async throws(ServiceError) -> Receipt {
        try await createAccounts(username: username, systems: systemNames, password: password, consumingToken: nil)
    }

    /// A create that also uses up a set-password link (two-way initialization), in one transaction.
    func createAccounts(
        username: String, systems systemNames: [String], password: PlanRequest.Password, consumingToken: Data?
    ) async throws(ServiceError) -> Receipt {
        let (identity, accounts) = try await person(username)
        let targets = try targets(systemNames, supporting: .initialize, username: username)
        for target in targets {
            if let existing = accounts[target.name], existing.state != .failed {
                throw ServiceError(
                    .account, "\(username) already has an account on \(target.name) (uid \(existing.uid), \(existing.state.rawValue))")
            }
        }
        let plan = try await plan(PlanRequest(kind: .create, identity: identity, systems: targets.map(\.definition), password: password))
        let now = Date()
        var pending: [AccountRecord] = []
        var operations: [NewOperation] = []
        for target in targets {
            let planned = plan[system: target.name]?.operations ?? []
            operations += planned.map { queued($0, on: target, username: username, action: .create) }
            if let uid = planned.first?.uid {
                pending.append(AccountRecord(username: username, system: target.name, uid: uid, state: .pending, updatedAt: now))
            }
        }
        return try await enqueue(
            operations, accounts: pending, plan: plan, action: "create", username: username, targets: targets,
            consumingToken: consumingToken)
    }

    /// The person changes their own password on `systemNames` (nil: every
    /// account they have on a system that supports change). `current` is
    /// verified by each system.
    public func changePassword(
        username: String, systems systemNames: [String]?, current: GuardedString, new: GuardedString
    ) async throws(ServiceError) -> Receipt {
        let (identity, accounts) = try await person(username)
        let names: [String]
        if let systemNames {
            names = systemNames
        } else {
            names = accounts.values.sorted { $0.system < $1.system }.filter { account in
                guard account.state != .failed, let system = systems[account.system] else { return false }
                return system.definition.enabled && system.operations.contains(.change)
            }.map(\.system)
            guard !names.isEmpty else {
                throw ServiceError(.account, "\(username) has no account on a system that supports change")
            }
        }
        let targets = try targets(names, supporting: .change, username: username)
        let uids = try existingUIDs(username, accounts: accounts, on: targets)
        let plan = try await plan(
            PlanRequest(kind: .change, identity: identity, systems: targets.map(\.definition), password: .chosen(new), uids: uids))
        var operations: [NewOperation] = []
        for target in targets {
            let planned = plan[system: target.name]?.operations ?? []
            let uid = uids[target.name] ?? ""
            let verified = try transformCurrent(current, for: target, identity: identity, uid: uid)
            for (index, step) in planned.enumerated() {
                var operation = queued(step, on: target, username: username, action: index == 0 ? .change : .update)
                if index == 0 { operation.secrets[currentPasswordSecretName] = verified }
                operations.append(operation)
            }
        }
        return try await enqueue(operations, accounts: [], plan: plan, action: "change", username: username, targets: targets)
    }

    /// The helpdesk resets the password on one system: the one given, or a
    /// generated one; `mustChange` asks the system to make the person change
    /// it at next login.
    public func resetPassword(
        username: String, system systemName: String, password: PlanRequest.Password = .generate, mustChange: Bool? = nil
    ) async throws(ServiceError) -> Receipt {
        try await resetPassword(
            username: username, system: systemName, password: password, mustChange: mustChange, consumingToken: nil)
    }

    /// A reset that also uses up a set-password link (two-way initialization), in one transaction.
    func resetPassword(
        username: String, system systemName: String, password: PlanRequest.Password, mustChange: Bool?,
        consumingToken: Data?
    ) async throws(ServiceError) -> Receipt {
        let (identity, accounts) = try await person(username)
        let targets = try targets([systemName], supporting: .reset, username: username)
        let uids = try existingUIDs(username, accounts: accounts, on: targets)
        let plan = try await plan(
            PlanRequest(kind: .reset, identity: identity, systems: targets.map(\.definition), password: password, uids: uids))
        var operations: [NewOperation] = []
        for target in targets {
            for step in plan[system: target.name]?.operations ?? [] {
                var operation = queued(step, on: target, username: username, action: .update)
                operation.mustChange = mustChange
                operations.append(operation)
            }
        }
        return try await enqueue(
            operations, accounts: [], plan: plan, action: "reset", username: username, targets: targets,
            consumingToken: consumingToken)
    }

    /// Unlocks the person's account on one system.
    public func unlock(username: String, system systemName: String) async throws(ServiceError) -> Receipt {
        let (_, accounts) = try await person(username)
        let targets = try targets([systemName], supporting: .unlock, username: username)
        let uids = try existingUIDs(username, accounts: accounts, on: targets)
        let operations = targets.map { target in
            NewOperation(
                system: target.name, username: username, uid: uids[target.name] ?? "", action: .unlock,
                maxAttempts: target.definition.retry.maxAttempts)
        }
        return try await enqueue(operations, accounts: [], plan: nil, action: "unlock", username: username, targets: targets)
    }
}
