import Foundation
import KeywardConnectors
import KeywardCore
import KeywardStore
import Logging

extension Executor {
    /// Runs one claimed operation and records the outcome.
    func attempt(_ claimed: ClaimedOperation) async throws {
        let operation = claimed.operation
        let started = ContinuousClock.now
        let outcome: AttemptOutcome
        let account: AccountRecord?
        if let system = systems[operation.system] {
            do throws(ConnectorError) {
                let note = try await perform(claimed, on: system)
                outcome = .executed(OperationResult(code: "ok", message: note))
                account = try? await accountAfterSuccess(operation)
            } catch {
                outcome = decide(error, for: operation, retry: system.definition.retry)
                account = try? await accountAfterFailure(operation, outcome: outcome)
            }
        } else {
            outcome = .blocked(OperationResult(
                code: "unknown-system",
                message: "system '\(operation.system)' is no longer configured; cancel the operation or restore its connector file"))
            account = nil
        }
        let elapsed = ContinuousClock.now - started
        let (state, result) = Self.describe(outcome)
        try await store.finish(
            operationID: operation.id, outcome: outcome, account: account,
            audit: AuditEntry(
                at: now(), actor: "engine", action: operation.action.rawValue, username: operation.username,
                system: operation.system, uid: operation.uid, operationID: operation.id, outcome: state,
                message: result.message))
        let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
        logger.info(
            """
            operation \(operation.id) \(state): \(operation.action.rawValue) \(operation.uid) on \(operation.system), \
            attempt \(operation.attempts)/\(operation.maxAttempts), \(milliseconds) ms: \(result.code): \(result.message)
            """)
    }

    /// Calls the connector. Returns a note for the result.
    private func perform(_ claimed: ClaimedOperation, on system: TargetSystem) async throws(ConnectorError) -> String {
        let operation = claimed.operation
        let connector = system.connector
        let attributes = try Self.attributes(of: claimed)
        let options = PasswordOptions(mustChange: operation.mustChange)
        switch operation.action {
        case .create:
            do {
                try await connector.create(uid: operation.uid, attributes: attributes, options: options)
            } catch where error.kind == .alreadyExists && operation.wasInterrupted {
                // A crash after the system created it: the same account is there.
                let snapshot = try await connector.get(uid: operation.uid)
                guard Self.matches(snapshot, attributes) else { throw error }
                return "created (by the attempt a crash interrupted)"
            }
            return "created"
        case .update:
            try await connector.update(uid: operation.uid, attributes: attributes, options: options)
            if attributes.contains(where: \.isMainPassword) { return "password set" }
            let passwords = operation.attributes.filter(\.isPassword).map(\.name)
            return passwords.isEmpty ? "updated" : "password attributes set: \(passwords.joined(separator: ", "))"
        case .change:
            guard let current = claimed.secrets[currentPasswordSecretName] else {
                throw ConnectorError(.failed, "the current password is missing from confidential storage")
            }
            try await connector.changePassword(uid: operation.uid, current: current, attributes: attributes)
            return "password changed"
        case .unlock:
            try await connector.unlock(uid: operation.uid)
            return "unlocked"
        }
    }

    /// The operation's attributes with their secrets from confidential storage.
    private static func attributes(of claimed: ClaimedOperation) throws(ConnectorError) -> [ConnectorAttribute] {
        var attributes: [ConnectorAttribute] = []
        for attribute in claimed.operation.attributes {
            if attribute.isSecret {
                guard let secret = claimed.secrets[attribute.name] else {
                    throw ConnectorError(.failed, "the value of \(attribute.name) is missing from confidential storage")
                }
                attributes.append(ConnectorAttribute(name: attribute.name, value: .secret(secret)))
            } else {
                attributes.append(ConnectorAttribute(name: attribute.name, value: attribute.value.map { .plain($0) }))
            }
        }
        return attributes
    }

    /// Whether the account read back has the plain values the create sent.
    private static func matches(_ snapshot: AccountSnapshot, _ attributes: [ConnectorAttribute]) -> Bool {
        attributes.allSatisfy { attribute in
            guard case .plain(let value) = attribute.value else { return true }
            return snapshot.attributes[attribute.name] == value
        }
    }

    /// Retry, block or fail, by the error and the system's retry policy.
    func decide(_ error: ConnectorError, for operation: QueuedOperation, retry policy: RetryPolicy) -> AttemptOutcome {
        let result = OperationResult(code: error.kind.rawValue, message: error.message)
        guard error.isTransient else { return .failed(result) }
        guard operation.attempts < operation.maxAttempts else {
            return .blocked(OperationResult(
                code: "retries-exhausted",
                message: "gave up after \(operation.attempts) attempt(s); the last one: \(error.kind.rawValue): \(error.message)"))
        }
        let minimum = error.retryAfter.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? 0
        let delay = policy.delay(afterAttempt: operation.attempts, minimum: minimum)
        return .retry(at: now().addingTimeInterval(delay), result)
    }

    /// The state name and result an outcome records.
    static func describe(_ outcome: AttemptOutcome) -> (String, OperationResult) {
        switch outcome {
        case .executed(let result): ("executed", result)
        case .failed(let result): ("failed", result)
        case .retry(_, let result): ("retrying", result)
        case .blocked(let result): ("blocked", result)
        }
    }

    private func accountAfterSuccess(_ operation: QueuedOperation) async throws -> AccountRecord? {
        var account = try await store.account(username: operation.username, system: operation.system)
            ?? AccountRecord(username: operation.username, system: operation.system, uid: operation.uid, state: .active)
        account.updatedAt = now()
        switch operation.action {
        case .create:
            account.state = .active
            account.locked = false
            account.mustChange = operation.mustChange ?? account.mustChange
        case .update:
            if operation.attributes.contains(where: \.isPassword), let mustChange = operation.mustChange {
                account.mustChange = mustChange
            }
        case .change:
            account.mustChange = false
        case .unlock:
            account.locked = false
        }
        return account
    }

    private func accountAfterFailure(_ operation: QueuedOperation, outcome: AttemptOutcome) async throws -> AccountRecord? {
        guard operation.action == .create else { return nil }
        switch outcome {
        case .failed, .blocked:
            guard var account = try await store.account(username: operation.username, system: operation.system) else { return nil }
            account.state = .failed
            account.updatedAt = now()
            return account
        case .executed, .retry:
            return nil
        }
    }
}
