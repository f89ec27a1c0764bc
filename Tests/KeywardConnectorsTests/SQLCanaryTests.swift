import KeywardConnectors
import KeywardCore
import KeywardTestSupport
import Testing

/// The canary password goes through every operation; it must show up in
/// no byte of the database files and no error message.
@Suite("SQL: canary", .offThePool)
struct SQLCanaryTests {
    typealias A = Attributes
    static let canary = Array(Canary.password.utf8)

    @Test(arguments: [PasswordHashing.bcrypt(cost: 4), .pbkdf2SHA256(iterations: 1_000)])
    func theCanaryLeavesNoTrace(storage: PasswordHashing) async throws {
        let folder = try SQLFolder()
        let connector = try folder.connector(storage: storage)
        let canary = GuardedString(Canary.password)
        let next = Canary.password + "-next"
        var errors: [ConnectorError] = []
        func expectFailure(_ kind: ConnectorError.Kind, _ call: () async throws -> Void) async {
            do {
                try await call()
                Issue.record("expected \(kind)")
            } catch let error as ConnectorError {
                #expect(error.kind == kind)
                errors.append(error)
            } catch {
                Issue.record(error)
            }
        }

        try await connector.create(uid: "jdoe", attributes: A.jdoe(password: Canary.password), options: PasswordOptions())
        try await connector.create(uid: "gone", attributes: A.jdoe(password: Canary.password), options: PasswordOptions())
        await expectFailure(.alreadyExists) {
            try await connector.create(uid: "jdoe", attributes: A.jdoe(password: Canary.password), options: PasswordOptions())
        }
        try await connector.update(uid: "jdoe", attributes: [A.password(Canary.password)], options: PasswordOptions(mustChange: true))
        await expectFailure(.notFound) {
            try await connector.update(uid: "ghost", attributes: [A.password(Canary.password)], options: PasswordOptions())
        }
        await expectFailure(.credentialsRejected) {
            try await connector.changePassword(
                uid: "jdoe", current: GuardedString(Canary.password + "x"), attributes: [A.password(next)])
        }
        await expectFailure(.notFound) {
            try await connector.changePassword(uid: "ghost", current: canary, attributes: [A.password(next)])
        }
        try await connector.changePassword(uid: "jdoe", current: canary, attributes: [A.password(next)])
        try await connector.changePassword(uid: "jdoe", current: canary, attributes: [A.password(next)])
        await expectFailure(.credentialsRejected) {
            try await connector.changePassword(uid: "jdoe", current: canary, attributes: [A.password(Canary.password)])
        }
        if case .bcrypt = storage {
            await expectFailure(.policyRejected) {
                try await connector.update(
                    uid: "jdoe", attributes: [A.password(String(repeating: Canary.password, count: 4))],
                    options: PasswordOptions())
            }
        }
        try await connector.unlock(uid: "jdoe")
        try await connector.delete(uid: "gone")
        let account = try await connector.get(uid: "jdoe")

        #expect(errors.count >= 5)
        for error in errors {
            for text in [error.message, error.description, String(reflecting: error)] {
                #expect(!text.contains(Canary.password) && !text.contains("CANARY"), "\(text)")
            }
        }
        for value in account.attributes.values {
            #expect(!value.contains("CANARY"))
        }
        var dumped = ""
        dump(connector, to: &dumped)
        #expect(!dumped.contains("CANARY"))

        let files = try folder.allBytes()
        #expect(!files.isEmpty)
        for bytes in files {
            #expect(!bytes.contains(bytes: Self.canary))
            #expect(!bytes.contains(bytes: Array("CANARY".utf8)))
        }
    }

    @Test func theCleartextLegacyStorageDoesStoreThePassword() async throws {
        // The control for the test above: the search does find a password
        // that is really there, and the settings warn about it.
        let folder = try SQLFolder()
        let connector = try folder.connector(storage: .cleartext)
        #expect(connector.settings.warnings.contains { $0.contains("cleartext keeps passwords readable") })
        try await connector.create(uid: "jdoe", attributes: A.jdoe(password: Canary.password), options: PasswordOptions())
        #expect(try folder.allBytes().contains { $0.contains(bytes: Self.canary) })
        #expect(try folder.value("password", of: "jdoe") == Canary.password)
        #expect(try await connector.get(uid: "jdoe").attributes["password"] == nil)
    }
}
