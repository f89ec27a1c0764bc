public import Foundation
import GRDB
import KeywardCore
import Synchronization

extension SQLiteStore {
    public func enqueue(
        requestID: String, requestedBy: String, operations: [NewOperation],
        accounts: [AccountRecord], audit: [AuditEntry], consumingToken: Data?
    ) async throws -> [Int64] {
        let now = Date().timeIntervalSince1970
        return try await write { db in
            let key = self.keys.withLock { $0.current }
            if let consumingToken { try Self.consumeSetPasswordToken(consumingToken, now: now, db) }
            var ids: [Int64] = []
            for operation in operations {
                try StoredRows.execute(db, """
                        INSERT INTO operations (
                            request_id, requested_by, system, username, uid, action, attributes, must_change,
                            state, attempts, max_attempts, next_attempt_at, interrupted, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 0, ?, ?)
                        """,
                    [
                        requestID, requestedBy, operation.system, operation.username, operation.uid,
                        operation.action.rawValue, try StoredRows.attributesJSON(operation.attributes),
                        operation.mustChange, OperationState.created.rawValue, operation.maxAttempts, now, now, now,
                    ])
                let id = db.lastInsertedRowID
                for (name, secret) in operation.secrets.sorted(by: { $0.key < $1.key }) {
                    let sealed = try SecretSealer.seal(secret, operationID: id, name: name, key: key)
                    try Self.insert(sealed, operationID: id, name: name, db)
                }
                ids.append(id)
                if operation.setsPassword {
                    try Self.revokeSetPasswordTokens(username: operation.username, system: operation.system, now: now, db)
                }
            }
            for account in accounts { try StoredRows.save(account, db) }
            for entry in audit { try StoredRows.append(entry, db) }
            return ids
        }
    }

    public func claimDue(limit: Int, now: Date, systemLimits: [String: Int]) async throws -> [ClaimedOperation] {
        guard limit > 0 else { return [] }
        let time = now.timeIntervalSince1970
        // Not synced: a claim a power cut undoes leaves its operations due,
        // as a crash would, and they run again (at least once, idempotent).
        return try await write(.unsynced) { db in
            let keyring = self.keys.withLock { $0 }
            let candidates = try Row.fetchAll(db.cachedStatement(sql: Self.claimCandidates), arguments: [time, limit])
            var room = try Self.room(under: systemLimits, db)
            var chosen: [Int64] = []
            for candidate in candidates {
                let system: String = candidate[1]
                if let left = room[system] {
                    guard left > 0 else { continue }
                    room[system] = left - 1
                }
                chosen.append(candidate[0])
            }
            guard !chosen.isEmpty else { return [] }
            // The whole batch in three statements, the ids as one JSON array.
            let ids = "[" + chosen.map(String.init).joined(separator: ",") + "]"
            try StoredRows.execute(db, """
                    UPDATE operations SET state = 'running', attempts = attempts + 1, updated_at = ?
                    WHERE id IN (SELECT value FROM json_each(?))
                    """,
                [time, ids])
            let operations = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT \(StoredRows.operationColumns) FROM operations o
                    WHERE o.id IN (SELECT value FROM json_each(?)) ORDER BY o.id
                    """),
                arguments: [ids]
            ).map(StoredRows.operation)
            let secrets = try Self.openSecrets(operationIDs: ids, keyring: keyring, db)
            return operations.map { ClaimedOperation(operation: $0, secrets: secrets[$0.id] ?? [:]) }
        }
    }

    /// The operations a claim may take, oldest first: a walk of the
    /// claimable operations in id order that stops at the batch, so a claim
    /// passes neither the history of ended operations nor the whole backlog
    /// (which a search of the due operations, then a sort, would read at
    /// every claim). An operation waits while an earlier one on its account
    /// has not ended, looked up in the partial index of open operations.
    /// `INDEXED BY` holds the plan whatever the statistics say (with 100,000
    /// waiting, a search of the due operations and a sort took 389 ms per
    /// claim, the walk 0.3 ms).
    static let claimCandidates = """
        SELECT o.id, o.system FROM operations o INDEXED BY operations_claimable
        WHERE o.state IN ('created', 'retrying') AND o.next_attempt_at <= ?
          AND NOT EXISTS (
              SELECT 1 FROM operations p
              WHERE p.system = o.system AND p.uid = o.uid AND p.id < o.id
                AND \(openStates("p")))
        ORDER BY o.id
        LIMIT ?
        """

    /// The test of the partial index `operations_open` (migration v5),
    /// written as it is there, as SQLite uses the index only for a query
    /// whose WHERE holds the same expression; `table` is the query's name
    /// for `operations`.
    static func openStates(_ table: String) -> String {
        "(\(table).state = 'created' OR \(table).state = 'retrying' OR \(table).state = 'running')"
    }

    /// How many more operations each capped system may start: its cap less
    /// its operations `running` now.
    private static func room(under systemLimits: [String: Int], _ db: Database) throws -> [String: Int] {
        guard !systemLimits.isEmpty else { return [:] }
        var room = systemLimits
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT system, COUNT(*) FROM operations WHERE state = 'running' GROUP BY system"))
        for row in rows {
            let system: String = row[0]
            if let cap = room[system] { room[system] = cap - (row[1] as Int) }
        }
        return room
    }

    /// Records the attempt's outcome. An operation that has already ended is
    /// refused with `.invalidState`; an unknown one with `.notFound`.
    public func finish(
        operationID: Int64, outcome: AttemptOutcome, account: AccountUpdate?, audit: AuditEntry
    ) async throws {
        let now = Date().timeIntervalSince1970
        // Not synced: an outcome a power cut undoes leaves its operation
        // `running`, and it runs again after the restart (at least once, with
        // idempotent effects); the next synced commit makes it durable. No
        // worker waits for it, so it waits a moment for company: the
        // outcomes of a busy queue share the requests' commits.
        try await write(.deferred) { db in
            guard let operation = try StoredRows.OperationHead.fetch(id: operationID, db) else {
                throw StoreError(.notFound, "operation \(operationID) does not exist")
            }
            if operation.state.isTerminal {
                throw StoreError(
                    .invalidState, "operation \(operationID) has already ended (\(operation.state.rawValue))")
            }
            let state: OperationState
            let result: OperationResult
            var nextAttempt = operation.nextAttemptAt
            switch outcome {
            case .executed(let value): (state, result) = (.executed, value)
            case .failed(let value): (state, result) = (.failed, value)
            case .blocked(let value): (state, result) = (.blocked, value)
            case .retry(let at, let value):
                (state, result) = (.retrying, value)
                nextAttempt = at.timeIntervalSince1970
            }
            try StoredRows.execute(db, """
                    UPDATE operations SET state = ?, result_code = ?, result_message = ?, next_attempt_at = ?,
                        interrupted = CASE WHEN ? THEN 0 ELSE interrupted END, updated_at = ?
                    WHERE id = ?
                    """,
                [
                    state.rawValue, result.code, result.message, nextAttempt, state.isTerminal, now, operationID,
                ])
            if state.isTerminal {
                try StoredRows.execute(db, "DELETE FROM secrets WHERE operation_id = ?", [operationID])
            }
            if let account { try StoredRows.apply(account, to: operation, at: now, db) }
            var entry = audit
            if entry.operationID == nil { entry.operationID = operationID }
            try StoredRows.append(entry, db)
            if state == .failed || state == .blocked {
                try Self.cancelRest(of: operation, after: state, now: now, db)
            }
        }
    }

    /// The later operations of a request on the same account stand on the
    /// one that failed (the other password attributes after `__PASSWORD__`):
    /// cancelled with it, secrets deleted, each with an audit entry.
    private static func cancelRest(of operation: StoredRows.OperationHead, after state: OperationState, now: Double, _ db: Database) throws {
        let message = "cancelled: operation \(operation.id) of the same request \(state.rawValue)"
        let rest = try Int64.fetchAll(
            db.cachedStatement(sql: """
                SELECT id FROM operations
                WHERE request_id = ? AND system = ? AND uid = ? AND id > ? AND state IN ('created', 'retrying')
                ORDER BY id
                """),
            arguments: [operation.requestID, operation.system, operation.uid, operation.id])
        for id in rest {
            try StoredRows.execute(db, """
                    UPDATE operations SET state = 'cancelled', result_code = 'cancelled', result_message = ?, updated_at = ?
                    WHERE id = ?
                    """,
                [message, now, id])
            try StoredRows.execute(db, "DELETE FROM secrets WHERE operation_id = ?", [id])
            try StoredRows.append(
                AuditEntry(
                    at: Date(timeIntervalSince1970: now), actor: "engine", action: operation.action.rawValue,
                    username: operation.username, system: operation.system, uid: operation.uid, operationID: id,
                    outcome: "cancelled", message: message),
                db)
        }
    }

    public func recoverInterrupted(now: Date) async throws -> Int {
        let time = now.timeIntervalSince1970
        return try await write { db in
            try StoredRows.execute(db, """
                    UPDATE operations SET state = 'retrying', next_attempt_at = ?, interrupted = 1, updated_at = ?
                    WHERE state = 'running'
                    """,
                [time, time])
            return db.changesCount
        }
    }

    // MARK: Helpers

    static func fetchOperation(id: Int64, _ db: Database) throws -> QueuedOperation? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(StoredRows.operationColumns) FROM operations o WHERE o.id = ?"),
            arguments: [id]
        ).map(StoredRows.operation)
    }

    static func requireOperation(id: Int64, _ db: Database) throws -> QueuedOperation {
        guard let operation = try fetchOperation(id: id, db) else {
            throw StoreError(.notFound, "operation \(id) does not exist")
        }
        return operation
    }

    static func insert(_ sealed: SealedSecret, operationID: Int64, name: String, _ db: Database) throws {
        try StoredRows.execute(db, "INSERT INTO secrets (operation_id, name, key_id, sealed) VALUES (?, ?, ?, ?)",
            [operationID, name, sealed.keyID, sealed.combined])
    }

    /// The secrets of the operations in `operationIDs` (a JSON array), decrypted, by operation.
    static func openSecrets(operationIDs: String, keyring: Keyring, _ db: Database) throws -> [Int64: [String: GuardedString]] {
        var secrets: [Int64: [String: GuardedString]] = [:]
        let rows = try Row.fetchAll(
            db.cachedStatement(sql: """
                SELECT operation_id, name, key_id, sealed FROM secrets
                WHERE operation_id IN (SELECT value FROM json_each(?)) ORDER BY operation_id, name
                """),
            arguments: [operationIDs])
        for row in rows {
            let operationID: Int64 = row["operation_id"]
            let name: String = row["name"]
            let sealed = SealedSecret(keyID: row["key_id"], combined: row["sealed"])
            secrets[operationID, default: [:]][name] = try SecretSealer.open(sealed, operationID: operationID, name: name, keyring: keyring)
        }
        return secrets
    }
}
