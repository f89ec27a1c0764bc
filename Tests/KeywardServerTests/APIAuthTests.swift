import Foundation
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardServer
import KeywardStore
import KeywardTestSupport
import Testing

/// The bearer token in front of every `/api/v1` route, over real HTTP.
@Suite("API: bearer tokens and scopes", .offThePool)
struct APIAuthTests {
    static let path = "/api/v1/people/ada/accounts"

    @Test func noTokenIs401WithWWWAuthenticate() async throws {
        let server = try await ServerHarness.start()
        let reply = try await server.request(.GET, Self.path)
        await server.stop()

        #expect(reply.status == 401)
        #expect(reply.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        #expect(reply.header("Content-Type")?.hasPrefix("application/json") == true)
        #expect(reply.errorKind == "unauthorized")
        #expect(reply.errorMessage.contains("Authorization: Bearer"))
    }

    @Test func anotherSchemeOrAnUnknownTokenIs401() async throws {
        let server = try await ServerHarness.start()
        let basic = try await server.request(.GET, Self.path, headers: [("Authorization", "Basic YWRhOnB3")])
        let unknown = try await server.request(.GET, Self.path, headers: ServerHarness.bearer(APITokenSecret.generate()))
        await server.stop()

        #expect(basic.status == 401)
        #expect(basic.errorMessage.contains("Bearer TOKEN"))
        #expect(unknown.status == 401)
        #expect(unknown.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        #expect(unknown.errorMessage == "this API token is not known")
    }

    @Test func aRevokedTokenIs401AndSaysSo() async throws {
        let server = try await ServerHarness.start()
        let secret = try await server.token("ci", scopes: ["queue:read"])
        let before = try await server.request(.GET, Self.path, headers: ServerHarness.bearer(secret))
        try await server.store.revokeAPIToken(name: "ci", by: "cli:test")
        let after = try await server.request(.GET, Self.path, headers: ServerHarness.bearer(secret))
        await server.stop()

        #expect(before.status == 200)
        #expect(after.status == 401)
        #expect(after.errorMessage.contains("'ci') was revoked"), "\(after.body)")
    }

    @Test func anExpiredTokenIs401AndSaysWhen() async throws {
        let server = try await ServerHarness.start()
        let secret = try await server.token("old", scopes: ["queue:read"], expiresAt: Date().addingTimeInterval(-1))
        let reply = try await server.request(.GET, Self.path, headers: ServerHarness.bearer(secret))
        await server.stop()

        #expect(reply.status == 401)
        #expect(reply.errorMessage.contains("'old') expired at"), "\(reply.body)")
    }

    @Test func aTokenWithoutTheScopeIs403NamingIt() async throws {
        let server = try await ServerHarness.start()
        let secret = try await server.token("reader", scopes: ["queue:read"])
        let reply = try await server.request(
            .POST, "/api/v1/people/ada/unlock", headers: ServerHarness.bearer(secret), body: #"{"system": "hr"}"#)
        let audit = try await server.request(.GET, "/api/v1/audit", headers: ServerHarness.bearer(secret))
        await server.stop()

        #expect(reply.status == 403)
        #expect(reply.errorKind == "forbidden")
        #expect(reply.errorMessage.contains("'unlock'"))
        #expect(audit.status == 403)
        #expect(audit.errorMessage.contains("'audit:read'"))
    }

    @Test func aUseIsRecordedOnTheToken() async throws {
        let server = try await ServerHarness.start()
        let secret = try await server.token("ci", scopes: ["queue:read"])
        #expect(try await server.store.apiTokens().first?.lastUsedAt == nil)
        _ = try await server.request(.GET, "/api/v1/operations", headers: ServerHarness.bearer(secret))
        let used = try #require(try await server.store.apiTokens().first?.lastUsedAt)
        await server.stop()

        #expect(abs(used.timeIntervalSinceNow) < 600)
    }

    @Test func unknownTokensRunOutTheClientsAttempts() async throws {
        let server = try await ServerHarness.start { $0.attemptsPerClientPerMinute = 2 }
        var statuses: [Int] = []
        for _ in 0..<3 {
            statuses.append(try await server.request(.GET, Self.path, headers: ServerHarness.bearer("kw_guess")).status)
        }
        let limited = try await server.request(.GET, Self.path, headers: ServerHarness.bearer("kw_guess"))
        await server.stop()

        #expect(statuses == [401, 401, 429])
        #expect(limited.status == 429)
        #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
    }
}
