public import Foundation

/// The API clients' bearer tokens: created with a fresh secret of which
/// only the hash is kept, found by that hash, listed, revoked. Creating and
/// revoking are in the audit log (action `api-token`, no person).
public protocol APITokenStore: Store {
    /// Creates the token `name` with `scopes`, returning it with its secret
    /// (shown once). A revoked token's name can be used again; a live one's
    /// cannot (`.invalidState`).
    func createAPIToken(
        name: String, scopes: [String], createdBy: String, expiresAt: Date?, now: Date
    ) async throws -> IssuedAPIToken

    /// The token whose secret hashes to `hash`, revoked or expired ones
    /// included (the caller tells them apart); nil when none.
    func apiToken(hash: Data) async throws -> APIToken?

    /// The token presented as `secret`, if it exists; records the use (to
    /// the minute) when it is valid at `now`.
    func useAPIToken(secret: String, now: Date) async throws -> APIToken?

    /// Every token, revoked ones included, by name.
    func apiTokens() async throws -> [APIToken]

    /// Revokes the token `name`: it stops working at once. Fails with
    /// `.notFound` when there is none, `.invalidState` when it is revoked
    /// already.
    func revokeAPIToken(name: String, by actor: String, now: Date) async throws
}

extension APITokenStore {
    /// Creates a token as of now.
    public func createAPIToken(
        name: String, scopes: [String], createdBy: String, expiresAt: Date?
    ) async throws -> IssuedAPIToken {
        try await createAPIToken(name: name, scopes: scopes, createdBy: createdBy, expiresAt: expiresAt, now: Date())
    }

    /// Uses a token as of now.
    public func useAPIToken(secret: String) async throws -> APIToken? {
        try await useAPIToken(secret: secret, now: Date())
    }

    /// Revokes a token as of now.
    public func revokeAPIToken(name: String, by actor: String) async throws {
        try await revokeAPIToken(name: name, by: actor, now: Date())
    }
}

/// Everything `keyward serve` and `keyward run` need of a store: the queue
/// and records, the notification outbox and the API tokens. Both engines,
/// SQLite and PostgreSQL, are one.
public protocol ServingStore: NotificationOutbox, APITokenStore {
    /// Ends the store's background work (a PostgreSQL store's pool and lease
    /// renewal) at the end of a run; calls after it fail.
    func close() async
}

extension SQLiteStore: ServingStore {
    /// Nothing to end: SQLite has no background work (the file closes with the store).
    public func close() async {}
}
