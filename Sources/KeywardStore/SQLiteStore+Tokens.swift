public import Foundation
import GRDB

extension SQLiteStore {
    public func issueSetPasswordToken(_ token: SetPasswordToken) async throws {
        try await write { db in
            try Self.revokeSetPasswordTokens(
                username: token.username, system: token.system, now: token.createdAt.timeIntervalSince1970, db)
            try StoredRows.execute(
                db, """
                    INSERT INTO set_password_tokens (
                        token_hash, username, system, created_by, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                [
                    token.hash, token.username, token.system, token.createdBy,
                    token.createdAt.timeIntervalSince1970, token.expiresAt.timeIntervalSince1970,
                ])
            try StoredRows.append(
                AuditEntry(
                    at: token.createdAt, actor: token.createdBy, action: "initialize", username: token.username,
                    system: token.system, outcome: "link-issued",
                    message: "set-password link valid until \(token.expiresAt.formatted(.iso8601))"),
                db)
        }
    }

    public func setPasswordToken(hash: Data) async throws -> SetPasswordToken? {
        try await read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM set_password_tokens WHERE token_hash = ?"), arguments: [hash]
            ).map { row in
                SetPasswordToken(
                    hash: row["token_hash"], username: row["username"], system: row["system"],
                    createdBy: row["created_by"], createdAt: StoredRows.date(row, "created_at"),
                    expiresAt: StoredRows.date(row, "expires_at"),
                    usedAt: (row["used_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                    revokedAt: (row["revoked_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    /// Uses up the link with this hash, or fails with `.invalidState` when
    /// it is no longer valid (rolling back the caller's transaction).
    static func consumeSetPasswordToken(_ hash: Data, now: Double, _ db: Database) throws {
        try StoredRows.execute(
            db, """
                UPDATE set_password_tokens SET used_at = ?
                WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?
                """,
            [now, hash, now])
        guard db.changesCount == 1 else {
            throw StoreError(.invalidState, "the set-password link is no longer valid (used, replaced or expired)")
        }
    }

    /// Revokes the links still open for the person's account on `system`.
    static func revokeSetPasswordTokens(username: String, system: String, now: Double, _ db: Database) throws {
        try StoredRows.execute(
            db, """
                UPDATE set_password_tokens SET revoked_at = ?
                WHERE username = ? AND system = ? AND used_at IS NULL AND revoked_at IS NULL
                """,
            [now, username, system])
    }
}
