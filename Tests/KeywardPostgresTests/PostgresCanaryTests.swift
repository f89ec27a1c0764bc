import Foundation
import KeywardCore
import KeywardPostgres
import KeywardStore
import KeywardTestSupport
import Logging
import Testing

/// The canary password through the queue, the outbox and the tokens: never
/// in PostgreSQL's tables in the clear (a pg_dump), never in its log (every
/// statement and its parameters logged), never in Keyward's log or errors.
@Suite("PostgreSQL: the canary", .offThePool)
struct PostgresCanaryTests {
    @Test func theCanaryIsInNoTableNoServerLogAndNoStoreLog() async throws {
        let server = try PostgresServer.dedicated()
        defer { server.destroy() }
        let database = try server.makeDatabase()
        let logs = LogCapture()
        let logger = Logger(label: "keyward.store.test") { _ in CapturingLogHandler(capture: logs) }
        let store = try await PostgresFixture.open(database, key: .generate(), logger: logger)

        let change = NewOperation(
            system: "ldap", username: "bob", uid: "bob", action: .change,
            attributes: [QueuedAttribute(name: "__PASSWORD__", value: nil, isSecret: true, isPassword: true)],
            secrets: ["__PASSWORD__": GuardedString(Canary.password + "-new"), currentPasswordSecretName: GuardedString(Canary.password)])
        let ids = try await store.enqueue([PostgresFixture.reset("alice"), change, PostgresFixture.reset("carol")])
        let claimed = try await store.claimDue(limit: 10, now: Date())
        #expect(claimed.count == 3 && claimed[0].secrets["__PASSWORD__"] == GuardedString(Canary.password))
        try await store.execute(ids[0])
        try await store.finish(
            operationID: ids[1], outcome: .retry(at: Date().addingTimeInterval(3600), OperationResult(code: "unreachable", message: "down")),
            account: nil, audit: PostgresFixture.audit(ids[1]))
        #expect(await storeError { try await store.execute(ids[0]) }?.kind == .invalidState)

        let mail = try await store.addMail(
            NewOutboxMail(
                kind: "reset", username: "carol", system: "ldap", requestedBy: "cli:root", waitsFor: [ids[0]],
                recipientCount: 1, carriesSecret: true, payload: GuardedString("Your password: \(Canary.password)")),
            now: Date())
        let mails = try await store.claimDueMail(limit: 5, now: Date(), lease: .seconds(60))
        #expect(mails.map(\.id) == [mail])
        let token = APITokenSecret.hash(Canary.password)
        try await store.issueSetPasswordToken(
            SetPasswordToken(hash: token, username: "dave", system: "ldap", createdBy: "cli:root", createdAt: Date(),
                expiresAt: Date().addingTimeInterval(3600)))
        let issued = try await store.createAPIToken(name: "ci", scopes: ["reset"], createdBy: "cli:root", expiresAt: nil)
        #expect(try await store.useAPIToken(secret: issued.secret)?.name == "ci")
        #expect(try await store.rotateKey(to: .generate()) == 4)

        let dump = try server.pgDump(database: database.name)
        #expect(dump.contains("sealed_message") && dump.contains("api_tokens"), "the dump holds the tables")
        let log = server.logText()
        #expect(log.contains("INSERT INTO secrets"), "the log holds every statement")
        for (name, text) in [("pg_dump", dump), ("server log", log), ("store log", logs.lines.joined(separator: "\n"))] {
            #expect(!text.contains(Canary.password), "canary in the \(name)")
            #expect(!text.contains(issued.secret) && !text.contains(String(issued.secret.dropFirst(3))), "API token in the \(name)")
        }
        await store.close()
    }

    @Test func aTokenIsStoredAsItsHashOnly() async throws {
        try await PostgresFixture.withStore { store, database, _ in
            let issued = try await store.createAPIToken(
                name: "ci-bot", scopes: ["reset", "unlock"], createdBy: "cli:alice", expiresAt: nil)
            let server = try PostgresServer.shared()
            let row = try server.psql("SELECT encode(token_hash, 'hex'), scopes FROM api_tokens", database: database.name)
            let hex = APITokenSecret.hash(issued.secret).map { String(format: "%02x", $0) }.joined()
            #expect(row == "\(hex)|reset unlock\n")
            #expect(!(try server.pgDump(database: database.name)).contains(String(issued.secret.dropFirst(3))))
        }
    }
}
