import KeywardCore
import KeywardLDAP
import KeywardTestSupport
import Testing

/// The connection pool against its own slapd, which one test restarts.
@Suite("LDAP connection pool against slapd", .offThePool, .slapd, .serialized)
struct LDAPClientPoolTests {
    var server: SlapdServer { SlapdServer.current! }

    func rootDSE(_ pool: LDAPConnectionPool) async throws -> [LDAPEntry] {
        try await pool.search(base: "", scope: .base, filter: "(objectClass=*)", attributes: ["namingContexts"])
    }

    /// How many binds as Keyward slapd has logged.
    func keywardBinds() -> Int {
        let log = String(decoding: server.logBytes(), as: UTF8.self)
        return log.split(separator: "\n").filter { $0.contains("BIND dn=\"\(SlapdServer.adminDN)\" method=128") }.count
    }

    @Test func connectionsAreReused() async throws {
        let pool = LDAPConnectionPool(
            endpoint: server.ldapsEndpoint, authentication: SlapdServer.admin, maximumConnections: 2)
        #expect(pool.isEncrypted)
        let before = keywardBinds()
        for _ in 1...5 { _ = try await rootDSE(pool) }
        #expect(pool.idleCount == 1)
        #expect(keywardBinds() - before == 1)

        // Twelve at once share two connections: the others wait for one
        // instead of opening (and closing) connections of their own.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 1...12 { group.addTask { _ = try await rootDSE(pool) } }
            try await group.waitForAll()
        }
        #expect(keywardBinds() - before == 2)
        #expect(pool.openCount == 2)
        #expect(pool.idleCount == 2)
        pool.closeIdleConnections()
        #expect(pool.idleCount == 0)
        #expect(pool.openCount == 0)
    }

    @Test func aConnectionTheServerDroppedIsReplacedOnce() async throws {
        let pool = LDAPConnectionPool(endpoint: server.ldapsEndpoint, authentication: SlapdServer.admin)
        _ = try await rootDSE(pool)
        #expect(pool.idleCount == 1)
        try server.restart()
        let before = keywardBinds()
        let entries = try await rootDSE(pool)
        #expect(keywardBinds() - before == 1)
        #expect(entries.first?.first("namingContexts") == SlapdServer.base)
        #expect(pool.idleCount == 1)
        #expect(pool.openCount == 1)
    }

    @Test func anUnreachableServerIsAnErrorNotARetryLoop() async throws {
        let nowhere = LDAPEndpoint(url: "ldaps://127.0.0.1:\(try FreePort.next())", timeoutSeconds: 2)
        let pool = LDAPConnectionPool(endpoint: nowhere, authentication: SlapdServer.admin)
        do {
            _ = try await rootDSE(pool)
            Issue.record("expected -1")
        } catch let error as LDAPResultError {
            #expect(error.code == -1)
        }
        #expect(pool.idleCount == 0)
        #expect(pool.openCount == 0, "the failed connection's slot is given back")
    }
}
