public import Foundation
import KeywardCore
public import KeywardStore
import PostgresNIO

extension PostgresStore {
    public func operation(id: Int64) async throws -> QueuedOperation? {
        try await transaction { connection in try await Self.fetchOperation(id: id, connection) }
    }

    public func operations(_ filter: OperationFilter) async throws -> [QueuedOperation] {
        var conditions: [String] = []
        var binds = PostgresBindings()
        if !filter.states.isEmpty {
            binds.append(filter.states.map(\.rawValue).sorted())
            conditions.append("o.state = ANY($\(binds.count))")
        }
        if let username = filter.username {
            binds.append(username)
            conditions.append("o.username = $\(binds.count)")
        }
        if let system = filter.system {
            binds.append(system)
            conditions.append("o.system = $\(binds.count)")
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        binds.append(max(0, filter.limit))
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT \(PostgresRows.operationColumns) FROM operations o \(whereClause) ORDER BY o.id DESC LIMIT $\(binds.count)
                """,
            binds: binds)
        return try await transaction { connection in try await connection.run(query).map(PostgresRows.operation) }
    }

    /// Counts by state; every state is present, zero when none.
    public func operationCounts() async throws -> [OperationState: Int] {
        try await transaction { connection in
            var counts = Dictionary(uniqueKeysWithValues: OperationState.allCases.map { ($0, 0) })
            for row in try await connection.run("SELECT state, COUNT(*) FROM operations GROUP BY state") {
                let (stateText, count) = try row.decode((String, Int).self)
                if let state = OperationState(rawValue: stateText) { counts[state] = count }
            }
            return counts
        }
    }

    public func retry(operationID: Int64, actor: String, now: Date) async throws -> QueuedOperation {
        let time = now.timeIntervalSince1970
        return try await transaction { connection in
            let operation = try await Self.lockOperation(id: operationID, connection)
            switch operation.state {
            case .retrying:
                try await connection.run(
                    "UPDATE operations SET next_attempt_at = \(time), updated_at = \(time) WHERE id = \(operationID)")
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
                try await connection.run("""
                    UPDATE operations SET state = 'created', attempts = 0, result_code = NULL,
                        result_message = NULL, interrupted = FALSE, next_attempt_at = \(time), updated_at = \(time)
                    WHERE id = \(operationID)
                    """)
            case .created, .running, .executed, .cancelled:
                throw StoreError(
                    .invalidState,
                    "operation \(operationID) is \(operation.state.rawValue); only a retrying, failed or blocked operation can be retried"
                )
            }
            try await PostgresWrites.append(
                AuditEntry(
                    at: now, actor: actor, action: "retry", username: operation.username, system: operation.system,
                    uid: operation.uid, operationID: operationID, outcome: "requested",
                    message: "was \(operation.state.rawValue)"),
                connection)
            return try await Self.requireOperation(id: operationID, connection)
        }
    }

    /// Cancels a `created` or `retrying` operation, deletes its secrets, and
    /// records the result `cancelled`.
    public func cancel(operationID: Int64, actor: String, now: Date) async throws -> QueuedOperation {
        let time = now.timeIntervalSince1970
        return try await transaction { connection in
            let operation = try await Self.lockOperation(id: operationID, connection)
            guard operation.state == .created || operation.state == .retrying else {
                throw StoreError(
                    .invalidState,
                    "operation \(operationID) is \(operation.state.rawValue); only a created or retrying operation can be cancelled"
                )
            }
            try await connection.run("""
                UPDATE operations SET state = 'cancelled', result_code = 'cancelled', result_message = \("cancelled by \(actor)"),
                    interrupted = FALSE, updated_at = \(time)
                WHERE id = \(operationID)
                """)
            try await connection.run("DELETE FROM secrets WHERE operation_id = \(operationID)")
            try await PostgresWrites.append(
                AuditEntry(
                    at: now, actor: actor, action: "cancel", username: operation.username, system: operation.system,
                    uid: operation.uid, operationID: operationID, outcome: "cancelled",
                    message: "was \(operation.state.rawValue)"),
                connection)
            return try await Self.requireOperation(id: operationID, connection)
        }
    }

    /// The operation, its row locked until the transaction ends (so that a
    /// claim cannot take it while it is retried or cancelled).
    private static func lockOperation(id: Int64, _ connection: PostgresConnection) async throws -> QueuedOperation {
        guard try await !connection.run("SELECT id FROM operations WHERE id = \(id) FOR UPDATE").isEmpty else {
            throw StoreError(.notFound, "operation \(id) does not exist")
        }
        return try await requireOperation(id: id, connection)
    }
}
