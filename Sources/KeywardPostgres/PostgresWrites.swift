import Foundation
import KeywardStore
import PostgresNIO

/// The writes several of the store's calls share, inside their transaction.
enum PostgresWrites {
    static func append(_ entry: AuditEntry, _ connection: PostgresConnection) async throws {
        try await connection.run("""
            INSERT INTO audit (at, actor, action, username, system, uid, operation_id, outcome, message)
            VALUES (\(entry.at.timeIntervalSince1970), \(entry.actor), \(entry.action), \(entry.username),
                \(entry.system), \(entry.uid), \(entry.operationID), \(entry.outcome), \(entry.message))
            """)
    }

    static func save(_ account: AccountRecord, _ connection: PostgresConnection) async throws {
        try await connection.run("""
            INSERT INTO accounts (username, system, uid, state, locked, must_change, updated_at)
            VALUES (\(account.username), \(account.system), \(account.uid), \(account.state.rawValue), \(account.locked),
                \(account.mustChange), \(account.updatedAt.timeIntervalSince1970))
            ON CONFLICT (username, system) DO UPDATE SET
                uid = excluded.uid, state = excluded.state, locked = excluded.locked,
                must_change = excluded.must_change, updated_at = excluded.updated_at
            """)
    }

    /// Applies `update` to the record of the operation's person and system.
    static func apply(
        _ update: AccountUpdate, to operation: OperationHead, at time: Double, _ connection: PostgresConnection
    ) async throws {
        let state = update.state?.rawValue
        if update.createIfMissing {
            try await connection.run("""
                INSERT INTO accounts (username, system, uid, state, locked, must_change, updated_at)
                VALUES (\(operation.username), \(operation.system), \(operation.uid), COALESCE(\(state), 'active'),
                    \(update.locked), \(update.mustChange), \(time))
                ON CONFLICT (username, system) DO UPDATE SET
                    state = COALESCE(\(state), accounts.state), locked = COALESCE(\(update.locked), accounts.locked),
                    must_change = COALESCE(\(update.mustChange), accounts.must_change), updated_at = excluded.updated_at
                """)
        } else {
            try await connection.run("""
                UPDATE accounts SET
                    state = COALESCE(\(state), state), locked = COALESCE(\(update.locked), locked),
                    must_change = COALESCE(\(update.mustChange), must_change), updated_at = \(time)
                WHERE username = \(operation.username) AND system = \(operation.system)
                """)
        }
    }

    /// What recording an outcome needs of an operation, read with the row locked.
    struct OperationHead {
        let id: Int64
        let requestID: String
        let system: String
        let username: String
        let uid: String
        let action: OperationAction
        let state: OperationState
        let nextAttemptAt: Double
        let claimedBy: String?

        static func lock(id: Int64, _ connection: PostgresConnection) async throws -> OperationHead? {
            let rows = try await connection.run("""
                SELECT request_id, system, username, uid, action, state, next_attempt_at, claimed_by
                FROM operations WHERE id = \(id) FOR UPDATE
                """)
            guard let row = rows.first else { return nil }
            let column = PostgresRows.Columns(row)
            let actionText: String = try column("action")
            let stateText: String = try column("state")
            guard let action = OperationAction(rawValue: actionText), let state = OperationState(rawValue: stateText) else {
                throw StoreError(.corrupt, "operation \(id) has an unknown state or action (\(stateText), \(actionText))")
            }
            return OperationHead(
                id: id, requestID: try column("request_id"), system: try column("system"),
                username: try column("username"), uid: try column("uid"), action: action, state: state,
                nextAttemptAt: try column("next_attempt_at"), claimedBy: try column("claimed_by"))
        }
    }
}
