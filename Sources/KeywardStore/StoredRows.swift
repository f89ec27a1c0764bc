import Foundation
import GRDB
import KeywardCore

/// Conversions between the store's models and SQLite rows. Dates are REAL
/// seconds since 1970 everywhere.
package enum StoredRows {
    static let operationColumns = """
        o.*, EXISTS (SELECT 1 FROM secrets s WHERE s.operation_id = o.id) AS holds_secrets
        """

    /// Runs `sql`, a constant statement, through the connection's statement
    /// cache: prepared and checked once, reused after.
    static func execute(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws {
        try db.cachedStatement(sql: sql).execute(arguments: arguments)
    }

    /// What recording an outcome needs of an operation: no attributes to decode.
    struct OperationHead {
        let id: Int64
        let requestID: String
        let system: String
        let username: String
        let uid: String
        let action: OperationAction
        let state: OperationState
        let nextAttemptAt: Double

        static func fetch(id: Int64, _ db: Database) throws -> OperationHead? {
            let sql = "SELECT request_id, system, username, uid, action, state, next_attempt_at FROM operations WHERE id = ?"
            guard let row = try Row.fetchOne(db.cachedStatement(sql: sql), arguments: [id]) else { return nil }
            let actionText: String = row[4]
            let stateText: String = row[5]
            guard let action = OperationAction(rawValue: actionText), let state = OperationState(rawValue: stateText) else {
                throw StoreError(.corrupt, "operation \(id) has an unknown state or action (\(stateText), \(actionText))")
            }
            return OperationHead(
                id: id, requestID: row[0], system: row[1], username: row[2], uid: row[3], action: action, state: state,
                nextAttemptAt: row[6])
        }
    }

    static func date(_ row: Row, _ column: String) -> Date {
        Date(timeIntervalSince1970: row[column])
    }

    static func operation(_ row: Row) throws -> QueuedOperation {
        let id: Int64 = row["id"]
        let attributesText: String = row["attributes"]
        let stateText: String = row["state"]
        let actionText: String = row["action"]
        guard let state = OperationState(rawValue: stateText), let action = OperationAction(rawValue: actionText)
        else {
            throw StoreError(.corrupt, "operation \(id) has an unknown state or action (\(stateText), \(actionText))")
        }
        let attributes: [QueuedAttribute]
        do {
            attributes = try JSONDecoder().decode([QueuedAttribute].self, from: Data(attributesText.utf8))
        } catch {
            throw StoreError(.corrupt, "operation \(id) has unreadable attributes")
        }
        let resultCode: String? = row["result_code"]
        let result = resultCode.map { OperationResult(code: $0, message: row["result_message"] ?? "") }
        return QueuedOperation(
            id: id, requestID: row["request_id"], requestedBy: row["requested_by"], system: row["system"],
            username: row["username"], uid: row["uid"], action: action, attributes: attributes,
            mustChange: row["must_change"], state: state, attempts: row["attempts"],
            maxAttempts: row["max_attempts"], nextAttemptAt: date(row, "next_attempt_at"),
            wasInterrupted: row["interrupted"], result: result, createdAt: date(row, "created_at"),
            updatedAt: date(row, "updated_at"), holdsSecrets: row["holds_secrets"])
    }

    package static func attributesJSON(_ attributes: [QueuedAttribute]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(attributes), as: UTF8.self)
    }

    static func identity(_ row: Row) throws -> Identity {
        let username: String = row["username"]
        let attributesText: String = row["attributes"]
        let attributes: [String: String]
        do {
            attributes = try JSONDecoder().decode([String: String].self, from: Data(attributesText.utf8))
        } catch {
            throw StoreError(.corrupt, "identity \(username) has unreadable attributes")
        }
        return Identity(
            username: username, givenName: row["given_name"], familyName: row["family_name"],
            email: row["email"], managerEmail: row["manager_email"], attributes: attributes)
    }

    package static func identityAttributesJSON(_ attributes: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(attributes), as: UTF8.self)
    }

    static func account(_ row: Row) throws -> AccountRecord {
        let stateText: String = row["state"]
        guard let state = AccountRecord.State(rawValue: stateText) else {
            throw StoreError(.corrupt, "an account has an unknown state (\(stateText))")
        }
        return AccountRecord(
            username: row["username"], system: row["system"], uid: row["uid"], state: state,
            locked: row["locked"], mustChange: row["must_change"], updatedAt: date(row, "updated_at"))
    }

    static func save(_ account: AccountRecord, _ db: Database) throws {
        try execute(
            db, """
                INSERT INTO accounts (username, system, uid, state, locked, must_change, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (username, system) DO UPDATE SET
                    uid = excluded.uid, state = excluded.state, locked = excluded.locked,
                    must_change = excluded.must_change, updated_at = excluded.updated_at
                """,
            [
                account.username, account.system, account.uid, account.state.rawValue, account.locked,
                account.mustChange, account.updatedAt.timeIntervalSince1970,
            ])
    }

    /// Applies `update` to the record of the operation's person and system.
    static func apply(_ update: AccountUpdate, to operation: OperationHead, at time: Double, _ db: Database) throws {
        let values: StatementArguments = [
            "username": operation.username, "system": operation.system, "uid": operation.uid,
            "state": update.state?.rawValue, "locked": update.locked, "mustChange": update.mustChange, "at": time,
        ]
        if update.createIfMissing {
            try execute(
                db, """
                    INSERT INTO accounts (username, system, uid, state, locked, must_change, updated_at)
                    VALUES (:username, :system, :uid, COALESCE(:state, 'active'), :locked, :mustChange, :at)
                    ON CONFLICT (username, system) DO UPDATE SET
                        state = COALESCE(:state, state), locked = COALESCE(:locked, locked),
                        must_change = COALESCE(:mustChange, must_change), updated_at = :at
                    """, values)
        } else {
            try execute(
                db, """
                    UPDATE accounts SET
                        state = COALESCE(:state, state), locked = COALESCE(:locked, locked),
                        must_change = COALESCE(:mustChange, must_change), updated_at = :at
                    WHERE username = :username AND system = :system
                    """, values)
        }
    }

    static func auditEntry(_ row: Row) -> AuditEntry {
        AuditEntry(
            id: row["id"], at: date(row, "at"), actor: row["actor"], action: row["action"],
            username: row["username"], system: row["system"], uid: row["uid"],
            operationID: row["operation_id"], outcome: row["outcome"], message: row["message"])
    }

    static func append(_ entry: AuditEntry, _ db: Database) throws {
        try execute(
            db, """
                INSERT INTO audit (at, actor, action, username, system, uid, operation_id, outcome, message)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            [
                entry.at.timeIntervalSince1970, entry.actor, entry.action, entry.username, entry.system,
                entry.uid, entry.operationID, entry.outcome, entry.message,
            ])
    }
}
