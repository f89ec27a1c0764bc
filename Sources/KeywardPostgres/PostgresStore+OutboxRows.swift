import Foundation
import KeywardCore
import KeywardStore
import PostgresNIO

extension PostgresStore {
    /// Re-seals every waiting mail under `newKey` (inside ``rotateKey(to:)``'s
    /// transaction); returns how many.
    static func resealOutbox(keyring: Keyring, to newKey: MasterKey, _ connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.run("SELECT id, key_id, sealed_message FROM notification_outbox FOR UPDATE")
        for row in rows {
            let (id, keyID, combined) = try row.decode((Int64, String, Data).self)
            let payload = try SecretSealer.open(SealedSecret(keyID: keyID, combined: combined), binding: .outbox(id: id), keyring: keyring)
            let resealed = try SecretSealer.seal(payload, binding: .outbox(id: id), key: newKey)
            try await connection.run("""
                UPDATE notification_outbox SET key_id = \(resealed.keyID), sealed_message = \(resealed.combined)
                WHERE id = \(id)
                """)
        }
        return rows.count
    }

    /// Where a mail's operations are.
    enum Awaited {
        case executed
        case pending
        /// One ended without executing (or is gone): which, and how.
        case ended(String)
    }

    static func awaited(_ waitsFor: String, _ connection: PostgresConnection) async throws -> Awaited {
        var pending = false
        for id in operationIDs(waitsFor) {
            let state = try await connection.run("SELECT state FROM operations WHERE id = \(id)").first?.decode(String.self)
            switch state {
            case nil: return .ended("operation \(id) does not exist")
            case "executed": continue
            case "failed", "blocked", "cancelled": return .ended("operation \(id) \(state ?? "")")
            default: pending = true
            }
        }
        return pending ? .pending : .executed
    }

    static func operationIDs(_ text: String) -> [Int64] {
        text.split(separator: ",").compactMap { Int64($0) }
    }

    struct MailHead {
        let kind: String
        let username: String
        let system: String
        let recipientCount: Int
        let attempts: Int
    }

    static func mailHead(id: Int64, _ connection: PostgresConnection) async throws -> MailHead? {
        try await connection.run("""
            SELECT kind, username, system, recipient_count, attempts FROM notification_outbox WHERE id = \(id) FOR UPDATE
            """
        ).first.map { row in
            let (kind, username, system, count, attempts) = try row.decode((String, String, String, Int, Int).self)
            return MailHead(kind: kind, username: username, system: system, recipientCount: count, attempts: attempts)
        }
    }

    /// Deletes the mail with an audit entry.
    static func deleteMail(
        id: Int64, username: String, system: String, message: String, outcome: String = "not-sent",
        at time: Double, _ connection: PostgresConnection
    ) async throws {
        try await connection.run("DELETE FROM notification_outbox WHERE id = \(id)")
        try await auditMail(
            actor: "outbox", username: username, system: system, outcome: outcome, message: message, at: time, connection)
    }

    static func auditMail(
        actor: String, username: String, system: String, outcome: String, message: String, at time: Double,
        _ connection: PostgresConnection
    ) async throws {
        try await PostgresWrites.append(
            AuditEntry(
                at: Date(timeIntervalSince1970: time), actor: actor, action: "mail", username: username, system: system,
                outcome: outcome, message: message),
            connection)
    }
}
