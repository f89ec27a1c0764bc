public import Foundation
public import KeywardStore
import PostgresNIO

/// The API clients' bearer tokens (table `api_tokens`), as ``SQLiteStore`` keeps them.
extension PostgresStore {
    /// How stale `last_used_at` may get before a use writes it again (to the minute).
    static let lastUsedResolution: TimeInterval = 60

    public func createAPIToken(
        name: String, scopes: [String], createdBy: String, expiresAt: Date?, now: Date
    ) async throws -> IssuedAPIToken {
        let secret = APITokenSecret.generate()
        let hash = APITokenSecret.hash(secret)
        let record = try await transaction { connection -> APIToken in
            // Two creations of one name at once: the second waits here for the first.
            try await connection.run("SELECT pg_advisory_xact_lock(hashtextextended(\(name), 0))")
            if let existing = try await Self.fetchAPIToken(name: name, connection) {
                guard existing.revokedAt != nil else {
                    throw StoreError(
                        .invalidState,
                        "an API token named '\(name)' exists already: revoke it (`keyward token revoke \(name)`) or choose another name")
                }
                try await connection.run("DELETE FROM api_tokens WHERE id = \(existing.id)")
            }
            let id = try await connection.run("""
                INSERT INTO api_tokens (name, token_hash, scopes, created_by, created_at, expires_at)
                VALUES (\(name), \(hash), \(scopes.joined(separator: " ")), \(createdBy), \(now.timeIntervalSince1970),
                    \(expiresAt?.timeIntervalSince1970))
                RETURNING id
                """
            ).first?.decode(Int64.self) ?? 0
            let expiry = expiresAt.map { "expires \($0.formatted(.iso8601))" } ?? "never expires"
            try await PostgresWrites.append(
                AuditEntry(
                    at: now, actor: createdBy, action: "api-token", username: "", outcome: "created",
                    message: "API token '\(name)' created with scopes \(scopes.joined(separator: ", ")); \(expiry)"),
                connection)
            return APIToken(id: id, name: name, scopes: scopes, createdBy: createdBy, createdAt: now, expiresAt: expiresAt)
        }
        return IssuedAPIToken(token: record, secret: secret)
    }

    public func apiToken(hash: Data) async throws -> APIToken? {
        try await transaction { connection in
            try await connection.run("SELECT * FROM api_tokens WHERE token_hash = \(hash)").first.map(Self.apiToken)
        }
    }

    public func useAPIToken(secret: String, now: Date) async throws -> APIToken? {
        guard var token = try await apiToken(hash: APITokenSecret.hash(secret)) else { return nil }
        let stale = token.lastUsedAt.map { now.timeIntervalSince($0) >= Self.lastUsedResolution } ?? true
        if token.revokedAt == nil, !token.isExpired(at: now), stale {
            let (id, time) = (token.id, now.timeIntervalSince1970)
            _ = try await transaction { connection in
                try await connection.run("UPDATE api_tokens SET last_used_at = \(time) WHERE id = \(id)")
            }
            token.lastUsedAt = now
        }
        return token
    }

    public func apiTokens() async throws -> [APIToken] {
        try await transaction { connection in
            try await connection.run("SELECT * FROM api_tokens ORDER BY name").map(Self.apiToken)
        }
    }

    public func revokeAPIToken(name: String, by actor: String, now: Date) async throws {
        try await transaction { connection in
            guard let token = try await Self.fetchAPIToken(name: name, connection, locking: true) else {
                throw StoreError(.notFound, "no API token is named '\(name)' (`keyward token list` shows them)")
            }
            guard token.revokedAt == nil else {
                throw StoreError(.invalidState, "the API token '\(name)' was revoked already")
            }
            try await connection.run(
                "UPDATE api_tokens SET revoked_at = \(now.timeIntervalSince1970) WHERE id = \(token.id)")
            try await PostgresWrites.append(
                AuditEntry(
                    at: now, actor: actor, action: "api-token", username: "", outcome: "revoked",
                    message: "API token '\(name)' revoked"),
                connection)
        }
    }

    private static func fetchAPIToken(
        name: String, _ connection: PostgresConnection, locking: Bool = false
    ) async throws -> APIToken? {
        let rows =
            locking
            ? try await connection.run("SELECT * FROM api_tokens WHERE name = \(name) FOR UPDATE")
            : try await connection.run("SELECT * FROM api_tokens WHERE name = \(name)")
        return try rows.first.map(apiToken)
    }

    private static func apiToken(_ row: PostgresRow) throws -> APIToken {
        let column = PostgresRows.Columns(row)
        let scopes: String = try column("scopes")
        return APIToken(
            id: try column("id"), name: try column("name"), scopes: scopes.split(separator: " ").map(String.init),
            createdBy: try column("created_by"), createdAt: PostgresRows.date(try column("created_at")),
            expiresAt: try column.date("expires_at"), lastUsedAt: try column.date("last_used_at"),
            revokedAt: try column.date("revoked_at"))
    }
}
