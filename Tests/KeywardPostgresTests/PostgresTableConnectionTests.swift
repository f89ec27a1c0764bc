import Foundation
import KeywardConnectors
import KeywardCore
import KeywardQueueTestSupport
import KeywardTestSupport
import Testing

@testable import KeywardPostgres

/// Reaching the database: a refused login, certificates that must not be
/// trusted, plaintext only when asked for, and a server that stops and
/// comes back.
@Suite("PostgresTable: connecting", .offThePool)
struct PostgresTableConnectionTests {
    typealias F = PostgresTableFixture

    @Test func aWrongDatabasePasswordIsCredentialsRejected() async throws {
        let fixture = try F()
        let connector = try fixture.connector(password: "Not-The-Password-1")
        let error = await F.expectError(.credentialsRejected) { _ = try await connector.get(uid: "jdoe") }
        let message = error?.message ?? ""
        #expect(message.contains("refused the login of user 'keyward_test'") && message.contains("28P01"), "\(message)")
        #expect(!message.contains("Not-The-Password-1"))
        #expect(error?.isTransient == false)

        let none = try PostgresTableConnector(
            definition: fixture.definition(["password": nil]), environment: F.environment(password: nil),
            logger: PostgresTableConnector.silentLogger, processEnvironment: [:])
        let missing = await F.expectError(.credentialsRejected) { try await none.test() }
        #expect(missing?.message.contains("none is set") == true, "\(missing as Any)")
    }

    @Test func theDatabasePasswordMayComeFromPGPASSWORD() async throws {
        let fixture = try F()
        let connector = try PostgresTableConnector(
            definition: fixture.definition(["password": nil]), environment: F.environment(password: nil),
            logger: PostgresTableConnector.silentLogger, processEnvironment: fixture.database.environment)
        try await connector.test()
    }

    @Test func aCertificateFromAnUnknownCAIsRefused() async throws {
        let fixture = try F()
        let url = fixture.database.url(sslmode: "verify-full", caPath: fixture.server.otherCAPath)
        let connector = try fixture.connector(["url": .plain(url)])
        let error = await F.expectError(.configuration) { try await connector.test() }
        #expect(error?.message.contains("its certificate is not signed by a CA") == true, "\(error as Any)")
        // The system's CAs do not know the test CA either.
        let system = try fixture.connector(["url": .plain(fixture.database.url(sslmode: "verify-full", caPath: "system"))])
        await F.expectError(.configuration) { try await system.test() }
    }

    @Test func aCertificateForAnotherHostIsRefusedUnlessOnlyTheCAIsChecked() async throws {
        let fixture = try F()
        // 127.0.0.2 reaches the same server, whose certificate names 127.0.0.1 and localhost.
        let other = try fixture.connector(["url": .plain(fixture.database.url(sslmode: "verify-full", host: "127.0.0.2"))])
        await F.expectError(.configuration) { try await other.test() }
        let byName = try fixture.connector(["url": .plain(fixture.database.url(sslmode: "verify-full", host: "localhost"))])
        try await byName.test()

        let caOnly = try fixture.connector(["url": .plain(fixture.database.url(sslmode: "verify-ca", host: "127.0.0.2"))])
        try await caOnly.test()
        #expect(caOnly.warnings.contains { $0.contains("verify-ca does not check the certificate's host name") })
        let unverified = try fixture.connector(
            ["url": .plain(fixture.database.url(sslmode: "require", host: "127.0.0.2", caPath: fixture.server.otherCAPath))])
        try await unverified.test()
        #expect(unverified.warnings.contains { $0.contains("sslmode=require encrypts but does not check") })
    }

    @Test func plaintextOnlyWithSslmodeDisable() async throws {
        let server = try PostgresServer.dedicated(tls: false)
        defer { server.destroy() }
        let fixture = try F(server: server)
        let verified = try fixture.connector(["url": .plain(fixture.database.url(sslmode: "verify-full"))])
        let refused = await F.expectError(.configuration) { try await verified.test() }
        #expect(refused?.message.contains("does not offer TLS") == true, "\(refused as Any)")

        let plain = try fixture.connector(["url": .plain(fixture.database.url(sslmode: "disable"))])
        #expect(plain.warnings.count == 1 && plain.warnings[0].contains("sslmode=disable sends rows, hashes and secrets"))
        try await plain.create(uid: "jdoe", attributes: F.jdoe(), options: PasswordOptions())
        #expect(try fixture.cryptVerifies("jdoe", "Initial#1"))
    }

    @Test func aStoppedServerIsUnreachableAndWorksOnceBack() async throws {
        let server = try PostgresServer.dedicated()
        defer { server.destroy() }
        let fixture = try F(server: server)
        let connector = try fixture.connector()
        try await connector.create(uid: "jdoe", attributes: F.jdoe(), options: PasswordOptions())

        server.stop()
        for _ in 0..<2 {
            // The first call finds the pool's sessions gone, the second probes a closed port.
            let error = await F.expectError(.unreachable) {
                try await connector.update(uid: "jdoe", attributes: [F.password("Reset#2")], options: PasswordOptions())
            }
            #expect(error?.isTransient == true)
            #expect(error?.message.hasPrefix("system 'hr': ") == true, "\(error as Any)")
        }

        try server.start()
        try await connector.update(uid: "jdoe", attributes: [F.password("Reset#2")], options: PasswordOptions())
        #expect(try fixture.cryptVerifies("jdoe", "Reset#2"))
    }

    @Test func aServerThatIsDownAtFirstUseIsUnreachable() async throws {
        let fixture = try F()
        let closed = try SilentListener(listening: false).port
        let url = "postgres://\(fixture.database.user)@127.0.0.1:\(closed)/\(fixture.database.name)?sslmode=disable"
        let connector = try fixture.connector(["url": .plain(url)])
        let error = await F.expectError(.unreachable) { _ = try await connector.get(uid: "jdoe") }
        #expect(error?.message.contains("cannot connect to PostgreSQL at 127.0.0.1:\(closed)/") == true, "\(error as Any)")
    }
}
