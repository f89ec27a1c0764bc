public import Foundation
import GRDB
import KeywardCore
import Synchronization

extension SQLiteStore: NotificationOutbox {
    public func addMail(_ mail: NewOutboxMail, now: Date) async throws -> Int64 {
        let time = now.timeIntervalSince1970
        return try await write { db in
            let key = self.keys.withLock { $0.current }
            // The row's id is bound into the sealed value, so the row comes first
            // (with an empty value, replaced in the same transaction).
            try StoredRows.execute(
                db, """
                    INSERT INTO notification_outbox (
                        kind, username, system, request_id, waits_for, recipient_count, sealed_message, key_id,
                        carries_secret, state, attempts, next_attempt_at, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, x'', '', ?, 'waiting', 0, ?, ?)
                    """,
                [
                    mail.kind, mail.username, mail.system, mail.requestID,
                    mail.waitsFor.map(String.init).joined(separator: ","), mail.recipientCount, mail.carriesSecret,
                    time, time,
                ])
            let id = db.lastInsertedRowID
            let sealed = try SecretSealer.seal(mail.payload, binding: .outbox(id: id), key: key)
            try StoredRows.execute(
                db, "UPDATE notification_outbox SET sealed_message = ?, key_id = ? WHERE id = ?",
                [sealed.combined, sealed.keyID, id])
            let waits =
                mail.waitsFor.isEmpty
                ? "" : ", waiting for operation(s) \(mail.waitsFor.map(String.init).joined(separator: ", "))"
            try Self.auditMail(
                actor: mail.requestedBy, username: mail.username, system: mail.system, outcome: "queued",
                message: "\(mail.kind) mail to \(mail.recipientCount) recipient(s) queued\(waits)", at: time, db)
            return id
        }
    }

    public func claimDueMail(limit: Int, now: Date, lease: Duration) async throws -> [ClaimedOutboxMail] {
        guard limit > 0 else { return [] }
        let time = now.timeIntervalSince1970
        let until = time + Double(lease.components.seconds) + Double(lease.components.attoseconds) / 1e18
        return try await write { db in
            let keyring = self.keys.withLock { $0 }
            let due = try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT id, kind, username, system, waits_for FROM notification_outbox
                    WHERE state IN ('waiting', 'retrying', 'sending') AND next_attempt_at <= ?
                    ORDER BY id
                    """),
                arguments: [time])
            var claimed: [ClaimedOutboxMail] = []
            for row in due where claimed.count < limit {
                let id: Int64 = row["id"]
                let (kind, username, system): (String, String, String) = (row["kind"], row["username"], row["system"])
                switch try Self.awaited(row["waits_for"], db) {
                case .pending:
                    continue
                case .ended(let why):
                    try Self.deleteMail(id: id, username: username, system: system,
                        message: "\(kind) mail not sent: the operation failed (\(why))", at: time, db)
                    continue
                case .executed:
                    break
                }
                try StoredRows.execute(
                    db, "UPDATE notification_outbox SET state = 'sending', attempts = attempts + 1, next_attempt_at = ? WHERE id = ?",
                    [until, id])
                guard let full = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM notification_outbox WHERE id = ?"), arguments: [id])
                else { continue }
                let payload: GuardedString
                do throws(StoreError) {
                    payload = try SecretSealer.open(
                        SealedSecret(keyID: full["key_id"], combined: full["sealed_message"]), binding: .outbox(id: id),
                        keyring: keyring)
                } catch {
                    try Self.deleteMail(id: id, username: username, system: system,
                        message: "\(kind) mail not sent: \(error.message)", at: time, db)
                    continue
                }
                claimed.append(
                    ClaimedOutboxMail(
                        id: id, kind: kind, username: username, system: system, recipientCount: full["recipient_count"],
                        attempts: full["attempts"], createdAt: StoredRows.date(full, "created_at"), payload: payload))
            }
            return claimed
        }
    }

    public func mailSent(id: Int64, now: Date) async throws {
        try await write { db in
            guard let head = try Self.mailHead(id: id, db) else { return }
            try Self.deleteMail(id: id, username: head.username, system: head.system,
                message: "\(head.kind) mail sent to \(head.recipientCount) recipient(s)", outcome: "sent",
                at: now.timeIntervalSince1970, db)
        }
    }

    public func mailFailed(id: Int64, error: String, nextAttempt: Date, now: Date) async throws {
        let reason = String(error.prefix(500))
        try await write { db in
            guard let head = try Self.mailHead(id: id, db) else { return }
            try StoredRows.execute(
                db, "UPDATE notification_outbox SET state = 'retrying', next_attempt_at = ?, last_error = ? WHERE id = ?",
                [nextAttempt.timeIntervalSince1970, reason, id])
            try Self.auditMail(
                actor: "outbox", username: head.username, system: head.system, outcome: "retrying",
                message: "\(head.kind) mail not sent (attempt \(head.attempts)), trying again at \(nextAttempt.formatted(.iso8601)): \(reason)",
                at: now.timeIntervalSince1970, db)
        }
    }

    public func mailGivenUp(id: Int64, reason: String, now: Date) async throws {
        try await write { db in
            guard let head = try Self.mailHead(id: id, db) else { return }
            try Self.deleteMail(id: id, username: head.username, system: head.system,
                message: "\(head.kind) mail not sent after \(head.attempts) attempt(s): \(reason.prefix(500))",
                at: now.timeIntervalSince1970, db)
        }
    }

    public func outbox() async throws -> [OutboxEntry] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM notification_outbox ORDER BY id").map { row in
                let stateText: String = row["state"]
                guard let state = OutboxEntry.State(rawValue: stateText) else {
                    throw StoreError(.corrupt, "outbox mail \(row["id"] as Int64) has an unknown state (\(stateText))")
                }
                return OutboxEntry(
                    id: row["id"], kind: row["kind"], username: row["username"], system: row["system"],
                    requestID: row["request_id"], waitsFor: Self.operationIDs(row["waits_for"]),
                    recipientCount: row["recipient_count"], carriesSecret: row["carries_secret"], keyID: row["key_id"],
                    state: state, attempts: row["attempts"], nextAttemptAt: StoredRows.date(row, "next_attempt_at"),
                    createdAt: StoredRows.date(row, "created_at"), lastError: row["last_error"])
            }
        }
    }

    // MARK: Keys

    /// Re-seals every waiting mail under `newKey` (inside ``rotateKey(to:)``'s
    /// transaction); returns how many.
    static func resealOutbox(keyring: Keyring, to newKey: MasterKey, _ db: Database) throws -> Int {
        let rows = try Row.fetchAll(db, sql: "SELECT id, key_id, sealed_message FROM notification_outbox")
        for row in rows {
            let id: Int64 = row["id"]
            let sealed = SealedSecret(keyID: row["key_id"], combined: row["sealed_message"])
            let payload = try SecretSealer.open(sealed, binding: .outbox(id: id), keyring: keyring)
            let resealed = try SecretSealer.seal(payload, binding: .outbox(id: id), key: newKey)
            try StoredRows.execute(
                db, "UPDATE notification_outbox SET key_id = ?, sealed_message = ? WHERE id = ?",
                [resealed.keyID, resealed.combined, id])
        }
        return rows.count
    }

    /// How many mails each key sealed (for ``secretCounts()``).
    static func outboxCounts(_ db: Database) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT key_id, COUNT(*) AS count FROM notification_outbox GROUP BY key_id") {
            counts[row["key_id"]] = row["count"]
        }
        return counts
    }

    // MARK: Helpers

    /// Where a mail's operations are.
    private enum Awaited {
        case executed
        case pending
        /// One ended without executing (or is gone): which, and how.
        case ended(String)
    }

    private static func awaited(_ waitsFor: String, _ db: Database) throws -> Awaited {
        var pending = false
        for id in operationIDs(waitsFor) {
            let state = try String.fetchOne(
                db.cachedStatement(sql: "SELECT state FROM operations WHERE id = ?"), arguments: [id])
            switch state {
            case nil: return .ended("operation \(id) does not exist")
            case "executed": continue
            case "failed", "blocked", "cancelled": return .ended("operation \(id) \(state!)")
            default: pending = true
            }
        }
        return pending ? .pending : .executed
    }

    private static func operationIDs(_ text: String) -> [Int64] {
        text.split(separator: ",").compactMap { Int64($0) }
    }

    private struct MailHead {
        let kind: String
        let username: String
        let system: String
        let recipientCount: Int
        let attempts: Int
    }

    private static func mailHead(id: Int64, _ db: Database) throws -> MailHead? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT kind, username, system, recipient_count, attempts FROM notification_outbox WHERE id = ?"),
            arguments: [id]
        ).map { MailHead(kind: $0[0], username: $0[1], system: $0[2], recipientCount: $0[3], attempts: $0[4]) }
    }

    /// Deletes the mail (`secure_delete` zeroes its pages) with an audit entry.
    private static func deleteMail(
        id: Int64, username: String, system: String, message: String, outcome: String = "not-sent",
        at time: Double, _ db: Database
    ) throws {
        try StoredRows.execute(db, "DELETE FROM notification_outbox WHERE id = ?", [id])
        try auditMail(actor: "outbox", username: username, system: system, outcome: outcome, message: message, at: time, db)
    }

    private static func auditMail(
        actor: String, username: String, system: String, outcome: String, message: String, at time: Double,
        _ db: Database
    ) throws {
        try StoredRows.append(
            AuditEntry(
                at: Date(timeIntervalSince1970: time), actor: actor, action: "mail", username: username, system: system,
                outcome: outcome, message: message),
            db)
    }
}

extension SealBinding {
    /// An outbox mail's payload, bound to its row.
    package static func outbox(id: Int64) -> SealBinding {
        SealBinding(associatedData: Data("keyward-outbox-v1|\(id)".utf8)) {
            ("outbox mail \(id)", "outbox mail \(id)", "ask for the operation again (the mail is deleted)")
        }
    }
}
