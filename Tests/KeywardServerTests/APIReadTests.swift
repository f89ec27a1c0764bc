import Foundation
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardServer
import KeywardStore
import KeywardTestSupport
import Testing

/// The reads: a person's accounts, the queue, the audit log.
@Suite("API: accounts, operations, audit", .offThePool)
struct APIReadTests {
    @Test func accountsListEachSystemsOperations() async throws {
        let server = try await ServerHarness.start()
        try await server.createAccount("ada", system: "hr", password: "Start-Passw0rd-1")
        try await server.createAccount("ada", system: "payroll", password: "Start-Passw0rd-1")
        let token = try await server.token("desk", scopes: ["reset"])

        let reply = try await server.api(.GET, "/api/v1/people/ada/accounts", token: token)
        let nobody = try await server.api(.GET, "/api/v1/people/nobody/accounts", token: token)
        let none = try await server.api(.GET, "/api/v1/people/grace/accounts", token: token)
        await server.stop()

        #expect(reply.status == 200, "\(reply.body)")
        #expect(reply.json["username"] as? String == "ada")
        let accounts = try #require(reply.json["accounts"] as? [[String: Any]])
        #expect(accounts.map { $0["system"] as? String } == ["hr", "payroll"])
        #expect(accounts.map { $0["state"] as? String } == ["active", "active"])
        #expect(accounts[0]["operations"] as? [String] == ["initialize", "change", "reset", "unlock"])
        #expect(accounts[1]["operations"] as? [String] == ["initialize", "reset"])
        #expect(nobody.status == 404)
        #expect(nobody.errorKind == "unknown-user")
        #expect(none.status == 200)
        #expect((none.json["accounts"] as? [Any])?.isEmpty == true)
    }

    @Test func operationsAreFilteredAndReadOneByOne() async throws {
        let server = try await ServerHarness.start()
        try await server.createAccount("ada", password: "Start-Passw0rd-1")
        try await server.createAccount("grace", password: "Start-Passw0rd-1")
        let ops = try await server.token("ops", scopes: ["unlock", "queue:read"])
        let queued = try await server.api(.POST, "/api/v1/people/ada/unlock", token: ops, body: #"{"system": "hr"}"#)
        let id = try #require((queued.json["operationIDs"] as? [Int])?.first)

        let created = try await server.api(.GET, "/api/v1/operations?state=created", token: ops)
        let adas = try await server.api(.GET, "/api/v1/operations?user=ada&limit=1", token: ops)
        let one = try await server.api(.GET, "/api/v1/operations/\(id)", token: ops)
        try await server.executor.drain()
        let executed = try await server.api(.GET, "/api/v1/operations/\(id)", token: ops)
        let missing = try await server.api(.GET, "/api/v1/operations/999999", token: ops)
        let notANumber = try await server.api(.GET, "/api/v1/operations/abc", token: ops)
        let badState = try await server.api(.GET, "/api/v1/operations?state=sleeping", token: ops)
        let badLimit = try await server.api(.GET, "/api/v1/operations?limit=0", token: ops)
        await server.stop()

        let createdList = try #require(created.json["operations"] as? [[String: Any]])
        #expect(createdList.map { $0["id"] as? Int } == [id])
        #expect(createdList.first?["action"] as? String == "unlock")
        #expect(createdList.first?["requestedBy"] as? String == "api:ops")
        let adaList = try #require(adas.json["operations"] as? [[String: Any]])
        #expect(adaList.count == 1)
        #expect(adaList.first?["username"] as? String == "ada")
        #expect(one.json["state"] as? String == "created")
        #expect(executed.json["state"] as? String == "executed")
        #expect((executed.json["result"] as? [String: Any])?["code"] as? String == "ok")
        #expect(missing.status == 404)
        #expect(notANumber.status == 400)
        #expect(badState.status == 400)
        #expect(badState.errorMessage.contains("executed"))
        #expect(badLimit.status == 400)
    }

    @Test func auditShowsTheAPIClientAsTheActor() async throws {
        let server = try await ServerHarness.start()
        try await server.createAccount("ada", password: "Start-Passw0rd-1")
        let token = try await server.token("auditor", scopes: ["unlock", "audit:read"])
        _ = try await server.api(.POST, "/api/v1/people/ada/unlock", token: token, body: #"{"system": "hr"}"#)
        try await server.executor.drain()

        let reply = try await server.api(.GET, "/api/v1/audit?user=ada", token: token)
        let one = try await server.api(.GET, "/api/v1/audit?user=ada&limit=1", token: token)
        let all = try await server.api(.GET, "/api/v1/audit", token: token)
        await server.stop()

        #expect(reply.status == 200)
        let adas = try #require(reply.json["entries"] as? [[String: Any]])
        #expect(adas.count == 4)  // the create and the unlock, requested and executed
        #expect(adas.allSatisfy { $0["username"] as? String == "ada" })
        #expect((one.json["entries"] as? [Any])?.count == 1)
        let entries = adas.filter { $0["action"] as? String == "unlock" }
        #expect(entries.map { $0["outcome"] as? String } == ["executed", "requested"])
        #expect(entries.map { $0["actor"] as? String } == ["engine", "api:auditor"])
        let everything = try #require(all.json["entries"] as? [[String: Any]])
        #expect(everything.contains { $0["action"] as? String == "api-token" && $0["outcome"] as? String == "created" })
    }
}
