import Foundation
import KeywardTestSupport
import Testing

/// `keyward key rotate`: every queued secret re-encrypted under a new key,
/// the old key kept as KEYFILE.previous, nothing lost.
@Suite("CLI: master key rotation", .offThePool)
struct QueueKeyTests {
    @Test func rotationReEncryptsQueuedSecretsAndTheyStillRun() throws {
        let fixture = try QueueFixture()
        try fixture.prepare()
        #expect(try fixture.run("account", "create", "--all-users", "--system", "hr", "--no-wait").status == 0)
        let keyFile = fixture.url.appendingPathComponent("var/keyward.key")
        let oldKey = try String(contentsOf: keyFile, encoding: .utf8)
        let oldID: String = try #require(try fixture.store("SELECT DISTINCT key_id FROM secrets"))

        let rotated = try fixture.run("key", "rotate")
        #expect(rotated.status == 0, "\(rotated)")
        #expect(rotated.stdout.contains("re-encrypted 3 value(s)"), "\(rotated)")
        let newKey = try String(contentsOf: keyFile, encoding: .utf8)
        #expect(newKey != oldKey)
        #expect(try String(contentsOf: URL(fileURLWithPath: keyFile.path + ".previous"), encoding: .utf8) == oldKey)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: keyFile.path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        #expect(try fixture.store("SELECT count(*) FROM secrets WHERE key_id = '\(oldID)'") == 0)

        let status = try fixture.run("key", "rotate", "--status")
        #expect(status.stdout.contains("3 value(s) (current)"), "\(status)")

        // The old key is no longer needed: remove it, and the queue still runs.
        try FileManager.default.removeItem(atPath: keyFile.path + ".previous")
        let drained = try fixture.run("run", "--drain")
        #expect(drained.status == 0, "\(drained)")
        #expect(try fixture.store("SELECT count(*) FROM operations WHERE state = 'executed'") == 3)
    }

    @Test func withTheKeyInTheEnvironmentRotationNeedsAFileForTheNewKey() throws {
        let fixture = try QueueFixture()
        let key = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let imported = try fixture.run("identity", "import", "people.csv", environment: ["KEYWARD_MASTER_KEY": key])
        #expect(imported.status == 0, "\(imported)")
        let refused = try fixture.run("key", "rotate", environment: ["KEYWARD_MASTER_KEY": key])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--new-key-file"), "\(refused)")
        let rotated = try fixture.run("key", "rotate", "--new-key-file", "new.key", environment: ["KEYWARD_MASTER_KEY": key])
        #expect(rotated.status == 0, "\(rotated)")
        #expect(FileManager.default.fileExists(atPath: fixture.url.appendingPathComponent("new.key").path))
    }

    @Test func anInvalidKeyInTheEnvironmentIsRefusedWithoutEchoingIt() throws {
        let fixture = try QueueFixture()
        let result = try fixture.run("queue", "list", environment: ["KEYWARD_MASTER_KEY": "not-a-key-Zq9"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("KEYWARD_MASTER_KEY"), "\(result)")
        #expect(!result.stderr.contains("not-a-key-Zq9"))
    }
}
