import Foundation
import KeywardConnectors
import KeywardCore
import KeywardQueueTestSupport
import KeywardTestSupport
import Logging
import Testing

@testable import KeywardPostgres

/// The canary password goes through every operation, on a server of the
/// test's own that logs every statement with its parameters: it must be in
/// no table in the clear (a `pg_dump`), not in the server's log, not in an
/// error, and not in a log line of the connector (captured at trace level).
@Suite("PostgresTable: canary", .offThePool, .serialized)
struct PostgresTableCanaryTests {
    typealias F = PostgresTableFixture

    @Test(arguments: [PostgresTablePasswordStorage.pgcryptoBcrypt(cost: 4), .keyward(.pbkdf2SHA256(iterations: 1_000))])
    func theCanaryLeavesNoTrace(storage: PostgresTablePasswordStorage) async throws {
        let server = try PostgresServer.dedicated()
        defer { server.destroy() }
        let fixture = try F(server: server)
        let capture = LogCapture()
        let connector = try fixture.connector(
            F.storage(storage), logger: Logger(label: "pgtable-canary") { _ in CapturingLogHandler(capture: capture) })
        let errors = try await Self.journey(connector, storage: storage)

        #expect(errors.count >= 7)
        var texts = errors.flatMap { [$0.message, $0.description, String(reflecting: $0)] } + capture.lines
        texts += try await connector.get(uid: "jdoe").attributes.values
        var dumped = ""
        dump(connector, to: &dumped)
        texts.append(dumped)
        for text in texts {
            #expect(!text.contains(Canary.password) && !text.contains("CANARY"), "\(text)")
        }
        let dump = try server.pgDump(database: fixture.database.name)
        #expect(dump.contains("COPY public.people"), "the dump holds the table's rows")
        #expect(!dump.contains("CANARY"))
        let log = server.logText()
        #expect(log.contains("COPY \"keyward_secret\""), "the log has the statements of the journey")
        #expect(!log.contains("CANARY"))

        // The control: a statement that binds the canary does reach this log.
        try fixture.execute("SELECT '\(Canary.password)'")
        #expect(server.logText().contains(Canary.password))
    }

    @Test func theCleartextLegacyStorageDoesStoreThePasswordButNotInTheLog() async throws {
        let server = try PostgresServer.dedicated()
        defer { server.destroy() }
        let fixture = try F(server: server)
        let connector = try fixture.connector(F.storage(.keyward(.cleartext)))
        #expect(connector.warnings.contains { $0.contains("cleartext keeps passwords readable") })
        try await connector.create(uid: "jdoe", attributes: F.jdoe(password: Canary.password), options: PasswordOptions())
        #expect(try server.pgDump(database: fixture.database.name).contains(Canary.password))
        #expect(try await connector.get(uid: "jdoe").attributes["password"] == nil)
        try await connector.changePassword(
            uid: "jdoe", current: GuardedString(Canary.password), attributes: [F.password(Canary.password + "-2")])
        #expect(!server.logText().contains("CANARY"))
    }

    /// Every operation with the canary, the failing ones too; their errors.
    static func journey(_ connector: PostgresTableConnector, storage: PostgresTablePasswordStorage) async throws -> [ConnectorError] {
        let canary = GuardedString(Canary.password)
        let next = Canary.password + "-next"
        var errors: [ConnectorError] = []
        func fail(_ kind: ConnectorError.Kind, _ call: () async throws -> Void) async {
            if let error = await F.expectError(kind, call) { errors.append(error) }
        }
        try await connector.create(uid: "jdoe", attributes: F.jdoe(password: Canary.password), options: PasswordOptions())
        try await connector.create(
            uid: "gone", attributes: [F.plain("email", "gone@example.com"), F.password(Canary.password)], options: PasswordOptions())
        await fail(.alreadyExists) {
            try await connector.create(uid: "jdoe", attributes: F.jdoe(password: Canary.password), options: PasswordOptions())
        }
        await fail(.alreadyExists) {
            try await connector.create(uid: "jdoe2", attributes: F.jdoe(password: Canary.password), options: PasswordOptions())
        }
        try await connector.update(uid: "jdoe", attributes: [F.password(Canary.password)], options: PasswordOptions(mustChange: true))
        await fail(.notFound) {
            try await connector.update(uid: "ghost", attributes: [F.password(Canary.password)], options: PasswordOptions())
        }
        await fail(.credentialsRejected) {
            try await connector.changePassword(uid: "jdoe", current: GuardedString(Canary.password + "x"), attributes: [F.password(next)])
        }
        await fail(.notFound) {
            try await connector.changePassword(uid: "ghost", current: canary, attributes: [F.password(next)])
        }
        try await connector.changePassword(uid: "jdoe", current: canary, attributes: [F.password(next)])
        try await connector.changePassword(uid: "jdoe", current: canary, attributes: [F.password(next)])
        await fail(.credentialsRejected) {
            try await connector.changePassword(uid: "jdoe", current: canary, attributes: [F.password(Canary.password)])
        }
        if case .pgcryptoBcrypt = storage {
            await fail(.policyRejected) {
                try await connector.update(
                    uid: "jdoe", attributes: [F.password(String(repeating: Canary.password, count: 4))], options: PasswordOptions())
            }
            await fail(.policyRejected) {
                try await connector.update(uid: "jdoe", attributes: [F.password(Canary.password + "\u{0}")], options: PasswordOptions())
            }
        }
        await fail(.configuration) {
            try await connector.update(
                uid: "jdoe", attributes: [F.password(Canary.password), F.plain("phone", "555")], options: PasswordOptions())
        }
        try await connector.unlock(uid: "jdoe")
        try await connector.delete(uid: "gone")
        return errors
    }
}
