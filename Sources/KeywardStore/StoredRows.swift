import Foundation
import GRDB
import KeywardCore

/// Conversions between the store's models and SQLite rows. Dates are REAL
/// seconds since 1970 everywhere.
enum StoredRows {
    static let operationColumns = """
        o.*, EXISTS (SELECT 1 FROM secrets s WHERE s.operation_id = o.id) AS holds_secrets
        """

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

    static func attributesJSON(_ attributes: [QueuedAttribute]) throws -> String {
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

    static func identityAttributesJSON(_ attributes: [String: String]) throws -> String {
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
        try db.execute(
            sql: """
                INSERT INTO accounts (username, system, uid, state, locked, must_change, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (username, system) DO UPDATE SET
                    uid = excluded.uid, state = excluded.state, locked = excluded.locked,
                    must_change = excluded.must_change, updated_at = excluded.updated_at
                """,
            arguments: [
                account.username, account.system, account.uid, account.state.rawValue, account.locked,
                account.mustChange, account.updatedAt.timeIntervalSince1970,
            ])
    }

    static func auditEntry(_ row: Row) -> AuditEntry {
        AuditEntry(
            id: row["id"], at: date(row, "at"), actor: row["actor"], action: row["action"],
            username: row["username"], system: row["system"], uid: row["uid"],
            operationID: row["operation_id"], outcome: row["outcome"], message: row["message"])
    }

    static func append(_ entry: AuditEntry, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO audit (at, actor, action, username, system, uid, operation_id, outcome, message)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                entry.at.timeIntervalSince1970, entry.actor, entry.action, entry.username, entry.system,
                entry.uid, entry.operationID, entry.outcome, entry.message,
            ])
    }
}
