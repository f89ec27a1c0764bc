import KeywardConnectors
import KeywardCore
import KeywardQueueTestSupport
import KeywardTestSupport
import Testing

@testable import KeywardCloud

/// The `servicenow` connector against FakeServiceNow: every operation, each
/// way to authenticate, and `sysparm_input_display_value`.
@Suite("ServiceNow connector against FakeServiceNow", .offThePool)
struct ServiceNowConnectorTests {
    static let oauthPassword: [String: ConnectionValue?] = [
        "authentication": .plain("oauth-password"), "clientId": .plain("keyward-oauth"),
        "clientSecret": .environment("KEYWARD_TEST_SN_CLIENT_SECRET"),
    ]
    static let clientCredentials: [String: ConnectionValue?] = [
        "authentication": .plain("oauth-client-credentials"), "clientId": .plain("keyward-oauth"),
        "clientSecret": .environment("KEYWARD_TEST_SN_CLIENT_SECRET"), "username": nil, "password": nil,
    ]

    @Test(
        "create with each way to authenticate: the person logs in with the password",
        arguments: [("Basic", [:]), ("Bearer", oauthPassword), ("Bearer", clientCredentials)])
    func create(scheme: String, overrides: [String: ConnectionValue?]) async throws {
        try await withFakeServiceNow(allowsClientCredentials: true) { instance in
            let connector = try CloudFixtures.serviceNow(instance, overrides)
            try await connector.test()
            let name = CloudFixtures.unique("create")
            try await connector.create(
                uid: name, attributes: CloudFixtures.serviceNowPerson(name, password: "Create#Pass-1"),
                options: PasswordOptions())
            #expect(instance.verify(name, "Create#Pass-1"))
            #expect(!instance.verify(name, "Create#Pass-2"))
            let record = try #require(instance.user(name))
            #expect(record.passwordState == "hashed")
            #expect(record.fields["first_name"] == "Grace" && record.fields["password_needs_reset"] == "true")
            #expect(instance.records.filter { $0.path.hasPrefix("/api/now") }.allSatisfy { $0.scheme == scheme })
            #expect(instance.tokensIssued == (scheme == "Bearer" ? 1 : 0))
        }
    }

    @Test("every write sends sysparm_input_display_value=true and asks back only sys_id and user_name")
    func displayValueAlwaysSent() async throws {
        try await withFakeServiceNow { instance in
            let connector = try CloudFixtures.serviceNow(instance)
            let name = CloudFixtures.unique("display")
            try await connector.create(
                uid: name, attributes: CloudFixtures.serviceNowPerson(name, password: "Display#Pass-1"),
                options: PasswordOptions(mustChange: false))
            try await connector.update(
                uid: name, attributes: [CloudFixtures.password("Display#Pass-2")], options: PasswordOptions())
            let writes = instance.records.filter { $0.method == "POST" || $0.method == "PATCH" }
            #expect(writes.count == 2)
            for write in writes {
                #expect(write.query["sysparm_input_display_value"] == "true", "\(write.method) \(write.path)")
                #expect(write.query["sysparm_fields"] == "sys_id,user_name")
                #expect(write.bodyFields.contains("user_password"))
            }
            #expect(instance.verify(name, "Display#Pass-2"))
            #expect(instance.user(name)?.fields["password_needs_reset"] == "true")
        }
    }

    @Test("the fake's rule is real: without the parameter the password is stored unusable")
    func withoutDisplayValueTheFakeStoresItUnusable() async throws {
        try await withFakeServiceNow { instance in
            let connector = try CloudFixtures.serviceNow(instance)
            let name = CloudFixtures.unique("raw")
            _ = try await connector.table(
                .POST, query: [("sysparm_fields", "sys_id,user_name")],
                body: [("user_name", .string(name)), ("user_password", .secret(GuardedString("Raw#Pass-1")))],
                action: "post without the display value")
            #expect(instance.user(name)?.passwordState == "unusable")
            #expect(!instance.verify(name, "Raw#Pass-1"))
        }
    }

    @Test("get reads the fields, locked_out and password_needs_reset; delete removes the record")
    func getAndDelete() async throws {
        try await withFakeServiceNow { instance in
            let connector = try CloudFixtures.serviceNow(instance)
            instance.addUser("locked.person", password: "Locked#Pass-1", lockedOut: true)
            let snapshot = try await connector.get(uid: "locked.person")
            #expect(snapshot.locked == true)
            #expect(snapshot.attributes["user_name"] == "locked.person")
            #expect(snapshot.attributes["user_password"] == nil)
            #expect(instance.records.last?.query["sysparm_fields"]?.contains("user_password") == false)
            try await connector.delete(uid: "locked.person")
            #expect(instance.user("locked.person") == nil)
            await CloudFixtures.expectError(.notFound) { _ = try await connector.get(uid: "locked.person") }
            await CloudFixtures.expectError(.notFound) { try await connector.delete(uid: "locked.person") }
        }
    }

    @Test("an OAuth token that expires mid-batch is fetched again once")
    func tokenExpiresMidBatch() async throws {
        try await withFakeServiceNow { instance in
            let connector = try CloudFixtures.serviceNow(instance, Self.oauthPassword)
            try await connector.test()
            instance.expireTokens(afterRequests: 1)
            for index in 0..<3 {
                let name = CloudFixtures.unique("expiry\(index)")
                try await connector.create(
                    uid: name, attributes: CloudFixtures.serviceNowPerson(name, password: "Expiry#Pass-\(index)"),
                    options: PasswordOptions())
                #expect(instance.verify(name, "Expiry#Pass-\(index)"))
            }
            #expect(instance.tokensIssued == 2)
        }
    }

    @Test("change, reset through the matrix, and unlock: the connector has initialize only")
    func unsupported() async throws {
        try await withFakeServiceNow { instance in
            let connector = try CloudFixtures.serviceNow(instance)
            #expect(connector.capabilities == [.initialize])
            let change = await CloudFixtures.expectError(.unsupported) {
                try await connector.changePassword(
                    uid: "x", current: GuardedString("a"), attributes: [CloudFixtures.password("B#b-12345")])
            }
            #expect(change?.message.contains("system 'servicenow' (type servicenow)") == true)
            await CloudFixtures.expectError(.unsupported) { try await connector.unlock(uid: "x") }
            #expect(instance.records.isEmpty)
        }
    }
}
