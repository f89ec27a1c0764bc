import KeywardStore
import Logging
import PostgresNIO

/// The schema's migrations, the same versions as ``SQLiteStore``'s in
/// PostgreSQL's types (BIGSERIAL ids, BYTEA for sealed values and hashes,
/// BOOLEAN flags, times as DOUBLE PRECISION seconds since 1970), plus the
/// lease of a claim (`lease_until`, `claimed_by`), which only a store that
/// several processes share needs. A migration, once released, never
/// changes: a schema change is a new migration.
///
/// They run at open in one transaction under an advisory lock, so that
/// nodes starting together migrate once: the first applies them, the others
/// wait for its commit and find nothing left to do.
enum PostgresMigrations {
    /// The advisory lock's key: "Keyward" in ASCII.
    static let lockKey: Int64 = 0x4B_6579_7761_7264

    static let all: [(id: String, statements: [String])] = [
        ("v1", v1), ("v2: set-password tokens", v2), ("v3: API tokens and the notification outbox", v3),
        ("v4: the index of claimable operations", v4),
        ("v5: the index of open operations without an IN list", v5),
    ]

    /// Connects once (so that a wrong password or certificate is reported
    /// as such), brings the schema up to date, and disconnects.
    static func migrate(settings: PostgresStoreSettings, tls: PostgresTLS, logger: Logger) async throws(StoreError) {
        let configuration = try tls.connectionConfiguration(settings)
        do {
            let connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: .silent)
            do {
                let applied = try await connection.withTransaction(logger: .silent) { connection in
                    try await apply(connection, settings: settings)
                }
                try? await connection.close()
                if !applied.isEmpty {
                    logger.notice("store: \(settings) migrated to \(applied.joined(separator: ", "))")
                }
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            throw PostgresStoreErrors.map(error, settings)
        }
    }

    /// Applies the migrations this database lacks; returns their ids.
    private static func apply(_ connection: PostgresConnection, settings: PostgresStoreSettings) async throws -> [String] {
        try await connection.run("SELECT pg_advisory_xact_lock(\(lockKey))")
        try await connection.run(
            "CREATE TABLE IF NOT EXISTS keyward_migrations (id TEXT PRIMARY KEY, applied_at DOUBLE PRECISION NOT NULL)")
        let applied = Set(try await connection.run("SELECT id FROM keyward_migrations").map { try $0.decode(String.self) })
        let unknown = applied.subtracting(all.map(\.id)).sorted()
        guard unknown.isEmpty else {
            throw StoreError(
                .tooNew,
                "\(settings) was written by a newer Keyward (schema \(unknown.joined(separator: ", ")), which this build does not know); upgrade Keyward to open it")
        }
        var done: [String] = []
        for migration in all where !applied.contains(migration.id) {
            for statement in migration.statements {
                try await connection.run(PostgresQuery(unsafeSQL: statement))
            }
            try await connection.run(
                "INSERT INTO keyward_migrations (id, applied_at) VALUES (\(migration.id), extract(epoch FROM now()))")
            done.append(migration.id)
        }
        return done
    }

    private static let v1 = [
        """
        CREATE TABLE identities (
            username TEXT NOT NULL PRIMARY KEY, given_name TEXT, family_name TEXT, email TEXT, manager_email TEXT,
            attributes TEXT NOT NULL DEFAULT '{}')
        """,
        """
        CREATE TABLE accounts (
            username TEXT NOT NULL, system TEXT NOT NULL, uid TEXT NOT NULL, state TEXT NOT NULL, locked BOOLEAN,
            must_change BOOLEAN, updated_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (username, system))
        """,
        "CREATE INDEX accounts_system_uid ON accounts (system, uid)",
        """
        CREATE TABLE operations (
            id BIGSERIAL PRIMARY KEY, request_id TEXT NOT NULL, requested_by TEXT NOT NULL, system TEXT NOT NULL,
            username TEXT NOT NULL, uid TEXT NOT NULL, action TEXT NOT NULL, attributes TEXT NOT NULL DEFAULT '[]',
            must_change BOOLEAN, state TEXT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0, max_attempts BIGINT NOT NULL,
            next_attempt_at DOUBLE PRECISION NOT NULL, interrupted BOOLEAN NOT NULL DEFAULT FALSE, result_code TEXT,
            result_message TEXT, created_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL,
            lease_until DOUBLE PRECISION, claimed_by TEXT)
        """,
        "CREATE INDEX operations_due ON operations (state, next_attempt_at)",
        "CREATE INDEX operations_account ON operations (system, uid, id)",
        "CREATE INDEX operations_username ON operations (username, id)",
        "CREATE INDEX operations_leases ON operations (lease_until) WHERE state = 'running'",
        """
        CREATE TABLE secrets (
            operation_id BIGINT NOT NULL REFERENCES operations (id) ON DELETE CASCADE, name TEXT NOT NULL,
            key_id TEXT NOT NULL, sealed BYTEA NOT NULL, PRIMARY KEY (operation_id, name))
        """,
        """
        CREATE TABLE audit (
            id BIGSERIAL PRIMARY KEY, at DOUBLE PRECISION NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
            username TEXT NOT NULL, system TEXT, uid TEXT, operation_id BIGINT, outcome TEXT NOT NULL,
            message TEXT NOT NULL DEFAULT '')
        """,
        "CREATE INDEX audit_username_at ON audit (username, at)",
        "CREATE INDEX audit_at ON audit (at)",
    ]

    private static let v2 = [
        """
        CREATE TABLE set_password_tokens (
            token_hash BYTEA NOT NULL PRIMARY KEY, username TEXT NOT NULL, system TEXT NOT NULL,
            created_by TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL, expires_at DOUBLE PRECISION NOT NULL,
            used_at DOUBLE PRECISION, revoked_at DOUBLE PRECISION)
        """,
        "CREATE INDEX set_password_tokens_account ON set_password_tokens (username, system)",
    ]

    private static let v3 = [
        """
        CREATE TABLE api_tokens (
            id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, token_hash BYTEA NOT NULL UNIQUE,
            scopes TEXT NOT NULL, created_by TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL,
            expires_at DOUBLE PRECISION, last_used_at DOUBLE PRECISION, revoked_at DOUBLE PRECISION)
        """,
        """
        CREATE TABLE notification_outbox (
            id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, username TEXT NOT NULL, system TEXT NOT NULL,
            request_id TEXT NOT NULL DEFAULT '', waits_for TEXT NOT NULL DEFAULT '',
            recipient_count BIGINT NOT NULL DEFAULT 0, sealed_message BYTEA NOT NULL, key_id TEXT NOT NULL,
            carries_secret BOOLEAN NOT NULL DEFAULT FALSE, state TEXT NOT NULL DEFAULT 'waiting',
            attempts BIGINT NOT NULL DEFAULT 0, next_attempt_at DOUBLE PRECISION NOT NULL,
            created_at DOUBLE PRECISION NOT NULL, last_error TEXT NOT NULL DEFAULT '')
        """,
        "CREATE INDEX notification_outbox_due ON notification_outbox (state, next_attempt_at)",
        "CREATE INDEX operations_open ON operations (system, uid, id) WHERE state IN ('created', 'retrying', 'running')",
    ]

    /// See ``PostgresStore/claimCandidates``.
    private static let v4 = [
        "CREATE INDEX operations_claimable ON operations (id) WHERE state IN ('created', 'retrying')",
    ]

    /// Nothing: SQLite's v5 rewrites its `operations_open` because SQLite
    /// codes an IN list of three values as a temporary B-tree at every
    /// write; PostgreSQL's IN list costs nothing of the kind. The version is
    /// recorded so that both stores keep the same ones.
    private static let v5: [String] = []
}
