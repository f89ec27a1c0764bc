import Foundation
import KeywardCore
import KeywardStore
import Logging
import PostgresNIO

/// Conversions between the store's models and PostgreSQL rows, read by
/// column name. Dates are DOUBLE PRECISION seconds since 1970, as in SQLite.
enum PostgresRows {
    /// An operation's columns, and whether it holds secrets.
    static let operationColumns = """
        o.id, o.request_id, o.requested_by, o.system, o.username, o.uid, o.action, o.attributes, o.must_change,
        o.state, o.attempts, o.max_attempts, o.next_attempt_at, o.interrupted, o.result_code, o.result_message,
        o.created_at, o.updated_at, EXISTS (SELECT 1 FROM secrets s WHERE s.operation_id = o.id) AS holds_secrets
        """

    static func date(_ seconds: Double) -> Date {
        Date(timeIntervalSince1970: seconds)
    }

    static func operation(_ row: PostgresRow) throws -> QueuedOperation {
        let column = Columns(row)
        let id: Int64 = try column("id")
        let stateText: String = try column("state")
        let actionText: String = try column("action")
        guard let state = OperationState(rawValue: stateText), let action = OperationAction(rawValue: actionText) else {
            throw StoreError(.corrupt, "operation \(id) has an unknown state or action (\(stateText), \(actionText))")
        }
        let attributes: [QueuedAttribute]
        do {
            attributes = try StoredRows.decodeAttributes(try column("attributes"))
        } catch {
            throw StoreError(.corrupt, "operation \(id) has unreadable attributes")
        }
        let resultCode: String? = try column("result_code")
        let resultMessage: String? = try column("result_message")
        return QueuedOperation(
            id: id, requestID: try column("request_id"), requestedBy: try column("requested_by"),
            system: try column("system"), username: try column("username"), uid: try column("uid"), action: action,
            attributes: attributes, mustChange: try column("must_change"), state: state, attempts: try column("attempts"),
            maxAttempts: try column("max_attempts"), nextAttemptAt: date(try column("next_attempt_at")),
            wasInterrupted: try column("interrupted"), result: resultCode.map { OperationResult(code: $0, message: resultMessage ?? "") },
            createdAt: date(try column("created_at")), updatedAt: date(try column("updated_at")),
            holdsSecrets: try column("holds_secrets"))
    }

    static func identity(_ row: PostgresRow) throws -> Identity {
        let column = Columns(row)
        let username: String = try column("username")
        let attributes: [String: String]
        do {
            attributes = try StoredRows.decodeIdentityAttributes(try column("attributes"))
        } catch {
            throw StoreError(.corrupt, "identity \(username) has unreadable attributes")
        }
        return Identity(
            username: username, givenName: try column("given_name"), familyName: try column("family_name"),
            email: try column("email"), managerEmail: try column("manager_email"), attributes: attributes)
    }

    static func account(_ row: PostgresRow) throws -> AccountRecord {
        let column = Columns(row)
        let stateText: String = try column("state")
        guard let state = AccountRecord.State(rawValue: stateText) else {
            throw StoreError(.corrupt, "an account has an unknown state (\(stateText))")
        }
        return AccountRecord(
            username: try column("username"), system: try column("system"), uid: try column("uid"), state: state,
            locked: try column("locked"), mustChange: try column("must_change"), updatedAt: date(try column("updated_at")))
    }

    static func auditEntry(_ row: PostgresRow) throws -> AuditEntry {
        let column = Columns(row)
        return AuditEntry(
            id: try column("id"), at: date(try column("at")), actor: try column("actor"), action: try column("action"),
            username: try column("username"), system: try column("system"), uid: try column("uid"),
            operationID: try column("operation_id"), outcome: try column("outcome"), message: try column("message"))
    }

    /// A row's cells by column name.
    struct Columns {
        let row: PostgresRandomAccessRow

        init(_ row: PostgresRow) {
            self.row = row.makeRandomAccess()
        }

        func callAsFunction<Value: PostgresDecodable>(_ name: String) throws -> Value {
            try row[name].decode(Value.self)
        }

        /// A time column that may be NULL.
        func date(_ name: String) throws -> Date? {
            (try callAsFunction(name) as Double?).map(PostgresRows.date)
        }
    }
}

extension PostgresConnection {
    /// Runs `query` (values bound as parameters) and collects its rows.
    @discardableResult
    func run(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await self.query(query, logger: .silent).collect()
    }
}

extension Logger {
    /// A logger that drops everything: PostgresNIO's per-query lines are not ours to publish.
    static let silent = Logger(label: "keyward.store.postgres.silent", factory: { _ in SwiftLogNoOpLogHandler() })
}
