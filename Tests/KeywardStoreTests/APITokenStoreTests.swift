import Foundation
import GRDB
import KeywardStore
import KeywardTestSupport
import Testing

/// The API clients' tokens in the store: only a hash kept, found by it,
/// listed, revoked, audited.
@Suite("Store: API tokens", .offThePool)
struct APITokenStoreTests {
    @Test func aNewTokenIsKwAnd256BitsAndOnlyItsHashIsStored() async throws {
        let folder = try StoreFolder()
        let store = try folder.open()

        let issued = try await store.createAPIToken(
            name: "ci-bot", scopes: ["reset", "unlock"], createdBy: "cli:alice", expiresAt: nil)

        #expect(issued.secret.hasPrefix("kw_"))
        #expect(issued.secret.count == 3 + 43)
        #expect(Data(base64Encoded: String(issued.secret.dropFirst(3)).replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/") + "=")?.count == 32)
        let rows = try folder.rawConnection().read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_tokens") }
        #expect(rows.count == 1)
        let stored: Data = rows[0]["token_hash"]
        #expect(stored == APITokenSecret.hash(issued.secret))
        #expect(stored.count == 32)
        #expect(rows[0]["scopes"] as String == "reset unlock")
        let file = try Data(contentsOf: URL(fileURLWithPath: folder.databasePath))
            + ((try? Data(contentsOf: URL(fileURLWithPath: folder.databasePath + "-wal"))) ?? Data())
        #expect(file.range(of: Data(issued.secret.utf8)) == nil)
        #expect(file.range(of: Data(issued.secret.dropFirst(3).utf8)) == nil)
    }

    @Test(arguments: StoreEngine.allCases) func aTokenIsFoundByItsSecretAndItsUseRecorded(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let issued = try await store.createAPIToken(name: "ci", scopes: ["change"], createdBy: "cli:alice", expiresAt: nil)
        let now = Date()

        let found = try #require(try await store.useAPIToken(secret: issued.secret, now: now))
        let unknown = try await store.useAPIToken(secret: issued.secret + "x", now: now)

        #expect(found.name == "ci")
        #expect(found.scopes == ["change"])
        #expect(found.lastUsedAt == now)
        #expect(unknown == nil)
        let listed = try #require(try await store.apiTokens().first)
        #expect(abs((listed.lastUsedAt ?? .distantPast).timeIntervalSince(now)) < 0.001)
        // Within the minute, a use is not written again.
        _ = try await store.useAPIToken(secret: issued.secret, now: now.addingTimeInterval(30))
        #expect(abs((try await store.apiTokens().first?.lastUsedAt ?? .distantPast).timeIntervalSince(now)) < 0.001)
    }

    @Test(arguments: StoreEngine.allCases) func namesAreUniqueUntilRevoked(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let first = try await store.createAPIToken(name: "ci", scopes: ["reset"], createdBy: "cli:alice", expiresAt: nil)

        await #expect(throws: StoreError.self) {
            _ = try await store.createAPIToken(name: "ci", scopes: ["reset"], createdBy: "cli:bob", expiresAt: nil)
        }
        try await store.revokeAPIToken(name: "ci", by: "cli:alice")
        let revoked = try #require(try await store.apiToken(hash: APITokenSecret.hash(first.secret)))
        #expect(revoked.revokedAt != nil)
        let second = try await store.createAPIToken(name: "ci", scopes: ["unlock"], createdBy: "cli:bob", expiresAt: nil)

        #expect(try await store.apiTokens().map(\.scopes) == [["unlock"]])
        #expect(try await store.apiToken(hash: APITokenSecret.hash(first.secret)) == nil)
        #expect(try await store.apiToken(hash: APITokenSecret.hash(second.secret))?.revokedAt == nil)
    }

    @Test(arguments: StoreEngine.allCases) func revokingTwiceOrAnUnknownNameIsRefused(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        _ = try await store.createAPIToken(name: "ci", scopes: ["reset"], createdBy: "cli:alice", expiresAt: nil)
        try await store.revokeAPIToken(name: "ci", by: "cli:alice")

        do {
            try await store.revokeAPIToken(name: "ci", by: "cli:alice")
            Issue.record("revoked twice")
        } catch let error as StoreError {
            #expect(error.kind == .invalidState)
        }
        do {
            try await store.revokeAPIToken(name: "nobody", by: "cli:alice")
            Issue.record("revoked an unknown token")
        } catch let error as StoreError {
            #expect(error.kind == .notFound)
            #expect(error.message.contains("keyward token list"))
        }
    }

    @Test(arguments: StoreEngine.allCases) func creatingAndRevokingAreAudited(engine: StoreEngine) async throws {
        let folder = try StoreFolder()
        let store = try await folder.open(engine)
        let expiry = Date(timeIntervalSince1970: 1_900_000_000)
        let issued = try await store.createAPIToken(
            name: "ci", scopes: ["reset", "queue:read"], createdBy: "cli:alice", expiresAt: expiry)
        try await store.revokeAPIToken(name: "ci", by: "cli:bob")

        let trail = try await store.audit(AuditFilter()).sorted { $0.id < $1.id }
        #expect(trail.map(\.action) == ["api-token", "api-token"])
        #expect(trail.map(\.outcome) == ["created", "revoked"])
        #expect(trail.map(\.actor) == ["cli:alice", "cli:bob"])
        #expect(trail[0].message.contains("'ci' created with scopes reset, queue:read; expires 2030-03-17"))
        #expect(!trail.map(\.message).joined().contains(issued.secret.dropFirst(3)))
        #expect(try await store.apiToken(hash: APITokenSecret.hash(issued.secret))?.isExpired(at: expiry) == true)
        #expect(try await store.apiToken(hash: APITokenSecret.hash(issued.secret))?.isExpired(at: expiry - 1) == false)
    }
}
