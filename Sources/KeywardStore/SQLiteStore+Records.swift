import Foundation
import GRDB
public import KeywardCore

extension SQLiteStore {
    // MARK: Identities

    public func upsertIdentities(_ identities: [Identity]) async throws -> ImportSummary {
        try await write { db in
            var summary = ImportSummary()
            for identity in identities {
                let exists =
                    try Bool.fetchOne(
                        db, sql: "SELECT EXISTS (SELECT 1 FROM identities WHERE username = ?)",
                        arguments: [identity.username]) ?? false
                try db.execute(
                    sql: """
                        INSERT INTO identities (username, given_name, family_name, email, manager_email, attributes)
                        VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (username) DO UPDATE SET
                            given_name = excluded.given_name, family_name = excluded.family_name,
                            email = excluded.email, manager_email = excluded.manager_email,
                            attributes = excluded.attributes
                        """,
                    arguments: [
                        identity.username, identity.givenName, identity.familyName, identity.email,
                        identity.managerEmail, try StoredRows.identityAttributesJSON(identity.attributes),
                    ])
                if exists { summary.updated += 1 } else { summary.inserted += 1 }
            }
            return summary
        }
    }

    public func identity(username: String) async throws -> Identity? {
        try await read { db in try Self.fetchIdentity(username: username, db) }
    }

    public func identities() async throws -> [Identity] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM identities ORDER BY username").map(StoredRows.identity)
        }
    }

    public func identityAndAccounts(username: String) async throws -> (Identity, [AccountRecord])? {
        try await read { db in
            guard let identity = try Self.fetchIdentity(username: username, db) else { return nil }
            return (identity, try Self.fetchAccounts(username: username, db))
        }
    }

    private static func fetchIdentity(username: String, _ db: Database) throws -> Identity? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM identities WHERE username = ?"), arguments: [username])
            .map(StoredRows.identity)
    }

    private static func fetchAccounts(username: String, _ db: Database) throws -> [AccountRecord] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM accounts WHERE username = ? ORDER BY system"), arguments: [username]
        ).map(StoredRows.account)
    }

    // MARK: Accounts

    public func accounts(username: String) async throws -> [AccountRecord] {
        try await read { db in try Self.fetchAccounts(username: username, db) }
    }

    public func account(username: String, system: String) async throws -> AccountRecord? {
        try await read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM accounts WHERE username = ? AND system = ?"),
                arguments: [username, system]
            ).map(StoredRows.account)
        }
    }

    public func saveAccount(_ account: AccountRecord) async throws {
        try await write { db in try StoredRows.save(account, db) }
    }

    // MARK: Audit

    public func appendAudit(_ entries: [AuditEntry]) async throws {
        try await write { db in
            for entry in entries { try StoredRows.append(entry, db) }
        }
    }

    public func audit(_ filter: AuditFilter) async throws -> [AuditEntry] {
        try await read { db in
            var conditions: [String] = []
            var arguments = StatementArguments()
            if let username = filter.username {
                conditions.append("username = ?")
                arguments += [username]
            }
            if let since = filter.since {
                conditions.append("at >= ?")
                arguments += [since.timeIntervalSince1970]
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            arguments += [max(0, filter.limit)]
            return try Row.fetchAll(
                db, sql: "SELECT * FROM audit \(whereClause) ORDER BY at DESC, id DESC LIMIT ?", arguments: arguments
            ).map(StoredRows.auditEntry)
        }
    }
}
