public import Foundation
import KeywardCore
public import KeywardStore
import PostgresNIO
import Synchronization

extension PostgresStore {
    public func addMail(_ mail: NewOutboxMail, now: Date) async throws -> Int64 {
        let time = now.timeIntervalSince1970
        return try await transaction { connection in
            let key = self.keys.withLock { $0.current }
            // The row's id is bound into the sealed value, so the row comes
            // first (with an empty value, replaced in the same transaction).
            let inserted = try await connection.run("""
                INSERT INTO notification_outbox (
                    kind, username, system, request_id, waits_for, recipient_count, sealed_message, key_id,
                    carries_secret, state, attempts, next_attempt_at, created_at)
                VALUES (\(mail.kind), \(mail.username), \(mail.system), \(mail.requestID),
                    \(mail.waitsFor.map(String.init).joined(separator: ",")), \(mail.recipientCount), ''::bytea, '',
                    \(mail.carriesSecret), 'waiting', 0, \(time), \(time))
                RETURNING id
                """)
            guard let id = try inserted.first?.decode(Int64.self) else {
                throw StoreError(.database, "\(self.settings): a mail was not stored")
            }
            let sealed = try SecretSealer.seal(mail.payload, binding: .outbox(id: id), key: key)
            try await connection.run("""
                UPDATE notification_outbox SET sealed_message = \(sealed.combined), key_id = \(sealed.keyID) WHERE id = \(id)
                """)
            let waits =
                mail.waitsFor.isEmpty
                ? "" : ", waiting for operation(s) \(mail.waitsFor.map(String.init).joined(separator: ", "))"
            try await Self.auditMail(
                actor: mail.requestedBy, username: mail.username, system: mail.system, outcome: "queued",
                message: "\(mail.kind) mail to \(mail.recipientCount) recipient(s) queued\(waits)", at: time, connection)
            return id
        }
    }

    /// Claims due mails (see the requirement) with `FOR UPDATE SKIP LOCKED`:
    /// a mail one worker is claiming is skipped by the others, and its
    /// lease (`next_attempt_at` while `sending`) keeps it theirs after.
    public func claimDueMail(limit: Int, now: Date, lease: Duration) async throws -> [ClaimedOutboxMail] {
        guard limit > 0 else { return [] }
        let time = now.timeIntervalSince1970
        let until = time + Double(lease.components.seconds) + Double(lease.components.attoseconds) / 1e18
        return try await transaction { connection in
            let keyring = self.keys.withLock { $0 }
            let due = try await connection.run("""
                SELECT id, kind, username, system, waits_for, recipient_count, attempts, created_at, key_id, sealed_message
                FROM notification_outbox
                WHERE state IN ('waiting', 'retrying', 'sending') AND next_attempt_at <= \(time)
                ORDER BY id
                FOR UPDATE SKIP LOCKED
                """)
            var claimed: [ClaimedOutboxMail] = []
            for row in due where claimed.count < limit {
                let column = PostgresRows.Columns(row)
                let id: Int64 = try column("id")
                let (kind, username, system): (String, String, String) = (
                    try column("kind"), try column("username"), try column("system")
                )
                switch try await Self.awaited(try column("waits_for"), connection) {
                case .pending:
                    continue
                case .ended(let why):
                    try await Self.deleteMail(
                        id: id, username: username, system: system,
                        message: "\(kind) mail not sent: the operation failed (\(why))", at: time, connection)
                    continue
                case .executed:
                    break
                }
                let sealed = SealedSecret(keyID: try column("key_id"), combined: try column("sealed_message"))
                let payload: GuardedString
                do throws(StoreError) {
                    payload = try SecretSealer.open(sealed, binding: .outbox(id: id), keyring: keyring)
                } catch {
                    try await Self.deleteMail(
                        id: id, username: username, system: system, message: "\(kind) mail not sent: \(error.message)",
                        at: time, connection)
                    continue
                }
                try await connection.run("""
                    UPDATE notification_outbox SET state = 'sending', attempts = attempts + 1, next_attempt_at = \(until)
                    WHERE id = \(id)
                    """)
                claimed.append(
                    ClaimedOutboxMail(
                        id: id, kind: kind, username: username, system: system,
                        recipientCount: try column("recipient_count"), attempts: (try column("attempts") as Int) + 1,
                        createdAt: PostgresRows.date(try column("created_at")), payload: payload))
            }
            return claimed
        }
    }

    public func mailSent(id: Int64, now: Date) async throws {
        try await transaction { connection in
            guard let head = try await Self.mailHead(id: id, connection) else { return }
            try await Self.deleteMail(
                id: id, username: head.username, system: head.system,
                message: "\(head.kind) mail sent to \(head.recipientCount) recipient(s)", outcome: "sent",
                at: now.timeIntervalSince1970, connection)
        }
    }

    public func mailFailed(id: Int64, error: String, nextAttempt: Date, now: Date) async throws {
        let reason = String(error.prefix(500))
        try await transaction { connection in
            guard let head = try await Self.mailHead(id: id, connection) else { return }
            try await connection.run("""
                UPDATE notification_outbox SET state = 'retrying', next_attempt_at = \(nextAttempt.timeIntervalSince1970),
                    last_error = \(reason)
                WHERE id = \(id)
                """)
            try await Self.auditMail(
                actor: "outbox", username: head.username, system: head.system, outcome: "retrying",
                message: "\(head.kind) mail not sent (attempt \(head.attempts)), trying again at \(nextAttempt.formatted(.iso8601)): \(reason)",
                at: now.timeIntervalSince1970, connection)
        }
    }

    public func mailGivenUp(id: Int64, reason: String, now: Date) async throws {
        try await transaction { connection in
            guard let head = try await Self.mailHead(id: id, connection) else { return }
            try await Self.deleteMail(
                id: id, username: head.username, system: head.system,
                message: "\(head.kind) mail not sent after \(head.attempts) attempt(s): \(reason.prefix(500))",
                at: now.timeIntervalSince1970, connection)
        }
    }

    public func outbox() async throws -> [OutboxEntry] {
        try await transaction { connection in
            try await connection.run("SELECT * FROM notification_outbox ORDER BY id").map { row in
                let column = PostgresRows.Columns(row)
                let id: Int64 = try column("id")
                let stateText: String = try column("state")
                guard let state = OutboxEntry.State(rawValue: stateText) else {
                    throw StoreError(.corrupt, "outbox mail \(id) has an unknown state (\(stateText))")
                }
                return OutboxEntry(
                    id: id, kind: try column("kind"), username: try column("username"), system: try column("system"),
                    requestID: try column("request_id"), waitsFor: Self.operationIDs(try column("waits_for")),
                    recipientCount: try column("recipient_count"), carriesSecret: try column("carries_secret"),
                    keyID: try column("key_id"), state: state, attempts: try column("attempts"),
                    nextAttemptAt: PostgresRows.date(try column("next_attempt_at")),
                    createdAt: PostgresRows.date(try column("created_at")), lastError: try column("last_error"))
            }
        }
    }
}
