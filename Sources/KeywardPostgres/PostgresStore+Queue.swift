public import Foundation
import KeywardCore
public import KeywardStore
import PostgresNIO
import Synchronization

extension PostgresStore {
    public func enqueue(
        requestID: String, requestedBy: String, operations: [NewOperation],
        accounts: [AccountRecord], audit: [AuditEntry], consumingToken: Data?
    ) async throws -> [Int64] {
        let now = Date().timeIntervalSince1970
        let rows = try operations.map { ($0, try StoredRows.attributesJSON($0.attributes)) }
        return try await transaction { connection in
            let key = self.keys.withLock { $0.current }
            if let consumingToken { try await Self.consumeSetPasswordToken(consumingToken, now: now, connection) }
            var ids: [Int64] = []
            for (operation, attributes) in rows {
                let inserted = try await connection.run("""
                    INSERT INTO operations (
                        request_id, requested_by, system, username, uid, action, attributes, must_change,
                        state, attempts, max_attempts, next_attempt_at, interrupted, created_at, updated_at)
                    VALUES (\(requestID), \(requestedBy), \(operation.system), \(operation.username), \(operation.uid),
                        \(operation.action.rawValue), \(attributes), \(operation.mustChange), 'created', 0,
                        \(operation.maxAttempts), \(now), FALSE, \(now), \(now))
                    RETURNING id
                    """)
                guard let id = try inserted.first?.decode(Int64.self) else {
                    throw StoreError(.database, "\(self.settings): an operation was not stored")
                }
                for (name, secret) in operation.secrets.sorted(by: { $0.key < $1.key }) {
                    let sealed = try SecretSealer.seal(secret, operationID: id, name: name, key: key)
                    try await Self.insert(sealed, operationID: id, name: name, connection)
                }
                ids.append(id)
                if operation.setsPassword {
                    try await Self.revokeSetPasswordTokens(
                        username: operation.username, system: operation.system, now: now, connection)
                }
            }
            for account in accounts { try await PostgresWrites.save(account, connection) }
            for entry in audit { try await PostgresWrites.append(entry, connection) }
            return ids
        }
    }

    /// Claims due operations (see the requirement) with `FOR UPDATE SKIP
    /// LOCKED`, so that workers claiming at once never take the same one.
    ///
    /// Each claimed operation is leased to this store until `now + lease`
    /// (renewed while the store runs). One whose lease ran out is made due
    /// again, marked interrupted, and claimed like the others. With
    /// `systemLimits`, claims take one advisory lock for the transaction, so
    /// that the counts of running operations they check are not raced by
    /// another worker's claim.
    public func claimDue(limit: Int, now: Date, systemLimits: [String: Int]) async throws -> [ClaimedOperation] {
        guard limit > 0 else { return [] }
        let time = now.timeIntervalSince1970
        let until = time + Double(settings.lease.components.seconds)
        let worker = self.worker
        return try await transaction { connection in
            let keyring = self.keys.withLock { $0 }
            if !systemLimits.isEmpty {
                try await connection.run("SELECT pg_advisory_xact_lock(\(Self.claimLockKey))")
            }
            // Lapsed claims become due again here, so that the walk below
            // only needs the operations that wait to start.
            try await Self.recoverLapsed(at: time, skippingLocked: true, connection)
            try await connection.run(PostgresQuery(unsafeSQL: Self.claimPlanSetting))
            var binds = PostgresBindings()
            binds.append(time)
            binds.append(limit)
            let candidates = try await connection.run(PostgresQuery(unsafeSQL: Self.claimCandidates, binds: binds))
            var room = try await Self.room(under: systemLimits, now: time, connection)
            var ids: [Int64] = []
            for candidate in candidates {
                let (id, system) = try candidate.decode((Int64, String).self)
                if let left = room[system] {
                    guard left > 0 else { continue }
                    room[system] = left - 1
                }
                ids.append(id)
            }
            guard !ids.isEmpty else { return [] }
            try await connection.run("""
                UPDATE operations SET state = 'running', attempts = attempts + 1, updated_at = \(time),
                    lease_until = \(until), claimed_by = \(worker)
                WHERE id = ANY(\(ids))
                """)
            let operations = try await connection.run(
                "SELECT \(unescaped: PostgresRows.operationColumns) FROM operations o WHERE o.id = ANY(\(ids)) ORDER BY o.id"
            ).map(PostgresRows.operation)
            let secrets = try await Self.openSecrets(operationIDs: ids, keyring: keyring, connection)
            return operations.map { ClaimedOperation(operation: $0, secrets: secrets[$0.id] ?? [:]) }
        }
    }

    /// The operations a claim may take, oldest first (`$1` now, `$2` the
    /// batch): a walk of the partial index of claimable operations in id
    /// order that stops at the batch, so a claim passes neither the history
    /// of ended operations nor the whole backlog. An operation waits while
    /// an earlier one on its account has not ended: it must be the first
    /// open one of its account, found in the partial index of open operations.
    ///
    /// The plan must not depend on the statistics, which are usually stale
    /// for a queue: autovacuum analyzes after a tenth of the table has
    /// changed, so a burst of requests after a quiet spell meets statistics
    /// that say nothing waits. With them, PostgreSQL 15 chose plans that
    /// read the whole backlog at every claim, or worse. The query before this
    /// index, after 50,000 were queued at once: an anti-join that filtered
    /// every open operation for each candidate (1.26 billion rows), 12
    /// minutes for one claim on a busy machine; with 107,000 ended and 2,000
    /// waiting, a walk of the primary key through every ended one, 26 ms.
    /// Without `enable_sort` off, this query too chose a search and a sort
    /// of all 50,000 (0.8 s). So the claim turns sorting off for its
    /// transaction (`SET LOCAL enable_sort = off`), which leaves the walk as
    /// the only cheap plan, and the ordering rule is a scalar subquery,
    /// which always runs as an index lookup per candidate. `EXPLAIN ANALYZE`
    /// of this query: 0.4 ms with 107,000 ended and 2,000 waiting, 1.0 ms
    /// with 100,000 waiting, 1.6 ms after a burst of 100,000 the statistics
    /// did not know.
    static let claimCandidates = """
        SELECT o.id, o.system FROM operations o
        WHERE o.state IN ('created', 'retrying') AND o.next_attempt_at <= $1
          AND o.id = (
              SELECT min(p.id) FROM operations p
              WHERE p.system = o.system AND p.uid = o.uid AND p.state IN ('created', 'retrying', 'running'))
        ORDER BY o.id
        LIMIT $2
        FOR UPDATE OF o SKIP LOCKED
        """

    /// See ``claimCandidates``; for the claim's transaction only.
    static let claimPlanSetting = "SET LOCAL enable_sort = off"

    /// The advisory lock claims under per-system caps take: "claims" in ASCII.
    static let claimLockKey: Int64 = 0x63_6C61_696D_73

    /// How many more operations each capped system may start: its cap less
    /// its operations running under a live lease (an expired one's worker is gone).
    private static func room(
        under systemLimits: [String: Int], now: Double, _ connection: PostgresConnection
    ) async throws -> [String: Int] {
        guard !systemLimits.isEmpty else { return [:] }
        var room = systemLimits
        let rows = try await connection.run("""
            SELECT system, COUNT(*) FROM operations WHERE state = 'running' AND lease_until > \(now) GROUP BY system
            """)
        for row in rows {
            let (system, count) = try row.decode((String, Int).self)
            if let cap = room[system] { room[system] = cap - count }
        }
        return room
    }

    /// Records the attempt's outcome. An operation that has already ended is
    /// refused with `.invalidState`, as is one this store no longer holds
    /// (its lease ran out and another worker claimed it, or it was
    /// recovered); an unknown one with `.notFound`.
    public func finish(
        operationID: Int64, outcome: AttemptOutcome, account: AccountUpdate?, audit: AuditEntry
    ) async throws {
        let now = Date().timeIntervalSince1970
        let worker = self.worker
        try await transaction { connection in
            guard let operation = try await PostgresWrites.OperationHead.lock(id: operationID, connection) else {
                throw StoreError(.notFound, "operation \(operationID) does not exist")
            }
            if operation.state.isTerminal {
                throw StoreError(
                    .invalidState, "operation \(operationID) has already ended (\(operation.state.rawValue))")
            }
            guard operation.state == .running, operation.claimedBy == worker else {
                throw StoreError(
                    .invalidState,
                    "operation \(operationID) is no longer this worker's (it is \(operation.state.rawValue)\(operation.claimedBy.map { ", claimed by \($0)" } ?? "")): its claim ran out, and the outcome of this attempt is not recorded")
            }
            let (state, result, nextAttempt) = Self.recorded(outcome, after: operation)
            try await connection.run("""
                UPDATE operations SET state = \(state.rawValue), result_code = \(result.code),
                    result_message = \(result.message), next_attempt_at = \(nextAttempt),
                    interrupted = CASE WHEN \(state.isTerminal) THEN FALSE ELSE interrupted END, updated_at = \(now),
                    lease_until = NULL, claimed_by = NULL
                WHERE id = \(operationID)
                """)
            if state.isTerminal {
                try await connection.run("DELETE FROM secrets WHERE operation_id = \(operationID)")
            }
            if let account { try await PostgresWrites.apply(account, to: operation, at: now, connection) }
            var entry = audit
            if entry.operationID == nil { entry.operationID = operationID }
            try await PostgresWrites.append(entry, connection)
            if state == .failed || state == .blocked {
                try await Self.cancelRest(of: operation, after: state, now: now, connection)
            }
        }
    }

    private static func recorded(
        _ outcome: AttemptOutcome, after operation: PostgresWrites.OperationHead
    ) -> (OperationState, OperationResult, Double) {
        switch outcome {
        case .executed(let value): (.executed, value, operation.nextAttemptAt)
        case .failed(let value): (.failed, value, operation.nextAttemptAt)
        case .blocked(let value): (.blocked, value, operation.nextAttemptAt)
        case .retry(let at, let value): (.retrying, value, at.timeIntervalSince1970)
        }
    }

    /// The later operations of a request on the same account stand on the
    /// one that failed: cancelled with it, secrets deleted, each audited.
    private static func cancelRest(
        of operation: PostgresWrites.OperationHead, after state: OperationState, now: Double,
        _ connection: PostgresConnection
    ) async throws {
        let message = "cancelled: operation \(operation.id) of the same request \(state.rawValue)"
        let rest = try await connection.run("""
            UPDATE operations SET state = 'cancelled', result_code = 'cancelled', result_message = \(message),
                updated_at = \(now)
            WHERE request_id = \(operation.requestID) AND system = \(operation.system) AND uid = \(operation.uid)
              AND id > \(operation.id) AND state IN ('created', 'retrying')
            RETURNING id
            """
        ).map { try $0.decode(Int64.self) }.sorted()
        for id in rest {
            try await connection.run("DELETE FROM secrets WHERE operation_id = \(id)")
            try await PostgresWrites.append(
                AuditEntry(
                    at: Date(timeIntervalSince1970: now), actor: "engine", action: operation.action.rawValue,
                    username: operation.username, system: operation.system, uid: operation.uid, operationID: id,
                    outcome: "cancelled", message: message),
                connection)
        }
    }

    /// Operations whose worker's lease ran out by `now` (it died): back to
    /// `retrying`, due now, marked interrupted. Operations other workers
    /// hold under a live lease are theirs.
    public func recoverInterrupted(now: Date) async throws -> Int {
        let time = now.timeIntervalSince1970
        return try await transaction { connection in
            try await Self.recoverLapsed(at: time, skippingLocked: false, connection)
        }
    }

    /// Makes the operations whose claim lapsed (their worker is gone) due
    /// again, marked interrupted. Returns how many. With `skippingLocked`
    /// (claims), one that another transaction holds is left to it, as the
    /// claim's own walk does, so that claims recovering at once neither wait
    /// for nor deadlock each other; without (start-up), it waits for the row
    /// (a renewal, say) and then checks the lease again.
    @discardableResult
    static func recoverLapsed(
        at time: Double, skippingLocked: Bool, _ connection: PostgresConnection
    ) async throws -> Int {
        let lapsed = "SELECT id FROM operations WHERE state = 'running' AND lease_until <= $1"
        var binds = PostgresBindings()
        binds.append(time)
        return try await connection.run(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE operations SET state = 'retrying', next_attempt_at = $1, interrupted = TRUE,
                        updated_at = $1, lease_until = NULL, claimed_by = NULL
                    WHERE id IN (\(lapsed)\(skippingLocked ? " FOR UPDATE SKIP LOCKED" : ""))
                      AND state = 'running' AND lease_until <= $1
                    RETURNING id
                    """, binds: binds)
        ).count
    }

    // MARK: Helpers

    static func fetchOperation(id: Int64, _ connection: PostgresConnection) async throws -> QueuedOperation? {
        try await connection.run(
            "SELECT \(unescaped: PostgresRows.operationColumns) FROM operations o WHERE o.id = \(id)"
        ).first.map(PostgresRows.operation)
    }

    static func requireOperation(id: Int64, _ connection: PostgresConnection) async throws -> QueuedOperation {
        guard let operation = try await fetchOperation(id: id, connection) else {
            throw StoreError(.notFound, "operation \(id) does not exist")
        }
        return operation
    }

    static func insert(
        _ sealed: SealedSecret, operationID: Int64, name: String, _ connection: PostgresConnection
    ) async throws {
        try await connection.run("""
            INSERT INTO secrets (operation_id, name, key_id, sealed)
            VALUES (\(operationID), \(name), \(sealed.keyID), \(sealed.combined))
            """)
    }

    /// The secrets of `operationIDs`, decrypted, by operation and name.
    static func openSecrets(
        operationIDs: [Int64], keyring: Keyring, _ connection: PostgresConnection
    ) async throws -> [Int64: [String: GuardedString]] {
        var secrets: [Int64: [String: GuardedString]] = [:]
        let rows = try await connection.run("""
            SELECT operation_id, name, key_id, sealed FROM secrets WHERE operation_id = ANY(\(operationIDs))
            ORDER BY operation_id, name
            """)
        for row in rows {
            let (id, name, keyID, combined) = try row.decode((Int64, String, String, Data).self)
            let sealed = SealedSecret(keyID: keyID, combined: combined)
            secrets[id, default: [:]][name] = try SecretSealer.open(sealed, operationID: id, name: name, keyring: keyring)
        }
        return secrets
    }
}
