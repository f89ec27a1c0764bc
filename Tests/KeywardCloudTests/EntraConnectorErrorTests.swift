import KeywardConnectors
import KeywardCore
import KeywardQueueTestSupport
import KeywardTestSupport
import Testing

@testable import KeywardCloud

/// Every documented Graph error, from FakeGraph through the connector.
@Suite("Entra ID connector errors against FakeGraph", .offThePool)
struct EntraConnectorErrorTests {
    static func upn(_ prefix: String) -> String { CloudFixtures.unique(prefix) + "@contoso.example" }

    @Test("a weak password is policy-rejected, with Graph's words and the request ids")
    func complexity() async throws {
        try await withFakeGraph { graph in
            let connector = try CloudFixtures.entra(graph)
            let upn = Self.upn("weak")
            let error = await CloudFixtures.expectError(.policyRejected) {
                try await connector.create(
                    uid: upn, attributes: CloudFixtures.entraPerson(upn, password: "weakweak"), options: PasswordOptions())
            }
            let message = try #require(error?.message)
            #expect(message.hasPrefix("system 'entra': could not create the account '\(upn)'"))
            #expect(message.contains("password complexity requirements"))
            #expect(message.contains("Request_BadRequest"))
            let sent = try #require(graph.records.last?.clientRequestID)
            #expect(message.contains("client-request-id \(sent)"))
            #expect(message.contains("request-id "))
            #expect(!message.contains("weakweak"))
        }
    }

    @Test("a message that quotes the password is withheld")
    func quotedPasswordWithheld() async throws {
        try await withFakeGraph { graph in
            graph.quotePasswordsInErrors(true)
            let connector = try CloudFixtures.entra(graph)
            graph.addUser("quoted@contoso.example", password: "Old#Pass-1")
            let error = await CloudFixtures.expectError(.policyRejected) {
                try await connector.update(
                    uid: "quoted@contoso.example", attributes: [CloudFixtures.password("lowercaseonly")],
                    options: PasswordOptions())
            }
            #expect(error?.message.contains(RemoteText.withheld) == true)
            #expect(error?.message.contains("lowercaseonly") == false)
        }
    }

    @Test("a duplicate UPN is alreadyExists")
    func duplicate() async throws {
        try await withFakeGraph { graph in
            let connector = try CloudFixtures.entra(graph)
            let upn = Self.upn("dup")
            graph.addUser(upn, password: "Exists#Pass-1")
            let error = await CloudFixtures.expectError(.alreadyExists) {
                try await connector.create(
                    uid: upn, attributes: CloudFixtures.entraPerson(upn, password: "Dup#Pass-1"), options: PasswordOptions())
            }
            #expect(error?.message.contains("same userPrincipalName exists already") == true)
            #expect(graph.verify(upn, "Exists#Pass-1"))
        }
    }

    @Test("an unknown user is notFound")
    func notFound() async throws {
        try await withFakeGraph { graph in
            let connector = try CloudFixtures.entra(graph)
            let error = await CloudFixtures.expectError(.notFound) {
                try await connector.update(
                    uid: "ghost@contoso.example", attributes: [CloudFixtures.password("Ghost#Pass-1")],
                    options: PasswordOptions())
            }
            #expect(error?.message.contains("there is no account 'ghost@contoso.example'") == true)
            #expect(error?.message.contains("Request_ResourceNotFound") == true)
            await CloudFixtures.expectError(.notFound) { try await connector.delete(uid: "ghost@contoso.example") }
        }
    }

    @Test("a reset without User-PasswordProfile.ReadWrite.All is permissionDenied, naming the permission")
    func insufficientPrivileges() async throws {
        try await withFakeGraph { graph in
            graph.setPermissions(["User.ReadWrite.All"])
            let connector = try CloudFixtures.entra(graph)
            graph.addUser("priv@contoso.example", password: "Old#Pass-1")
            let error = await CloudFixtures.expectError(.permissionDenied) {
                try await connector.update(
                    uid: "priv@contoso.example", attributes: [CloudFixtures.password("New#Pass-1")],
                    options: PasswordOptions())
            }
            #expect(error?.message.contains("User-PasswordProfile.ReadWrite.All") == true)
            #expect(error?.message.contains("Authorization_RequestDenied") == true)
            #expect(graph.verify("priv@contoso.example", "Old#Pass-1"))
        }
    }

    @Test("a wrong client secret is credentialsRejected, with the AADSTS code")
    func badSecret() async throws {
        try await withFakeGraph { graph in
            let connector = try CloudFixtures.entra(graph, secret: "wrong-secret")
            let error = await CloudFixtures.expectError(.credentialsRejected) { try await connector.test() }
            #expect(error?.message.contains("AADSTS7000215") == true)
            #expect(error?.message.contains("trace-id") == true)
            #expect(error?.message.contains("wrong-secret") == false)
        }
    }

    @Test("an unknown tenant is a configuration error naming tenantId")
    func unknownTenant() async throws {
        try await withFakeGraph { graph in
            let connector = try CloudFixtures.entra(graph, ["tenantId": .plain("00000000-0000-0000-0000-000000000000")])
            let error = await CloudFixtures.expectError(.configuration) { try await connector.test() }
            #expect(error?.message.contains("tenantId") == true)
        }
    }

    @Test("a token Graph keeps refusing is credentialsRejected after one new token")
    func persistent401() async throws {
        try await withFakeGraph { graph in
            let connector = try CloudFixtures.entra(graph)
            graph.refuseTokens(true)
            let error = await CloudFixtures.expectError(.credentialsRejected) { try await connector.test() }
            #expect(error?.message.contains("InvalidAuthenticationToken") == true)
            #expect(graph.tokensIssued == 2)
            #expect(graph.records.filter { $0.status == 401 }.count == 2)
        }
    }

    @Test("429 with a short Retry-After is waited out inside the attempt")
    func shortThrottle() async throws {
        try await withFakeGraph { graph in
            let sleeps = SleepRecorder()
            let connector = try CloudFixtures.entra(graph, sleeps: sleeps)
            graph.throttle(next: 2, retryAfter: "2")
            try await connector.test()
            #expect(sleeps.recorded == [.seconds(2), .seconds(2)])
            #expect(graph.records.map(\.status) == [429, 429, 200])
        }
    }

    @Test("429 with a long Retry-After is throttled with retryAfter, for the queue", arguments: [429, 503])
    func longThrottle(status: Int) async throws {
        try await withFakeGraph { graph in
            let sleeps = SleepRecorder()
            let connector = try CloudFixtures.entra(graph, sleeps: sleeps)
            graph.throttle(next: 1, status: status, retryAfter: "120")
            let error = await CloudFixtures.expectError(.throttled) { try await connector.test() }
            #expect(error?.retryAfter == .seconds(120))
            #expect(error?.isTransient == true)
            #expect(sleeps.recorded.isEmpty)
        }
    }

    @Test("503 without Retry-After, after the retries, is unreachable (transient)")
    func unavailable() async throws {
        try await withFakeGraph { graph in
            let sleeps = SleepRecorder()
            let connector = try CloudFixtures.entra(graph, sleeps: sleeps)
            graph.throttle(next: 3, status: 503, retryAfter: nil)
            let error = await CloudFixtures.expectError(.unreachable) { try await connector.test() }
            #expect(error?.retryAfter == nil)
            #expect(sleeps.recorded == [.seconds(1), .seconds(2)])
        }
    }

    @Test("a stopped service is unreachable")
    func stopped() async throws {
        let graph = try await FakeGraph.start(clientSecret: CloudFixtures.clientSecret)
        let connector = try CloudFixtures.entra(graph, ["timeoutSeconds": .plain("2")])
        await graph.stop()
        let error = await CloudFixtures.expectError(.unreachable) { try await connector.test() }
        #expect(error?.message.contains("could not reach the service") == true)
    }
}
