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

    /// A row's column indexes by name, looked up once. GRDB's `row["name"]`
    /// on a fetched row lowercases the column names up to the one it finds,
    /// at every call: for an operation's twenty columns that cost more than
    /// reading the row.
    struct Columns {
        private let indexes: [String: Int]

        init(_ row: Row) {
            var indexes: [String: Int] = [:]
            for (index, name) in row.columnNames.enumerated() where indexes[name] == nil { indexes[name] = index }
            self.indexes = indexes
        }

        /// The index of the column `name`; SQLite gives the names as the schema spells them.
        subscript(_ name: String) -> Int {
            guard let index = indexes[name] else { preconditionFailure("no column \(name) in the row") }
            return index
        }
    }

    static func operation(_ row: Row) throws -> QueuedOperation {
        let column = Columns(row)
        let id: Int64 = row[column["id"]]
        let attributesText: String = row[column["attributes"]]
        let stateText: String = row[column["state"]]
        let actionText: String = row[column["action"]]
        guard let state = OperationState(rawValue: stateText), let action = OperationAction(rawValue: actionText)
        else {
            throw StoreError(.corrupt, "operation \(id) has an unknown state or action (\(stateText), \(actionText))")
        }
        let attributes: [QueuedAttribute]
        do {
            attributes = try decodeAttributes(attributesText)
        } catch {
            throw StoreError(.corrupt, "operation \(id) has unreadable attributes")
        }
        let resultCode: String? = row[column["result_code"]]
        let result = resultCode.map { OperationResult(code: $0, message: row[column["result_message"]] ?? "") }
        let seconds = { (name: String) in Date(timeIntervalSince1970: row[column[name]]) }
        return QueuedOperation(
            id: id, requestID: row[column["request_id"]], requestedBy: row[column["requested_by"]],
            system: row[column["system"]], username: row[column["username"]], uid: row[column["uid"]], action: action,
            attributes: attributes, mustChange: row[column["must_change"]], state: state,
            attempts: row[column["attempts"]], maxAttempts: row[column["max_attempts"]],
            nextAttemptAt: seconds("next_attempt_at"), wasInterrupted: row[column["interrupted"]], result: result,
            createdAt: seconds("created_at"), updatedAt: seconds("updated_at"),
            holdsSecrets: row[column["holds_secrets"]])
    }

    private static let operationAttributes = JSONMemo<[QueuedAttribute]>()
    private static let identityAttributes = JSONMemo<[String: String]>()

    package static func attributesJSON(_ attributes: [QueuedAttribute]) throws -> String {
        try operationAttributes.encode(attributes)
    }

    package static func decodeAttributes(_ text: String) throws -> [QueuedAttribute] {
        try operationAttributes.decode(text)
    }

    static func identity(_ row: Row) throws -> Identity {
        let column = Columns(row)
        let username: String = row[column["username"]]
        let attributesText: String = row[column["attributes"]]
        let attributes: [String: String]
        do {
            attributes = try decodeIdentityAttributes(attributesText)
        } catch {
            throw StoreError(.corrupt, "identity \(username) has unreadable attributes")
        }
        return Identity(
            username: username, givenName: row[column["given_name"]], familyName: row[column["family_name"]],
            email: row[column["email"]], managerEmail: row[column["manager_email"]], attributes: attributes)
    }

    package static func identityAttributesJSON(_ attributes: [String: String]) throws -> String {
        try identityAttributes.encode(attributes)
    }

    package static func decodeIdentityAttributes(_ text: String) throws -> [String: String] {
        try identityAttributes.decode(text)
    }

    static func account(_ row: Row) throws -> AccountRecord {
        let column = Columns(row)
        let stateText: String = row[column["state"]]
        guard let state = AccountRecord.State(rawValue: stateText) else {
            throw StoreError(.corrupt, "an account has an unknown state (\(stateText))")
        }
        return AccountRecord(
            username: row[column["username"]], system: row[column["system"]], uid: row[column["uid"]], state: state,
            locked: row[column["locked"]], mustChange: row[column["must_change"]],
            updatedAt: Date(timeIntervalSince1970: row[column["updated_at"]]))
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
