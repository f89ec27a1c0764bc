public import Foundation
import GRDB
import KeywardCore

extension SQLiteStore {
    public func operation(id: Int64) async throws -> QueuedOperation? {
        try await read { db in try Self.fetchOperation(id: id, db) }
    }

    public func operations(_ filter: OperationFilter) async throws -> [QueuedOperation] {
        try await read { db in
            var conditions: [String] = []
            var arguments = StatementArguments()
            if !filter.states.isEmpty {
                let states = filter.states.map(\.rawValue).sorted()
                conditions.append("o.state IN (\(databaseQuestionMarks(count: states.count)))")
                arguments += StatementArguments(states)
            }
            if let username = filter.username {
                conditions.append("o.username = ?")
                arguments += [username]
            }
            if let system = filter.system {
                conditions.append("o.system = ?")
                arguments += [system]
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments += [max(0, filter.limit)]
            return try Row.fetchAll(
                db,
                sql: "SELECT \(StoredRows.operationColumns) FROM operations o \(whereClause) ORDER BY o.id DESC LIMIT ?",
                arguments: arguments
            ).map(StoredRows.operation)
        }
    }

    /// Counts by state; every state is present, zero when none.
    public func operationCounts() async throws -> [OperationState: Int] {
        try await read { db in
            var counts = Dictionary(uniqueKeysWithValues: OperationState.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS count FROM operations GROUP BY state") {
                let stateText: String = row["state"]
                if let state = OperationState(rawValue: stateText) { counts[state] = row["count"] }
            }
            return counts
        }
    }

    public func retry(operationID: Int64, actor: String, now: Date) async throws -> QueuedOperation {
        let time = now.timeIntervalSince1970
        return try await write { db in
            let operation = try Self.requireOperation(id: operationID, db)
            switch operation.state {
            case .retrying:
                try db.execute(
                    sql: "UPDATE operations SET next_attempt_at = ?, updated_at = ? WHERE id = ?",
                    arguments: [time, time, operationID])
            case .failed, .blocked:
                let carriedSecret =
                    operation.holdsSecrets || operation.action == .change
                    || operation.attributes.contains { $0.isSecret }
                if carriedSecret {
                    throw StoreError(
                        .invalidState,
                        "operation \(operationID) carried a password, which was deleted when it ended; request it again (keyward password reset --user \(operation.username) --system \(operation.system))"
                    )
                }
                try db.execute(
                    sql: """
                        UPDATE operations SET state = 'created', attempts = 0, result_code = NULL,
                            result_message = NULL, interrupted = 0, next_attempt_at = ?, updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [time, time, operationID])
            case .created, .running, .executed, .cancelled:
                throw StoreError(
                    .invalidState,
                    "operation \(operationID) is \(operation.state.rawValue); only a retrying, failed or blocked operation can be retried"
                )
            }
            try StoredRows.append(
                AuditEntry(
                    at: now, actor: actor, action: "retry", username: operation.username, system: operation.system,
                    uid: operation.uid, operationID: operationID, outcome: "requested",
                    message: "was \(operation.state.rawValue)"),
                db)
            return try Self.requireOperation(id: operationID, db)
        }
    }

    /// Cancels a `created` or `retrying` operation, deletes its secrets, and
    /// records the result `cancelled`.
    public func cancel(operationID: Int64, actor: String, now: Date) async throws -> QueuedOperation {
        let time = now.timeIntervalSince1970
        return try await write { db in
            let operation = try Self.requireOperation(id: operationID, db)
            guard operation.state == .created || operation.state == .retrying else {
                throw StoreError(
                    .invalidState,
                    "operation \(operationID) is \(operation.state.rawValue); only a created or retrying operation can be cancelled"
                )
            }
            try db.execute(
                sql: """
                    UPDATE operations SET state = 'cancelled', result_code = 'cancelled', result_message = ?,
                        interrupted = 0, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: ["cancelled by \(actor)", time, operationID])
            try db.execute(sql: "DELETE FROM secrets WHERE operation_id = ?", arguments: [operationID])
            try StoredRows.append(
                AuditEntry(
                    at: now, actor: actor, action: "cancel", username: operation.username, system: operation.system,
                    uid: operation.uid, operationID: operationID, outcome: "cancelled",
                    message: "was \(operation.state.rawValue)"),
                db)
            return try Self.requireOperation(id: operationID, db)
        }
    }
}
