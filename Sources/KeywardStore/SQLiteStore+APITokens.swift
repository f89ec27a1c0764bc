public import Foundation
import GRDB

/// The API clients' bearer tokens (table `api_tokens`): created with a
/// fresh secret of which only the hash is kept, found by that hash, listed,
/// revoked. Creating and revoking are in the audit log (action `api-token`,
/// no person).
extension SQLiteStore {
    /// How stale `last_used_at` may get before a use writes it again: a use
    /// is recorded to the minute, so a busy client does not turn every
    /// request into a write.
    static let lastUsedResolution: TimeInterval = 60

    /// Creates the token `name` with `scopes`, returning it with its secret
    /// (shown once). A revoked token's name can be used again; a live one's
    /// cannot (`.invalidState`).
    public func createAPIToken(
        name: String, scopes: [String], createdBy: String, expiresAt: Date?, now: Date
    ) async throws -> IssuedAPIToken {
        let secret = APITokenSecret.generate()
        let hash = APITokenSecret.hash(secret)
        let record = try await write { db -> APIToken in
            if let existing = try Self.fetchAPIToken("name = ?", [name], db) {
                guard existing.revokedAt != nil else {
                    throw StoreError(
                        .invalidState,
                        "an API token named '\(name)' exists already: revoke it (`keyward token revoke \(name)`) or choose another name")
                }
                try StoredRows.execute(db, "DELETE FROM api_tokens WHERE id = ?", [existing.id])
            }
            try StoredRows.execute(
                db, """
                    INSERT INTO api_tokens (name, token_hash, scopes, created_by, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                [name, hash, scopes.joined(separator: " "), createdBy, now.timeIntervalSince1970, expiresAt?.timeIntervalSince1970])
            let expiry = expiresAt.map { "expires \($0.formatted(.iso8601))" } ?? "never expires"
            try StoredRows.append(
                AuditEntry(
                    at: now, actor: createdBy, action: "api-token", username: "", outcome: "created",
                    message: "API token '\(name)' created with scopes \(scopes.joined(separator: ", ")); \(expiry)"),
                db)
            return APIToken(
                id: db.lastInsertedRowID, name: name, scopes: scopes, createdBy: createdBy, createdAt: now, expiresAt: expiresAt)
        }
        return IssuedAPIToken(token: record, secret: secret)
    }

    /// The token whose secret hashes to `hash`, revoked or expired ones
    /// included (the caller tells them apart); nil when none.
    public func apiToken(hash: Data) async throws -> APIToken? {
        try await read { db in try Self.fetchAPIToken("token_hash = ?", [hash], db) }
    }

    /// The token presented as `secret`, if it exists; records the use (to
    /// the minute) when it is valid at `now`.
    public func useAPIToken(secret: String, now: Date) async throws -> APIToken? {
        guard var token = try await apiToken(hash: APITokenSecret.hash(secret)) else { return nil }
        let stale = token.lastUsedAt.map { now.timeIntervalSince($0) >= Self.lastUsedResolution } ?? true
        if token.revokedAt == nil, !token.isExpired(at: now), stale {
            let (id, time) = (token.id, now.timeIntervalSince1970)
            try await write { db in
                try StoredRows.execute(db, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", [time, id])
            }
            token.lastUsedAt = now
        }
        return token
    }

    /// Every token, revoked ones included, by name.
    public func apiTokens() async throws -> [APIToken] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_tokens ORDER BY name").map(Self.apiToken)
        }
    }

    /// Revokes the token `name`: it stops working at once. Fails with
    /// `.notFound` when there is none, `.invalidState` when it is revoked
    /// already.
    public func revokeAPIToken(name: String, by actor: String, now: Date) async throws {
        try await write { db in
            guard let token = try Self.fetchAPIToken("name = ?", [name], db) else {
                throw StoreError(.notFound, "no API token is named '\(name)' (`keyward token list` shows them)")
            }
            guard token.revokedAt == nil else {
                throw StoreError(.invalidState, "the API token '\(name)' was revoked already")
            }
            try StoredRows.execute(
                db, "UPDATE api_tokens SET revoked_at = ? WHERE id = ?", [now.timeIntervalSince1970, token.id])
            try StoredRows.append(
                AuditEntry(
                    at: now, actor: actor, action: "api-token", username: "", outcome: "revoked",
                    message: "API token '\(name)' revoked"),
                db)
        }
    }

    private static func fetchAPIToken(_ condition: String, _ arguments: StatementArguments, _ db: Database) throws
        -> APIToken?
    {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM api_tokens WHERE \(condition)"), arguments: arguments)
            .map(apiToken)
    }

    private static func apiToken(_ row: Row) -> APIToken {
        let scopes: String = row["scopes"]
        return APIToken(
            id: row["id"], name: row["name"], scopes: scopes.split(separator: " ").map(String.init),
            createdBy: row["created_by"], createdAt: StoredRows.date(row, "created_at"),
            expiresAt: (row["expires_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            lastUsedAt: (row["last_used_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            revokedAt: (row["revoked_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
    }
}
