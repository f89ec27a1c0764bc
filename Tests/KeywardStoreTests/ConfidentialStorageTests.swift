import Foundation
import GRDB
import KeywardCore
import KeywardStore
import KeywardTestSupport
import Testing

/// Secrets at rest: never plaintext in any file, bound to their row, and
/// readable only with the key that sealed them.
@Suite("Store: confidential storage", .offThePool)
struct ConfidentialStorageTests {
    @Test func canaryNeverReachesAnyFile() async throws {
        let folder = try StoreFolder()
        var store: SQLiteStore? = try folder.open()
        let queue = try #require(store)
        let ids = try await queue.enqueue(
            Fixtures.reset("alice"), Fixtures.change("bob"), Fixtures.reset("carol"), Fixtures.reset("dave"))
        _ = try await queue.claimNow()
        try await queue.finish(ids[0], .retry(at: Date().addingTimeInterval(3600), Fixtures.unreachable))
        try await queue.finish(ids[1], .executed(Fixtures.ok))
        try await queue.finish(ids[2], .blocked(Fixtures.unreachable))
        #expect(try await queue.recoverInterrupted(now: Date()) == 1)
        _ = try await queue.retry(operationID: ids[0], actor: "cli:root", now: Date())
        let claimed = try await queue.claimNow()
        #expect(claimed.map(\.operation.id) == [ids[0], ids[3]])
        #expect(claimed.allSatisfy { $0.secrets[Fixtures.password] == GuardedString(Canary.password) })
        try await queue.finish(ids[0], .executed(Fixtures.ok))
        try await queue.finish(ids[3], .retry(at: Date(), Fixtures.unreachable))
        _ = try await queue.cancel(operationID: ids[3], actor: "cli:root", now: Date())
        _ = try await queue.enqueue(Fixtures.reset("erin"), Fixtures.change("frank"))
        #expect(try await queue.secretCounts() == [folder.key.id: 3])

        #expect(FileManager.default.fileExists(atPath: folder.databasePath + "-wal"))
        try expectNoCanary(in: folder, when: "while the store is open")
        try await folder.rawConnection().writeWithoutTransaction { db in
            _ = try db.checkpoint(.full)
        }
        try expectNoCanary(in: folder, when: "after a checkpoint")
        store = nil
        try expectNoCanary(in: folder, when: "after closing")

        for entry in try await folder.open().audit(AuditFilter()) {
            #expect(!entry.message.contains(Canary.password))
        }
    }

    private func expectNoCanary(in folder: StoreFolder, when: String) throws {
        let found = canaryLocations(in: folder)
        #expect(found.isEmpty, "canary in \(found) \(when)")
    }

    /// The database files (and encodings) where the canary's bytes appear.
    private func canaryLocations(in folder: StoreFolder) -> [String] {
        let utf8 = Array(Canary.password.utf8)
        let utf16 = Canary.password.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        var found: [String] = []
        for suffix in ["", "-wal", "-shm", "-journal"] {
            guard let data = FileManager.default.contents(atPath: folder.databasePath + suffix) else { continue }
            let bytes = [UInt8](data)
            if contains(bytes, utf8) { found.append("keyward.db\(suffix) (UTF-8)") }
            if contains(bytes, utf16) { found.append("keyward.db\(suffix) (UTF-16LE)") }
        }
        return found
    }

    private func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return false }
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return true
            }
            index += 1
        }
        return false
    }

    /// The scan above would see a canary stored in the clear (here, where no
    /// secret belongs: an identity attribute).
    @Test func scanFindsPlaintextInTheWAL() async throws {
        let folder = try StoreFolder()
        let store = try folder.open()
        #expect(FileManager.default.fileExists(atPath: folder.databasePath + "-wal"))
        _ = try await store.upsertIdentities([Identity(username: "mallory", attributes: ["note": Canary.password])])
        #expect(canaryLocations(in: folder).contains("keyward.db-wal (UTF-8)"))
    }

    @Test func wrongKeyNamesBothKeysAndClaimsNothing() async throws {
        let folder = try StoreFolder()
        let id = try #require(try await folder.open().enqueue(Fixtures.unlock("bob"), Fixtures.reset("alice")).last)
        let other = MasterKey.generate()
        let store = try folder.open(keyring: Keyring(current: other))
        let error = await storeError { _ = try await store.claimNow() }
        #expect(error?.kind == .decryptionFailed)
        #expect(
            error?.message
                == "operation \(id)'s secret was encrypted with key \(folder.key.id), which is not the configured key (\(other.id)); configure that key, or cancel the operation"
        )
        #expect(try await store.operations(OperationFilter()).allSatisfy { $0.state == .created && $0.attempts == 0 })
        // Cancelling needs no key.
        #expect(try await store.cancel(operationID: id, actor: "cli:root", now: Date()).state == .cancelled)
        #expect(try await store.claimNow().count == 1)
    }

    @Test func tamperedCiphertextFailsAuthentication() async throws {
        let folder = try StoreFolder()
        let store = try folder.open()
        let id = try #require(try await store.enqueue(Fixtures.reset()).first)
        try await folder.rawConnection().write { db in
            var sealed = try #require(try Data.fetchOne(db, sql: "SELECT sealed FROM secrets"))
            sealed[sealed.count - 20] ^= 0x01
            try db.execute(sql: "UPDATE secrets SET sealed = ?", arguments: [sealed])
        }
        let error = await storeError { _ = try await store.claimNow() }
        #expect(error?.kind == .decryptionFailed)
        #expect(error?.message.contains("operation \(id)") == true)
        #expect(error?.message.contains(folder.key.id) == true)
        #expect(try await store.require(id).state == .created)
    }

    @Test func ciphertextMovedToAnotherOperationFailsAndTheBatchRollsBack() async throws {
        let folder = try StoreFolder()
        let store = try folder.open()
        let ids = try await store.enqueue(Fixtures.reset("alice"), Fixtures.reset("bob", secret: "other"))
        try await folder.rawConnection().write { db in
            try db.execute(
                sql: "UPDATE secrets SET sealed = (SELECT sealed FROM secrets WHERE operation_id = ?) WHERE operation_id = ?",
                arguments: [ids[0], ids[1]])
        }
        let error = await storeError { _ = try await store.claimNow() }
        #expect(error?.kind == .decryptionFailed)
        #expect(error?.message.contains("operation \(ids[1])") == true)
        #expect(try await store.require(ids[0]).state == .created)
        #expect(try await store.require(ids[0]).attempts == 0)
    }

    @Test func rotationReencryptsEverySecretUnderTheNewKey() async throws {
        let folder = try StoreFolder()
        let store = try folder.open()
        let ids = try await store.enqueue(Fixtures.reset("alice"), Fixtures.change("bob"))
        let newKey = MasterKey.generate()
        #expect(try await store.rotateKey(to: newKey) == 3)
        #expect(try await store.secretCounts() == [newKey.id: 3])
        #expect(store.keyring.current.id == newKey.id)
        _ = try await store.enqueue(Fixtures.reset("carol"))
        #expect(try await store.secretCounts() == [newKey.id: 4])

        let oldOnly = try folder.open()
        let refused = await storeError { _ = try await oldOnly.claimNow() }
        #expect(refused?.kind == .decryptionFailed)

        let newOnly = try folder.open(keyring: Keyring(current: newKey))
        let claimed = try await newOnly.claimNow()
        #expect(claimed.count == 3)
        let bob = try #require(claimed.first { $0.operation.id == ids[1] })
        #expect(bob.secrets[Fixtures.password] == GuardedString(Canary.password + "-new"))
        #expect(bob.secrets[currentPasswordSecretName] == GuardedString(Canary.password + "-old"))
    }

    @Test func previousKeysStillDecrypt() async throws {
        let folder = try StoreFolder()
        _ = try await folder.open().enqueue(Fixtures.reset())
        let newKey = MasterKey.generate()
        let store = try folder.open(keyring: Keyring(current: newKey, previous: [folder.key]))
        let claimed = try await store.claimNow()
        #expect(claimed.first?.secrets[Fixtures.password] == GuardedString(Canary.password))
        #expect(try await store.secretCounts() == [folder.key.id: 1])
    }
}
