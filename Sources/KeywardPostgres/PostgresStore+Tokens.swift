public import Foundation
public import KeywardStore
import PostgresNIO

extension PostgresStore {
    public func issueSetPasswordToken(_ token: SetPasswordToken) async throws {
        try await transaction { connection in
            try await Self.revokeSetPasswordTokens(
                username: token.username, system: token.system, now: token.createdAt.timeIntervalSince1970, connection)
            try await connection.run("""
                INSERT INTO set_password_tokens (token_hash, username, system, created_by, created_at, expires_at)
                VALUES (\(token.hash), \(token.username), \(token.system), \(token.createdBy),
                    \(token.createdAt.timeIntervalSince1970), \(token.expiresAt.timeIntervalSince1970))
                """)
            try await PostgresWrites.append(
                AuditEntry(
                    at: token.createdAt, actor: token.createdBy, action: "initialize", username: token.username,
                    system: token.system, outcome: "link-issued",
                    message: "set-password link valid until \(token.expiresAt.formatted(.iso8601))"),
                connection)
        }
    }

    public func setPasswordToken(hash: Data) async throws -> SetPasswordToken? {
        try await transaction { connection in
            try await connection.run("SELECT * FROM set_password_tokens WHERE token_hash = \(hash)").first.map { row in
                let column = PostgresRows.Columns(row)
                return SetPasswordToken(
                    hash: try column("token_hash"), username: try column("username"), system: try column("system"),
                    createdBy: try column("created_by"), createdAt: PostgresRows.date(try column("created_at")),
                    expiresAt: PostgresRows.date(try column("expires_at")), usedAt: try column.date("used_at"),
                    revokedAt: try column.date("revoked_at"))
            }
        }
    }

    /// Uses up the link with this hash, or fails with `.invalidState` when
    /// it is no longer valid (rolling back the caller's transaction).
    static func consumeSetPasswordToken(_ hash: Data, now: Double, _ connection: PostgresConnection) async throws {
        let used = try await connection.run("""
            UPDATE set_password_tokens SET used_at = \(now)
            WHERE token_hash = \(hash) AND used_at IS NULL AND revoked_at IS NULL AND expires_at > \(now)
            RETURNING token_hash
            """)
        guard used.count == 1 else {
            throw StoreError(.invalidState, "the set-password link is no longer valid (used, replaced or expired)")
        }
    }

    /// Revokes the links still open for the person's account on `system`.
    static func revokeSetPasswordTokens(
        username: String, system: String, now: Double, _ connection: PostgresConnection
    ) async throws {
        try await connection.run("""
            UPDATE set_password_tokens SET revoked_at = \(now)
            WHERE username = \(username) AND system = \(system) AND used_at IS NULL AND revoked_at IS NULL
            """)
    }
}
