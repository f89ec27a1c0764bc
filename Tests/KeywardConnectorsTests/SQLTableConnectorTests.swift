import GRDB
import KeywardTestSupport
@testable import KeywardConnectors
import KeywardCore
import Testing

/// The `sql` connector against a real SQLite file.
@Suite("SQL: table connector", .offThePool)
struct SQLTableConnectorTests {
    typealias A = Attributes

    @Test func createThenGetReturnsEverythingButThePassword() async throws {
        let folder = try SQLFolder()
        let connector = try folder.connector()
        try await connector.create(uid: "jdoe", attributes: A.jdoe(), options: PasswordOptions())

        let stored = try #require(try folder.value("password", of: "jdoe"))
        #expect(stored.hasPrefix("$2b$04$"))
        #expect(connector.settings.passwordStorage.verify(GuardedString("Initial#1"), against: stored))

        let account = try await connector.get(uid: "jdoe")
        #expect(account.uid == "jdoe")
        #expect(account.attributes == [
            "username": "jdoe", "given_name": "John", "email": "jdoe@example.com", "locked": "0", "must_change": "0",
        ])
        #expect(account.locked == false)
        #expect(account.mustChange == false)
    }

    @Test func createHonoursMustChangeAndStoresNullForNil() async throws {
        let folder = try SQLFolder()
        let connector = try folder.connector()
        let attributes = [A.plain("given_name", "Ann"), A.plain("email", nil), A.password("Initial#1")]
        try await connector.create(uid: "ann", attributes: attributes, options: PasswordOptions(mustChange: true))
        let account = try await connector.get(uid: "ann")
        #expect(account.mustChange == true)
        #expect(account.attributes["email"] == nil)
        #expect(account.attributes["username"] == "ann")
    }

    @Test func creatingATakenKeyIsAlreadyExists() async throws {
        let folder = try SQLFolder()
        let connector = try folder.connector()
        try await connector.create(uid: "jdoe", attributes: A.jdoe(), options: PasswordOptions())
        let error = await #expect(throws: ConnectorError.self) {
            try await connector.create(uid: "jdoe", attributes: A.jdoe(), options: PasswordOptions())
        }
        #expect(error?.kind == .alreadyExists)
        #expect(error?.message == "an account with key 'jdoe' exists in table people of system 'hr'")
    }

    @Test func anAttributeWithoutAColumnIsAConfigurationError() async throws {
        let folder = try SQLFolder()
        let connector = try folder.connector()
        let unknown = await #expect(throws: ConnectorError.self) {
            try await connector.create(uid: "jdoe", attributes: [A.plain("phone", "1")], options: PasswordOptions())
        }
        #expect(unknown?.kind == .configuration)
        #expect(unknown?.message == "column 'phone' does not exist in table people of system 'hr'")
        let injected = await #expect(throws: ConnectorError.self) {
            try await connector.update(uid: "jdoe", attributes: [A.plain("email = 'x' --", "1")], options: PasswordOptions())
        }
        #expect(injected?.kind == .configuration)
        #expect(injected?.message.contains("is not a plain column name") == true)
    }

    @Test func updateSetsColumnsAndAPasswordWithMustChange() async throws {
        let folder = try SQLFolder()
        let connector = try folder.connector()
        try await connector.create(uid: "jdoe", attributes: A.jdoe(), options: PasswordOptions())

        try await connector.update(
            uid: "jdoe", attributes: [A.plain("given_name", "Johnny"), A.plain("email", nil)],
            options: PasswordOptions(mustChange: true))
        var account = try await connector.get(uid: "jdoe")
        #expect(account.attributes["given_name"] == "Johnny")
        #expect(account.attributes["email"] == nil)
        #expect(account.mustChange == false, "no password was set, so mustChange stays")

        try await connector.update(uid: "jdoe", attributes: [A.password("Reset#2")], options: PasswordOptions(mustChange: true))
        account = try await connector.get(uid: "jdoe")
        #expect(account.mustChange == true)
        let stored = try #require(try folder.value("password", of: "jdoe"))
        #expect(connector.settings.passwordStorage.verify(GuardedString("Reset#2"), against: stored))
        #expect(!connector.settings.passwordStorage.verify(GuardedString("Initial#1"), against: stored))

        try await connector.update(uid: "jdoe", attributes: [], options: PasswordOptions())
    }

    @Test func everyOperationOnAMissingAccountIsNotFound() async throws {
        let folder = try SQLFolder()
        let connector = try folder.connector()
        let calls: [(String, @Sendable () async throws(ConnectorError) -> Void)] = [
            ("update", { () async throws(ConnectorError) in
                try await connector.update(uid: "ghost", attributes: [A.plain("email", "x")], options: PasswordOptions())
            }),
            ("empty update", { () async throws(ConnectorError) in
                try await connector.update(uid: "ghost", attributes: [], options: PasswordOptions())
            }),
            ("get", { () async throws(ConnectorError) in _ = try await connector.get(uid: "ghost") }),
            ("delete", { () async throws(ConnectorError) in try await connector.delete(uid: "ghost") }),
            ("unlock", { () async throws(ConnectorError) in try await connector.unlock(uid: "ghost") }),
            ("changePassword", { () async throws(ConnectorError) in
                try await connector.changePassword(uid: "ghost", current: GuardedString("a"), attributes: [A.password("b")])
            }),
        ]
        for (name, call) in calls {
            let error = await #expect(throws: ConnectorError.self, "\(name)") { try await call() }
            #expect(error?.kind == .notFound, "\(name)")
            #expect(error?.message == "no account with key 'ghost' in table people of system 'hr'", "\(name)")
        }
    }

    static let storages: [PasswordHashing] = [.bcrypt(cost: 4), .pbkdf2SHA256(iterations: 1_000), .sha256Hex, .cleartext]

    @Test(arguments: storages)
    func changePasswordChecksTheCurrentPassword(storage: PasswordHashing) async throws {
        let folder = try SQLFolder()
        let connector = try folder.connector(storage: storage)
        try await connector.create(uid: "jdoe", attributes: A.jdoe(), options: PasswordOptions(mustChange: true))

        let wrong = await #expect(throws: ConnectorError.self) {
            try await connector.changePassword(uid: "jdoe", current: GuardedString("Wrong#0"), attributes: [A.password("Next#2")])
        }
        #expect(wrong?.kind == .credentialsRejected)
        #expect(wrong?.message == "the current password of 'jdoe' on system 'hr' is not correct")

        try await connector.changePassword(uid: "jdoe", current: GuardedString("Initial#1"), attributes: [A.password("Next#2")])
        let changed = try #require(try folder.value("password", of: "jdoe"))
        #expect(storage.verify(GuardedString("Next#2"), against: changed))
        #expect(try await connector.get(uid: "jdoe").mustChange == false)

        // A retry after a crash: the change was made, the old password no longer verifies.
        try await connector.changePassword(uid: "jdoe", current: GuardedString("Initial#1"), attributes: [A.password("Next#2")])
        #expect(try folder.value("password", of: "jdoe") == changed, "nothing was written again")

        let stale = await #expect(throws: ConnectorError.self) {
            try await connector.changePassword(uid: "jdoe", current: GuardedString("Initial#1"), attributes: [A.password("Other#3")])
        }
        #expect(stale?.kind == .credentialsRejected)
    }

    @Test func changePasswordWithoutAStoredPasswordIsRejected() async throws {
        let folder = try SQLFolder()
        let connector = try folder.connector()
        try await connector.create(uid: "jdoe", attributes: [A.plain("email", "j@example.com")], options: PasswordOptions())
        let error = await #expect(throws: ConnectorError.self) {
            try await connector.changePassword(uid: "jdoe", current: GuardedString(""), attributes: [A.password("New#1")])
        }
        #expect(error?.kind == .credentialsRejected)
    }

    @Test func unlockClearsTheFlagAndIsIdempotent() async throws {
        let folder = try SQLFolder()
        let connector = try folder.connector()
        try await connector.create(uid: "jdoe", attributes: A.jdoe(), options: PasswordOptions())
        try folder.execute("UPDATE people SET locked = 1 WHERE username = 'jdoe'")
        #expect(try await connector.get(uid: "jdoe").locked == true)
        try await connector.unlock(uid: "jdoe")
        #expect(try await connector.get(uid: "jdoe").locked == false)
        try await connector.unlock(uid: "jdoe")
        #expect(try await connector.get(uid: "jdoe").locked == false)

        let unlockless = try folder.connector(["lockedColumn": nil])
        #expect(!unlockless.capabilities.contains(.unlock))
        #expect(try await unlockless.get(uid: "jdoe").locked == nil)
        let error = await #expect(throws: ConnectorError.self) { try await unlockless.unlock(uid: "jdoe") }
        #expect(error?.kind == .unsupported)
    }

    @Test func deleteRemovesTheRow() async throws {
        let folder = try SQLFolder()
        let connector = try folder.connector()
        try await connector.create(uid: "jdoe", attributes: A.jdoe(), options: PasswordOptions())
        try await connector.delete(uid: "jdoe")
        let error = await #expect(throws: ConnectorError.self) { _ = try await connector.get(uid: "jdoe") }
        #expect(error?.kind == .notFound)
    }

    @Test func otherPasswordAttributesAreStoredAsGivenAndNeverRead() async throws {
        let folder = try SQLFolder()
        try folder.execute("CREATE TABLE apps(username TEXT PRIMARY KEY, password TEXT, app_hash TEXT)")
        var definition = SQLFolder.definition(["table": .plain("apps"), "lockedColumn": nil, "mustChangeColumn": nil])
        definition.attributes.append(AttributeMapping(name: "app_hash", isPassword: true, location: SQLFolder.location))
        definition.attributes.removeAll { $0.name == "given_name" || $0.name == "email" }
        let connector = try SQLTableConnector(definition: definition, environment: folder.environment)
        let transformed = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
        try await connector.create(
            uid: "jdoe",
            attributes: [A.password("Initial#1"), ConnectorAttribute(name: "app_hash", value: .secret(GuardedString(transformed)))],
            options: PasswordOptions())
        let stored = try DatabaseQueue(path: folder.databasePath).read { db in
            try Row.fetchOne(db, sql: "SELECT typeof(app_hash) AS type, app_hash FROM apps")
        }
        #expect(stored?["type"] == "text")
        #expect(stored?["app_hash"] == transformed)
        let account = try await connector.get(uid: "jdoe")
        #expect(account.attributes == ["username": "jdoe"])
        try await connector.test()
        let schema = try await connector.schema()
        #expect(schema.first { $0.name == "app_hash" }?.type == .guardedString)
        #expect(schema.first { $0.name == "app_hash" }?.readable == false)
    }

    @Test func schemaDescribesTheTable() async throws {
        let folder = try SQLFolder()
        let schema = try await folder.connector().schema()
        #expect(schema.map(\.name) == ["username", "given_name", "email", AttributeSchema.passwordName, "locked", "must_change"])
        #expect(schema[3] == .password)
        #expect(schema[0].required && !schema[0].updatable && schema[0].type == .string)
        #expect(!schema[1].required)
        #expect(schema[4].type == .boolean && schema[5].type == .boolean)
    }

    @Test func testFindsAMissingTableOrColumn() async throws {
        let folder = try SQLFolder()
        try await folder.connector().test()

        let noColumn = await #expect(throws: ConnectorError.self) {
            try await folder.connector(["passwordColumn": .plain("pwd")]).test()
        }
        #expect(noColumn?.kind == .configuration)
        #expect(noColumn?.message
            == "column 'pwd' (connection key 'passwordColumn') does not exist in table people of system 'hr'")

        let noTable = await #expect(throws: ConnectorError.self) {
            try await folder.connector(["table": .plain("staff")]).test()
        }
        #expect(noTable?.kind == .configuration)
        #expect(noTable?.message.contains("table staff does not exist") == true)
        let schema = await #expect(throws: ConnectorError.self) {
            _ = try await folder.connector(["table": .plain("staff")]).schema()
        }
        #expect(schema?.kind == .configuration)

        var definition = SQLFolder.definition()
        definition.attributes.append(AttributeMapping(name: "phone", location: SQLFolder.location))
        let unmapped = await #expect(throws: ConnectorError.self) {
            try await SQLTableConnector(definition: definition, environment: folder.environment).test()
        }
        #expect(unmapped?.message.contains("mapped attribute 'phone'") == true)
    }

    @Test func aBcryptRefusalNamesTheSystem() async throws {
        let folder = try SQLFolder()
        let connector = try folder.connector()
        let error = await #expect(throws: ConnectorError.self) {
            try await connector.create(
                uid: "jdoe", attributes: [A.password(String(repeating: "x", count: 80))], options: PasswordOptions())
        }
        #expect(error?.kind == .policyRejected)
        #expect(error?.message.hasPrefix("system 'hr': ") == true)
        #expect(try folder.value("username", of: "jdoe") == nil)
    }

    @Test func sqliteErrorsMapToTransientKinds() {
        let busy = SQLTableConnector.error(for: DatabaseError(resultCode: .SQLITE_BUSY), system: "hr", path: "hr.db")
        #expect(busy.kind == .timedOut && busy.isTransient)
        let locked = SQLTableConnector.error(for: DatabaseError(resultCode: .SQLITE_LOCKED), system: "hr", path: "hr.db")
        #expect(locked.kind == .timedOut)
        let cannotOpen = SQLTableConnector.error(for: DatabaseError(resultCode: .SQLITE_CANTOPEN), system: "hr", path: "hr.db")
        #expect(cannotOpen.kind == .unreachable && cannotOpen.isTransient)
        let readOnly = SQLTableConnector.error(for: DatabaseError(resultCode: .SQLITE_READONLY), system: "hr", path: "hr.db")
        #expect(readOnly.kind == .permissionDenied)
    }

    @Test func aWriterThatHoldsTheLockMakesTheConnectorTimeOut() async throws {
        let folder = try SQLFolder()
        let connector = try SQLTableConnector(
            definition: SQLFolder.definition(), environment: folder.environment, busyTimeout: 0.1)
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: folder.databasePath, configuration: configuration)
        try await other.writeWithoutTransaction { db in try db.execute(sql: "BEGIN EXCLUSIVE") }
        let error = await #expect(throws: ConnectorError.self) {
            try await connector.create(uid: "jdoe", attributes: A.jdoe(), options: PasswordOptions())
        }
        #expect(error?.kind == .timedOut)
        #expect(error?.isTransient == true)
        try await other.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        try await connector.create(uid: "jdoe", attributes: A.jdoe(), options: PasswordOptions())
    }
}
