import Foundation
import KeywardCore
import KeywardStore
import KeywardTestSupport
import Testing

/// The master key: its id and text form, where it is found, and how its
/// file is written and checked.
@Suite("Store: master key", .offThePool)
struct MasterKeyTests {
    @Test func generatedKeysDifferAndHaveShortHexIDs() throws {
        let first = MasterKey.generate()
        let second = MasterKey.generate()
        #expect(first.id != second.id)
        for key in [first, second] {
            #expect(key.id.count == 9)
            #expect(key.id.hasPrefix("k"))
            #expect(key.id.dropFirst().allSatisfy { $0.isHexDigit && !$0.isUppercase })
        }
    }

    @Test func encodedTextRoundTripsIgnoringWhitespace() throws {
        let key = MasterKey.generate()
        let text = key.encoded()
        #expect(text.count == 44)
        #expect(try MasterKey(encoded: text).id == key.id)
        let padded = text.withPlaintext { GuardedString("  \n\t\($0)\r\n ") }
        #expect(try MasterKey(encoded: padded).id == key.id)
    }

    @Test("Bad key text is refused without echoing it", arguments: [
        "", "not base64 at all \(Canary.password)", Data(repeating: 7, count: 16).base64EncodedString(),
        Data(repeating: 7, count: 33).base64EncodedString(), Canary.password,
    ])
    func badTextIsRefused(text: String) {
        #expect {
            try MasterKey(encoded: GuardedString(text))
        } throws: { error in
            guard let error = error as? StoreError else { return false }
            return error.kind == .missingKey && error.message.contains("32 bytes of base64")
                && error.message.contains("keyward keygen") && (text.isEmpty || !error.message.contains(text))
        }
    }

    @Test func environmentWinsOverTheKeyFile() throws {
        let folder = try StoreFolder()
        let fileKey = MasterKey.generate()
        let keyFile = folder.path("master.key")
        try MasterKey.write(fileKey, to: keyFile)
        let environmentKey = MasterKey.generate()
        let text = environmentKey.encoded().withPlaintext { $0 }
        let loaded = try MasterKey.load(environment: ["KEYWARD_MASTER_KEY": text], keyFile: keyFile)
        #expect(loaded.id == environmentKey.id)
        #expect(try MasterKey.load(environment: [:], keyFile: keyFile).id == fileKey.id)
        // The environment wins even when no file exists.
        let missing = folder.path("none.key")
        #expect(try MasterKey.load(environment: ["KEYWARD_MASTER_KEY": text], keyFile: missing).id == environmentKey.id)
    }

    @Test func badEnvironmentKeyIsNamedNotEchoed() throws {
        let folder = try StoreFolder()
        let error = #expect(throws: StoreError.self) {
            try MasterKey.load(environment: ["KEYWARD_MASTER_KEY": Canary.password], keyFile: folder.path("none.key"))
        }
        #expect(error?.kind == .missingKey)
        #expect(error?.message.contains("KEYWARD_MASTER_KEY") == true)
        #expect(error?.message.contains(Canary.password) == false)
    }

    @Test func missingKeySaysHowToMakeOne() throws {
        let folder = try StoreFolder()
        let keyFile = folder.path("master.key")
        let error = #expect(throws: StoreError.self) {
            try MasterKey.load(environment: [:], keyFile: keyFile)
        }
        #expect(error?.kind == .missingKey)
        #expect(
            error?.message
                == "no master key: Keyward keeps queued passwords encrypted and will not start without one. Create one with `keyward keygen` (writes \(keyFile) with mode 0600), or set KEYWARD_MASTER_KEY"
        )
    }

    @Test func keyFileReadableByOthersIsRefused() throws {
        let folder = try StoreFolder()
        let keyFile = folder.path("master.key")
        let text = MasterKey.generate().encoded().withPlaintext { $0 + "\n" }
        #expect(
            FileManager.default.createFile(
                atPath: keyFile, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644]))
        let error = #expect(throws: StoreError.self) {
            try MasterKey.load(environment: [:], keyFile: keyFile)
        }
        #expect(error?.kind == .missingKey)
        #expect(error?.message.contains("\(keyFile) is readable by other users (mode 0644)") == true)
        #expect(error?.message.contains("chmod 600 \(keyFile)") == true)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: keyFile)
        #expect(throws: StoreError.self) { try MasterKey.load(environment: [:], keyFile: keyFile) }
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: keyFile)
        _ = try MasterKey.load(environment: [:], keyFile: keyFile)
    }

    @Test func garbageKeyFileIsRefusedWithoutEchoingIt() throws {
        let folder = try StoreFolder()
        let keyFile = folder.path("master.key")
        #expect(
            FileManager.default.createFile(
                atPath: keyFile, contents: Data("garbage \(Canary.password)\n".utf8),
                attributes: [.posixPermissions: 0o600]))
        let error = #expect(throws: StoreError.self) {
            try MasterKey.load(environment: [:], keyFile: keyFile)
        }
        #expect(error?.kind == .missingKey)
        #expect(error?.message.contains(keyFile) == true)
        #expect(error?.message.contains("keyward keygen") == true)
        #expect(error?.message.contains("garbage") == false)
        #expect(error?.message.contains(Canary.password) == false)
    }

    @Test func aFolderIsNotAKeyFile() throws {
        let folder = try StoreFolder()
        let error = #expect(throws: StoreError.self) {
            try MasterKey.load(environment: [:], keyFile: folder.url.path)
        }
        #expect(error?.message.contains("is not a regular file") == true)
    }

    @Test func writeCreatesAPrivateFileAndRefusesToOverwrite() throws {
        let folder = try StoreFolder()
        let keyFile = folder.path("master.key")
        let key = MasterKey.generate()
        try MasterKey.write(key, to: keyFile)
        #expect(try folder.permissions(keyFile) == 0o600)
        let content = try String(contentsOfFile: keyFile, encoding: .utf8)
        #expect(content == key.encoded().withPlaintext { $0 } + "\n")
        #expect(try MasterKey.load(environment: [:], keyFile: keyFile).id == key.id)

        let error = #expect(throws: StoreError.self) {
            try MasterKey.write(MasterKey.generate(), to: keyFile)
        }
        #expect(error?.message.contains("already exists") == true)
        #expect(try MasterKey.load(environment: [:], keyFile: keyFile).id == key.id)

        let replacement = MasterKey.generate()
        try MasterKey.write(replacement, to: keyFile, overwrite: true)
        #expect(try folder.permissions(keyFile) == 0o600)
        #expect(try MasterKey.load(environment: [:], keyFile: keyFile).id == replacement.id)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.url.path)
        #expect(leftovers == ["master.key"])
    }

    @Test func keyringFindsKeysByID() {
        let current = MasterKey.generate()
        let old = MasterKey.generate()
        let keyring = Keyring(current: current, previous: [old])
        #expect(keyring.key(id: current.id)?.id == current.id)
        #expect(keyring.key(id: old.id)?.id == old.id)
        #expect(keyring.key(id: MasterKey.generate().id) == nil)
    }
}
