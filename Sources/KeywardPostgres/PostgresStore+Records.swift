import Foundation
public import KeywardCore
public import KeywardStore
import PostgresNIO

extension PostgresStore {
    // MARK: Identities

    /// Imports in transactions of ``identityChunk`` rows, so that a large
    /// file is not one transaction bound by the `timeout` setting; an import
    /// cut short leaves whole chunks, and running it again completes it.
    public func upsertIdentities(_ identities: [Identity]) async throws -> ImportSummary {
        let rows = try identities.map { ($0, try StoredRows.identityAttributesJSON($0.attributes)) }
        var summary = ImportSummary()
        for start in stride(from: 0, to: rows.count, by: Self.identityChunk) {
            let chunk = rows[start..<min(start + Self.identityChunk, rows.count)]
            let part = try await transaction { connection in
                var part = ImportSummary()
                for (identity, attributes) in chunk {
                    // xmax is 0 on a row this statement inserted, not on one it updated.
                    let inserted = try await connection.run("""
                        INSERT INTO identities (username, given_name, family_name, email, manager_email, attributes)
                        VALUES (\(identity.username), \(identity.givenName), \(identity.familyName), \(identity.email),
                            \(identity.managerEmail), \(attributes))
                        ON CONFLICT (username) DO UPDATE SET
                            given_name = excluded.given_name, family_name = excluded.family_name,
                            email = excluded.email, manager_email = excluded.manager_email, attributes = excluded.attributes
                        RETURNING (xmax = 0) AS inserted
                        """
                    ).first?.decode(Bool.self) ?? false
                    if inserted { part.inserted += 1 } else { part.updated += 1 }
                }
                return part
            }
            summary.inserted += part.inserted
            summary.updated += part.updated
        }
        return summary
    }

    /// Rows per transaction of ``upsertIdentities(_:)``.
    static let identityChunk = 500

    public func identity(username: String) async throws -> Identity? {
        try await transaction { connection in try await Self.fetchIdentity(username: username, connection) }
    }

    public func identities() async throws -> [Identity] {
        try await transaction { connection in
            try await connection.run("SELECT * FROM identities ORDER BY username").map(PostgresRows.identity)
        }
    }

    public func identityAndAccounts(username: String) async throws -> (Identity, [AccountRecord])? {
        let found = try await transaction { connection -> IdentityAndAccounts? in
            guard let identity = try await Self.fetchIdentity(username: username, connection) else { return nil }
            return IdentityAndAccounts(identity: identity, accounts: try await Self.fetchAccounts(username: username, connection))
        }
        return found.map { ($0.identity, $0.accounts) }
    }

    private struct IdentityAndAccounts: Sendable {
        let identity: Identity
        let accounts: [AccountRecord]
    }

    private static func fetchIdentity(username: String, _ connection: PostgresConnection) async throws -> Identity? {
        try await connection.run("SELECT * FROM identities WHERE username = \(username)").first.map(PostgresRows.identity)
    }

    private static func fetchAccounts(username: String, _ connection: PostgresConnection) async throws -> [AccountRecord] {
        try await connection.run("SELECT * FROM accounts WHERE username = \(username) ORDER BY system")
            .map(PostgresRows.account)
    }

    // MARK: Accounts

    public func accounts(username: String) async throws -> [AccountRecord] {
        try await transaction { connection in try await Self.fetchAccounts(username: username, connection) }
    }

    public func account(username: String, system: String) async throws -> AccountRecord? {
        try await transaction { connection in
            try await connection.run("SELECT * FROM accounts WHERE username = \(username) AND system = \(system)")
                .first.map(PostgresRows.account)
        }
    }

    public func saveAccount(_ account: AccountRecord) async throws {
        try await transaction { connection in try await PostgresWrites.save(account, connection) }
    }

    // MARK: Audit

    public func appendAudit(_ entries: [AuditEntry]) async throws {
        try await transaction { connection in
            for entry in entries { try await PostgresWrites.append(entry, connection) }
        }
    }

    public func audit(_ filter: AuditFilter) async throws -> [AuditEntry] {
        var conditions: [String] = []
        var binds = PostgresBindings()
        if let username = filter.username {
            binds.append(username)
            conditions.append("username = $\(binds.count)")
        }
        if let since = filter.since {
            binds.append(since.timeIntervalSince1970)
            conditions.append("at >= $\(binds.count)")
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        binds.append(max(0, filter.limit))
        let query = PostgresQuery(
            unsafeSQL: "SELECT * FROM audit \(whereClause) ORDER BY at DESC, id DESC LIMIT $\(binds.count)", binds: binds)
        return try await transaction { connection in try await connection.run(query).map(PostgresRows.auditEntry) }
    }
}
