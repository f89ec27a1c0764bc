import Foundation
import KeywardConnectors
import KeywardCore
import KeywardStore
import Logging

extension Executor {
    /// Runs one claimed operation and records the outcome.
    func attempt(_ claimed: ClaimedOperation) async throws {
        try await record(await perform(claimed))
    }

    /// An attempt whose connector call has ended, its outcome not yet recorded.
    struct Performed: Sendable {
        let operation: QueuedOperation
        let outcome: AttemptOutcome
        let elapsed: Duration
    }

    /// Calls the operation's connector; never throws: every failure is an outcome.
    func perform(_ claimed: ClaimedOperation) async -> Performed {
        let operation = claimed.operation
        let started = ContinuousClock.now
        let outcome: AttemptOutcome
        if let system = systems[operation.system] {
            do throws(ConnectorError) {
                let note = try await perform(claimed, on: system)
                outcome = .executed(OperationResult(code: "ok", message: note))
            } catch {
                outcome = decide(error, for: operation, retry: system.definition.retry)
            }
        } else {
            outcome = .blocked(OperationResult(
                code: "unknown-system",
                message: "system '\(operation.system)' is no longer configured; cancel the operation or restore its connector file"))
        }
        return Performed(operation: operation, outcome: outcome, elapsed: ContinuousClock.now - started)
    }

    /// Records how an attempt ended (retrying through a store outage), then
    /// tells the observer and logs it.
    func record(_ performed: Performed) async throws {
        let (operation, outcome, elapsed) = (performed.operation, performed.outcome, performed.elapsed)
        let (state, result) = Self.describe(outcome)
        let audit = AuditEntry(
            at: now(), actor: "engine", action: operation.action.rawValue, username: operation.username,
            system: operation.system, uid: operation.uid, operationID: operation.id, outcome: state,
            message: result.message)
        let account = Self.accountUpdate(after: outcome, of: operation)
        var retrying = false
        do {
            try await StoreOutage.persist(logger: logger, worker: "executor") {
                let isRetry = retrying
                retrying = true
                do {
                    try await store.finish(operationID: operation.id, outcome: outcome, account: account, audit: audit)
                } catch let error as StoreError where error.kind == .invalidState && isRetry {
                    // The try an outage cut short had committed: recorded once.
                }
            }
        } catch let error as StoreError where error.kind == .invalidState {
            // Cancelled while it ran, or its claim lapsed and another worker
            // took it over: the store keeps the other's outcome, not this one.
            logger.warning("operation \(operation.id): this attempt's outcome (\(state)) was not recorded: \(error.message)")
            return
        }
        observer?(
            OperationAttemptReport(
                system: operation.system, action: operation.action.rawValue, outcome: state, code: result.code,
                duration: elapsed))
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

    /// How the outcome changes the account record: a success records what
    /// it did; a create that ended without one marks the record failed.
    static func accountUpdate(after outcome: AttemptOutcome, of operation: QueuedOperation) -> AccountUpdate? {
        switch outcome {
        case .executed:
            switch operation.action {
            case .create:
                return AccountUpdate(state: .active, locked: false, mustChange: operation.mustChange, createIfMissing: true)
            case .update:
                let setsPassword = operation.attributes.contains(where: \.isPassword)
                return AccountUpdate(mustChange: setsPassword ? operation.mustChange : nil, createIfMissing: true)
            case .change:
                return AccountUpdate(mustChange: false, createIfMissing: true)
            case .unlock:
                return AccountUpdate(locked: false, createIfMissing: true)
            }
        case .failed, .blocked:
            return operation.action == .create ? AccountUpdate(state: .failed, createIfMissing: false) : nil
        case .retry:
            return nil
        }
    }
}
