import KeywardConnectors
import KeywardCore
import KeywardQueueTestSupport
import KeywardTestSupport
import Testing

@testable import KeywardPostgres

/// The `sql` connector against a real PostgreSQL 15: every operation, on a
/// fresh database each.
@Suite("PostgresTable: operations", .offThePool)
struct PostgresTableConnectorTests {
    typealias F = PostgresTableFixture

    @Test func createThenGetReturnsEverythingButThePassword() async throws {
        let fixture = try F()
        let connector = try fixture.connector()
        try await connector.create(uid: "jdoe", attributes: F.jdoe(), options: PasswordOptions())

        let stored = try #require(try fixture.value("password", of: "jdoe"))
        #expect(stored.hasPrefix("$2a$04$"), "pgcrypto's bcrypt at cost 4")
        #expect(try fixture.cryptVerifies("jdoe", "Initial#1"))
        #expect(try !fixture.cryptVerifies("jdoe", "Initial#2"))
        #expect(PasswordHashing.bcrypt(cost: 4).verify(GuardedString("Initial#1"), against: stored), "libxcrypt reads $2a$")

        let account = try await connector.get(uid: "jdoe")
        #expect(account.uid == "jdoe")
        #expect(account.attributes == [
            "username": "jdoe", "given_name": "John", "email": "jdoe@example.com", "locked": "0", "must_change": "false",
        ])
        #expect(account.locked == false)
        #expect(account.mustChange == false)
    }

    @Test func createHonoursMustChangeAndStoresNullForNil() async throws {
        let fixture = try F()
        let connector = try fixture.connector()
        let attributes = [F.plain("given_name", "Ann"), F.plain("email", nil), F.password("Initial#1")]
        try await connector.create(uid: "ann", attributes: attributes, options: PasswordOptions(mustChange: true))
        let account = try await connector.get(uid: "ann")
        #expect(account.mustChange == true)
        #expect(account.attributes["email"] == nil)
        #expect(account.attributes["username"] == "ann")
        #expect(try fixture.value("must_change", of: "ann") == "true")
    }

    @Test func creatingATakenKeyOrUniqueValueIsAlreadyExists() async throws {
        let fixture = try F()
        let connector = try fixture.connector()
        try await connector.create(uid: "jdoe", attributes: F.jdoe(), options: PasswordOptions())
        let key = await F.expectError(.alreadyExists) {
            try await connector.create(uid: "jdoe", attributes: F.jdoe(), options: PasswordOptions())
        }
        #expect(key?.message == "an account with key 'jdoe' exists in table people of system 'hr'")

        let email = await F.expectError(.alreadyExists) {
            try await connector.create(uid: "john", attributes: F.jdoe(), options: PasswordOptions())
        }
        let message = email?.message ?? ""
        #expect(message.hasPrefix("the account 'john' cannot be added to table people of system 'hr': another row"))
        #expect(message.contains("people_email_key") && message.contains("23505"), "\(message)")
        #expect(!message.contains("jdoe@example.com"), "the server's DETAIL (the value) is dropped: \(message)")
    }

    @Test func anAttributeWithoutAColumnIsAConfigurationError() async throws {
        let fixture = try F()
        let connector = try fixture.connector()
        let unknown = await F.expectError(.configuration) {
            try await connector.create(uid: "jdoe", attributes: [F.plain("phone", "1")], options: PasswordOptions())
        }
        #expect(unknown?.message == "column 'phone' does not exist in table people of system 'hr'")
        let injected = await F.expectError(.configuration) {
            try await connector.update(uid: "jdoe", attributes: [F.plain("email = 'x' --", "1")], options: PasswordOptions())
        }
        #expect(injected?.message.contains("is not a plain column name") == true)
    }

    @Test func updateSetsColumnsAndAPasswordWithMustChange() async throws {
        let fixture = try F()
        let connector = try fixture.connector()
        try await connector.create(uid: "jdoe", attributes: F.jdoe(), options: PasswordOptions())

        try await connector.update(
            uid: "jdoe", attributes: [F.plain("given_name", "Johnny"), F.plain("email", nil)],
            options: PasswordOptions(mustChange: true))
        var account = try await connector.get(uid: "jdoe")
        #expect(account.attributes["given_name"] == "Johnny")
        #expect(account.attributes["email"] == nil)
        #expect(account.mustChange == false, "no password was set, so mustChange stays")

        try await connector.update(uid: "jdoe", attributes: [F.password("Reset#2")], options: PasswordOptions(mustChange: true))
        account = try await connector.get(uid: "jdoe")
        #expect(account.mustChange == true)
        #expect(try fixture.cryptVerifies("jdoe", "Reset#2"))
        #expect(try !fixture.cryptVerifies("jdoe", "Initial#1"))

        try await connector.update(uid: "jdoe", attributes: [], options: PasswordOptions())
    }

    @Test func everyOperationOnAMissingAccountIsNotFound() async throws {
        let fixture = try F()
        let connector = try fixture.connector()
        let calls: [(String, @Sendable () async throws -> Void)] = [
            ("update", { try await connector.update(uid: "ghost", attributes: [F.plain("email", "x")], options: PasswordOptions()) }),
            ("empty update", { try await connector.update(uid: "ghost", attributes: [], options: PasswordOptions()) }),
            ("get", { _ = try await connector.get(uid: "ghost") }),
            ("delete", { try await connector.delete(uid: "ghost") }),
            ("unlock", { try await connector.unlock(uid: "ghost") }),
            ("changePassword", {
                try await connector.changePassword(uid: "ghost", current: GuardedString("a"), attributes: [F.password("b")])
            }),
        ]
        for (name, call) in calls {
            let error = await F.expectError(.notFound) { try await call() }
            #expect(error?.message == "no account with key 'ghost' in table people of system 'hr'", "\(name)")
        }
    }

    static let storages: [PostgresTablePasswordStorage] = [
        .pgcryptoBcrypt(cost: 4), .keyward(.bcrypt(cost: 4)), .keyward(.pbkdf2SHA256(iterations: 1_000)),
        .keyward(.sha256Hex), .keyward(.cleartext),
    ]

    @Test(arguments: storages)
    func changePasswordChecksTheCurrentPassword(storage: PostgresTablePasswordStorage) async throws {
        let fixture = try F()
        let connector = try fixture.connector(F.storage(storage))
        #expect(connector.settings.passwordStorage == storage)
        try await connector.create(uid: "jdoe", attributes: F.jdoe(), options: PasswordOptions(mustChange: true))

        let wrong = await F.expectError(.credentialsRejected) {
            try await connector.changePassword(uid: "jdoe", current: GuardedString("Wrong#0"), attributes: [F.password("Next#2")])
        }
        #expect(wrong?.message == "the current password of 'jdoe' on system 'hr' is not correct")
        #expect(try await connector.get(uid: "jdoe").mustChange == true, "nothing was written")

        try await connector.changePassword(uid: "jdoe", current: GuardedString("Initial#1"), attributes: [F.password("Next#2")])
        let changed = try #require(try fixture.value("password", of: "jdoe"))
        switch storage {
        case .pgcryptoBcrypt: #expect(try fixture.cryptVerifies("jdoe", "Next#2"))
        case .keyward(let hashing): #expect(hashing.verify(GuardedString("Next#2"), against: changed))
        }
        #expect(try await connector.get(uid: "jdoe").mustChange == false)

        // A retry after a crash: the change was made, the old password no longer verifies.
        try await connector.changePassword(uid: "jdoe", current: GuardedString("Initial#1"), attributes: [F.password("Next#2")])
        #expect(try fixture.value("password", of: "jdoe") == changed, "nothing was written again")

        await F.expectError(.credentialsRejected) {
            try await connector.changePassword(uid: "jdoe", current: GuardedString("Initial#1"), attributes: [F.password("Other#3")])
        }
    }

    @Test func changePasswordWithoutAStoredPasswordIsRejected() async throws {
        let fixture = try F()
        for storage in Self.storages {
            let connector = try fixture.connector(F.storage(storage))
            let uid = F.unique("nopw")
            try await connector.create(uid: uid, attributes: [F.plain("email", "\(uid)@example.com")], options: PasswordOptions())
            await F.expectError(.credentialsRejected) {
                try await connector.changePassword(uid: uid, current: GuardedString(""), attributes: [F.password("New#1")])
            }
        }
    }

    @Test func unlockClearsTheFlagAndIsIdempotent() async throws {
        let fixture = try F()
        let connector = try fixture.connector()
        try await connector.create(uid: "jdoe", attributes: F.jdoe(), options: PasswordOptions())
        try fixture.execute("UPDATE people SET locked = 1 WHERE username = 'jdoe'")
        #expect(try await connector.get(uid: "jdoe").locked == true)
        try await connector.unlock(uid: "jdoe")
        #expect(try await connector.get(uid: "jdoe").locked == false)
        try await connector.unlock(uid: "jdoe")
        #expect(try await connector.get(uid: "jdoe").locked == false)

        // A boolean flag column takes the same statement.
        let booleanLock = try fixture.connector(["lockedColumn": .plain("must_change")])
        try fixture.execute("UPDATE people SET must_change = true WHERE username = 'jdoe'")
        try await booleanLock.unlock(uid: "jdoe")
        #expect(try fixture.value("must_change", of: "jdoe") == "false")

        let unlockless = try fixture.connector(["lockedColumn": nil])
        #expect(!unlockless.capabilities.contains(.unlock))
        #expect(try await unlockless.get(uid: "jdoe").locked == nil)
        await F.expectError(.unsupported) { try await unlockless.unlock(uid: "jdoe") }
    }

    @Test func deleteRemovesTheRow() async throws {
        let fixture = try F()
        let connector = try fixture.connector()
        try await connector.create(uid: "jdoe", attributes: F.jdoe(), options: PasswordOptions())
        try await connector.delete(uid: "jdoe")
        await F.expectError(.notFound) { _ = try await connector.get(uid: "jdoe") }
    }

    @Test func otherPasswordAttributesAreStoredAsGivenAndNeverRead() async throws {
        let fixture = try F()
        try fixture.execute("CREATE TABLE apps(username text PRIMARY KEY, password text, app_hash varchar(64))")
        var definition = fixture.definition(["table": .plain("apps"), "lockedColumn": nil, "mustChangeColumn": nil])
        definition.attributes.append(AttributeMapping(name: "app_hash", isPassword: true, location: F.location))
        definition.attributes.removeAll { $0.name == "given_name" || $0.name == "email" }
        let connector = try PostgresTableConnector(
            definition: definition, environment: F.environment(password: fixture.database.password),
            logger: PostgresTableConnector.silentLogger, processEnvironment: [:])
        let transformed = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
        try await connector.create(
            uid: "jdoe",
            attributes: [F.password("Initial#1"), ConnectorAttribute(name: "app_hash", value: .secret(GuardedString(transformed)))],
            options: PasswordOptions())
        #expect(try fixture.execute("SELECT app_hash FROM apps") == transformed)
        let account = try await connector.get(uid: "jdoe")
        #expect(account.attributes == ["username": "jdoe"])
        try await connector.test()
        let schema = try await connector.schema()
        #expect(schema.first { $0.name == "app_hash" }?.type == .guardedString)
        #expect(schema.first { $0.name == "app_hash" }?.readable == false)
    }

    @Test func schemaDescribesTheTable() async throws {
        let fixture = try F()
        try fixture.execute("ALTER TABLE people ADD COLUMN id serial, ADD COLUMN badge int8 NOT NULL")
        let schema = try await fixture.connector().schema()
        #expect(schema.map(\.name) == [
            "username", "given_name", "email", AttributeSchema.passwordName, "locked", "must_change", "id", "badge",
        ])
        #expect(schema[3] == .password)
        #expect(schema[0].required && !schema[0].updatable && schema[0].type == .string)
        #expect(!schema[1].required)
        #expect(schema[4].type == .boolean && schema[5].type == .boolean)
        #expect(schema[6].type == .integer && !schema[6].required, "a serial column fills itself")
        #expect(schema[7].type == .integer && schema[7].required)
    }

    @Test func testFindsAMissingTableOrColumn() async throws {
        let fixture = try F()
        try await fixture.connector().test()

        let noColumn = await F.expectError(.configuration) {
            try await fixture.connector(["passwordColumn": .plain("pwd")]).test()
        }
        #expect(noColumn?.message == "column 'pwd' (connection key 'passwordColumn') does not exist in table people of system 'hr'")
        let noColumnOnWrite = await F.expectError(.configuration) {
            try await fixture.connector(["passwordColumn": .plain("pwd")])
                .create(uid: "jdoe", attributes: F.jdoe(), options: PasswordOptions())
        }
        #expect(noColumnOnWrite?.message == "column 'pwd' does not exist in table people of system 'hr'")

        let calls: [@Sendable (PostgresTableConnector) async throws -> Void] = [
            { connector in try await connector.test() },
            { connector in _ = try await connector.schema() },
            { connector in _ = try await connector.get(uid: "jdoe") },
            { connector in try await connector.create(uid: "jdoe", attributes: F.jdoe(), options: PasswordOptions()) },
        ]
        for call in calls {
            let noTable = await F.expectError(.configuration) { try await call(fixture.connector(["table": .plain("staff")])) }
            #expect(noTable?.message.hasPrefix("table staff does not exist in 127.0.0.1:") == true, "\(noTable as Any)")
        }

        var definition = fixture.definition()
        definition.attributes.append(AttributeMapping(name: "phone", location: F.location))
        let unmapped = await F.expectError(.configuration) {
            try await PostgresTableConnector(
                definition: definition, environment: F.environment(password: fixture.database.password),
                logger: PostgresTableConnector.silentLogger, processEnvironment: [:]
            ).test()
        }
        #expect(unmapped?.message.contains("mapped attribute 'phone'") == true)
    }

    @Test func pgcryptoBcryptWithoutPgcryptoNamesTheExtension() async throws {
        let fixture = try F(pgcrypto: false)
        let connector = try fixture.connector()
        let calls: [@Sendable () async throws -> Void] = [
            { try await connector.test() },
            { try await connector.create(uid: "jdoe", attributes: F.jdoe(), options: PasswordOptions()) },
        ]
        for call in calls {
            let error = await F.expectError(.configuration) { try await call() }
            #expect(error?.message.contains("run CREATE EXTENSION pgcrypto there") == true, "\(error as Any)")
        }
        #expect(try fixture.execute("SELECT count(*) FROM people") == "0")
        // Keyward's own hashes need no extension.
        try await fixture.connector(["passwordStorage": .plain("bcrypt")])
            .create(uid: "jdoe", attributes: F.jdoe(), options: PasswordOptions())
    }

    @Test func aPasswordBcryptCannotTakeWholeIsRefusedBeforeTheDatabase() async throws {
        let fixture = try F()
        for storage in [PostgresTablePasswordStorage.pgcryptoBcrypt(cost: 4), .keyward(.bcrypt(cost: 4))] {
            let connector = try fixture.connector(F.storage(storage))
            let error = await F.expectError(.policyRejected) {
                try await connector.create(
                    uid: "jdoe", attributes: [F.password(String(repeating: "x", count: 80))], options: PasswordOptions())
            }
            #expect(error?.message.hasPrefix("system 'hr': ") == true)
        }
        let nul = await F.expectError(.policyRejected) {
            try await fixture.connector().create(uid: "jdoe", attributes: [F.password("a\u{0}b")], options: PasswordOptions())
        }
        #expect(nul?.message.contains("NUL") == true)
        #expect(try fixture.value("username", of: "jdoe") == nil)
    }
}
