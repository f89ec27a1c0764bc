import KeywardConnectors
import KeywardCore
import KeywardQueueTestSupport
import KeywardTestSupport
import Testing

@testable import KeywardCloud

/// The `entra` connector against FakeGraph: every operation and the token.
@Suite("Entra ID connector against FakeGraph", .offThePool)
struct EntraConnectorTests {
    static func upn(_ prefix: String) -> String { CloudFixtures.unique(prefix) + "@contoso.example" }

    @Test("test fetches a token and reads a user")
    func testConnection() async throws {
        try await withFakeGraph { graph in
            let connector = try CloudFixtures.entra(graph)
            try await connector.test()
            #expect(graph.tokensIssued == 1)
            #expect(graph.records.map { "\($0.method) \($0.path) \($0.status)" } == ["GET /v1.0/users 200"])
            #expect(graph.records.first?.query["$top"] == "1")
        }
    }

    @Test("create: the user signs in with the password, required properties filled in, force flag from the setting")
    func create() async throws {
        try await withFakeGraph { graph in
            let connector = try CloudFixtures.entra(graph)
            let upn = Self.upn("create")
            try await connector.create(
                uid: upn, attributes: CloudFixtures.entraPerson(upn, password: "Create#Pass-1"), options: PasswordOptions())
            #expect(graph.verify(upn, "Create#Pass-1"))
            #expect(!graph.verify(upn, "Create#Pass-2"))
            let user = try #require(graph.user(upn))
            #expect(user.properties["displayName"] == "Ada Lovelace")
            #expect(user.properties["mailNickname"] == String(upn.prefix { $0 != "@" }))
            #expect(user.properties["accountEnabled"] == "true")
            #expect(user.properties["department"] == "Research")
            #expect(user.forceChangePasswordNextSignIn)
            let post = try #require(graph.records.last)
            #expect(post.method == "POST" && post.path == "/v1.0/users" && post.status == 201)
            #expect(post.sentPassword && post.sentForceChange == true)
        }
    }

    @Test("the force flag: the request's mustChange wins over the setting", arguments: [
        (nil as Bool?, "false", false), (true, "false", true), (false, "true", false), (nil, "true", true),
    ])
    func forceFlag(mustChange: Bool?, setting: String, expected: Bool) async throws {
        try await withFakeGraph { graph in
            let connector = try CloudFixtures.entra(graph, ["forceChangePasswordNextSignIn": .plain(setting)])
            let upn = Self.upn("force")
            try await connector.create(
                uid: upn, attributes: CloudFixtures.entraPerson(upn, password: "Force#Pass-1"),
                options: PasswordOptions(mustChange: mustChange))
            #expect(graph.user(upn)?.forceChangePasswordNextSignIn == expected)
            try await connector.update(
                uid: upn, attributes: [CloudFixtures.password("Force#Pass-2")], options: PasswordOptions(mustChange: mustChange))
            #expect(graph.user(upn)?.forceChangePasswordNextSignIn == expected)
            #expect(graph.verify(upn, "Force#Pass-2"))
        }
    }

    @Test("reset: PATCH with the password in passwordProfile, never the flag alone")
    func reset() async throws {
        try await withFakeGraph { graph in
            let connector = try CloudFixtures.entra(graph)
            let upn = Self.upn("reset")
            graph.addUser(upn, password: "Old#Pass-1")
            try await connector.update(
                uid: upn, attributes: [CloudFixtures.password("New#Pass-2")], options: PasswordOptions(mustChange: false))
            #expect(graph.verify(upn, "New#Pass-2") && !graph.verify(upn, "Old#Pass-1"))
            let patch = try #require(graph.records.last)
            #expect(patch.method == "PATCH" && patch.status == 204 && patch.sentPassword && patch.sentForceChange == false)

            let error = await CloudFixtures.expectError(.configuration) {
                try await connector.update(
                    uid: upn, attributes: [ConnectorAttribute(name: AttributeSchema.passwordName, value: nil)],
                    options: PasswordOptions(mustChange: true))
            }
            #expect(error?.message.contains("no password to set") == true)
            #expect(graph.profileWithoutPasswordPatches == 0)
            let patches = graph.records.filter { $0.method == "PATCH" }
            #expect(patches.allSatisfy { $0.sentPassword })
        }
    }

    @Test("update of plain properties, get, and delete")
    func updateGetDelete() async throws {
        try await withFakeGraph { graph in
            let connector = try CloudFixtures.entra(graph)
            let upn = Self.upn("props")
            try await connector.create(
                uid: upn, attributes: CloudFixtures.entraPerson(upn, password: "Props#Pass-1"), options: PasswordOptions())
            try await connector.update(
                uid: upn,
                attributes: [
                    ConnectorAttribute(name: "department", value: .plain("Engineering")),
                    ConnectorAttribute(name: "accountEnabled", value: .plain("false")),
                ],
                options: PasswordOptions())
            let snapshot = try await connector.get(uid: upn)
            #expect(snapshot.attributes["department"] == "Engineering")
            #expect(snapshot.attributes["accountEnabled"] == "false")
            #expect(snapshot.attributes["userPrincipalName"] == upn)
            #expect(snapshot.attributes["givenName"] == "Ada")
            #expect(snapshot.attributes[AttributeSchema.passwordName] == nil)
            #expect(snapshot.locked == nil && snapshot.mustChange == nil)
            #expect(graph.verify(upn, "Props#Pass-1"), "a property update leaves the password alone")

            try await connector.delete(uid: upn)
            #expect(graph.user(upn) == nil)
            await CloudFixtures.expectError(.notFound) { _ = try await connector.get(uid: upn) }
        }
    }

    @Test("one token for many requests")
    func tokenReused() async throws {
        try await withFakeGraph { graph in
            let connector = try CloudFixtures.entra(graph)
            for index in 0..<5 {
                let upn = Self.upn("reuse\(index)")
                try await connector.create(
                    uid: upn, attributes: CloudFixtures.entraPerson(upn, password: "Reuse#Pass-\(index)"),
                    options: PasswordOptions())
            }
            #expect(graph.tokensIssued == 1)
        }
    }

    @Test("a token that expires mid-batch is fetched again once, and every request succeeds")
    func tokenExpiresMidBatch() async throws {
        try await withFakeGraph { graph in
            let connector = try CloudFixtures.entra(graph)
            try await connector.test()
            graph.expireTokens(afterRequests: 2)
            for index in 0..<4 {
                let upn = Self.upn("expiry\(index)")
                try await connector.create(
                    uid: upn, attributes: CloudFixtures.entraPerson(upn, password: "Expiry#Pass-\(index)"),
                    options: PasswordOptions())
                #expect(graph.verify(upn, "Expiry#Pass-\(index)"))
            }
            #expect(graph.tokensIssued == 2)
            #expect(graph.records.filter { $0.status == 401 }.count == 1)
        }
    }

    @Test("change and unlock are refused, naming the system and why")
    func unsupported() async throws {
        try await withFakeGraph { graph in
            let connector = try CloudFixtures.entra(graph)
            #expect(connector.capabilities == [.initialize, .reset])
            let change = await CloudFixtures.expectError(.unsupported) {
                try await connector.changePassword(
                    uid: "a@b", current: GuardedString("x"), attributes: [CloudFixtures.password("Y#y-12345")])
            }
            #expect(change?.message.contains("system 'entra' (type entra)") == true)
            #expect(change?.message.contains("reset") == true)
            let unlock = await CloudFixtures.expectError(.unsupported) { try await connector.unlock(uid: "a@b") }
            #expect(unlock?.message.contains("smart lockout") == true)
            #expect(graph.records.isEmpty, "nothing was sent")
        }
    }
}
