import Foundation
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardPlugins
import KeywardStore
import KeywardTestSupport
import Testing

/// `external` systems through the real queue (store, service, executor):
/// the example plugin for create, reset, change and unlock with the canary
/// password; and an engine that keeps serving one system while another's
/// plugin hangs.
@Suite("Plugins through the queue", .offThePool)
struct PluginQueueTests {
    let folder: PluginFolder

    init() throws {
        folder = try PluginFolder()
    }

    /// Drains the queue; the receipt's operations ended in `states`.
    @discardableResult
    func drain(
        _ engine: PluginQueueEngine, _ receipt: ProvisioningService.Receipt, _ states: [OperationState],
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) async throws -> [QueuedOperation] {
        try await engine.executor.drain()
        let operations = try await engine.operations(of: receipt)
        #expect(operations.map(\.state) == states, "\(operations)", sourceLocation: sourceLocation)
        return operations
    }

    @Test("the example plugin: create, reset, change, a lock by wrong passwords, unlock; the canary nowhere but hashed")
    func examplePlugin() async throws {
        let engine = try PluginQueueEngine(folder: folder, definitions: [
            PluginFolder.definition("accounts", command: folder.exampleCommand(maxFailures: 2))
        ])
        let connector = try #require(engine.connector("accounts"))
        let canary = Canary.password
        try await engine.addIdentity("ada")

        let created = try await engine.service.createAccounts(
            username: "ada", systems: ["accounts"], password: .chosen(GuardedString(canary)))
        try await drain(engine, created, [.executed])
        #expect(try await connector.get(uid: "ada").attributes == ["uid": "ada", "mail": "ada@example.org", "givenName": "Given ada"])

        let reset = try await engine.service.resetPassword(
            username: "ada", system: "accounts", password: .chosen(GuardedString(canary + "-2")), mustChange: true)
        try await drain(engine, reset, [.executed])
        #expect(try await connector.get(uid: "ada").mustChange == true)

        // The change verifies the reset's password: the plugin checks it.
        let changed = try await engine.service.changePassword(
            username: "ada", systems: ["accounts"], current: GuardedString(canary + "-2"), new: GuardedString(canary + "-3"))
        try await drain(engine, changed, [.executed])
        #expect(try await connector.get(uid: "ada").mustChange == false)

        for _ in 0..<2 {
            let wrong = try await engine.service.changePassword(
                username: "ada", systems: ["accounts"], current: GuardedString(canary + "-wrong"), new: GuardedString(canary + "-4"))
            let failed = try await drain(engine, wrong, [.failed])
            #expect(failed.first?.result?.code == ConnectorError.Kind.credentialsRejected.rawValue, "\(failed)")
        }
        #expect(try await connector.get(uid: "ada").locked == true)

        let unlocked = try await engine.service.unlock(username: "ada", system: "accounts")
        try await drain(engine, unlocked, [.executed])
        #expect(try await connector.get(uid: "ada").locked == false)

        let again = try await engine.service.changePassword(
            username: "ada", systems: ["accounts"], current: GuardedString(canary + "-3"), new: GuardedString(canary + "-4"))
        try await drain(engine, again, [.executed])

        #expect(try await engine.store.secretCounts().isEmpty, "confidential storage still holds secrets")
        #expect(await connector.pool.processIDs().count == 1, "one process served the whole journey")
        var texts = try await engine.store.operations(OperationFilter(limit: 1000)).map { String(reflecting: $0) }
        texts += try await engine.store.audit(AuditFilter(limit: 1000)).map { String(reflecting: $0) }
        texts += engine.logs.lines
        #expect(texts.count > 10)
        #expect(texts.filter { $0.contains(canary) }.isEmpty, "a text holds the canary")
        #expect(try CanaryFiles.holding(canary, under: folder.path).isEmpty, "the store and the plugin's database hold no canary")
        #expect(try CanaryFiles.holding("pbkdf2-sha256$1000$", under: folder.path).contains { ($0 as NSString).lastPathComponent.hasPrefix("accounts.db") },
            "control: the scan reads the plugin's database, which holds the hashes")
    }

    @Test("one system's plugin hangs past its timeout; the engine serves the other meanwhile, then retries with a new process")
    func hangingPluginBesideAnother() async throws {
        let engine = try PluginQueueEngine(folder: folder, definitions: [
            PluginFolder.definition("stuck", command: try folder.misbehavingCommand(), ["timeoutSeconds": .plain("5"), "poolSize": .plain("1")]),
            PluginFolder.definition("accounts", command: folder.exampleCommand()),
        ])
        try await engine.addIdentity("once-hang")
        let receipt = try await engine.service.createAccounts(
            username: "once-hang", systems: ["stuck", "accounts"], password: .chosen(GuardedString(Canary.password)))
        let executor = engine.executor
        let draining = Task { try await executor.drain() }

        // The other system's operation ends while the stuck one still runs.
        var operations = try await engine.operations(of: receipt)
        for _ in 0..<1200 where operations.first(where: { $0.system == "accounts" })?.state != .executed {
            try await Task.sleep(for: .milliseconds(50))
            operations = try await engine.operations(of: receipt)
        }
        #expect(operations.map(\.system) == ["stuck", "accounts"])
        #expect(operations.map(\.state) == [.running, .executed], "\(operations)")

        // The hang is killed at the timeout; the retry (due at once) finds a new process.
        #expect(try await draining.value == 3)
        let stuck = try #require(try await engine.operations(of: receipt).first)
        #expect(stuck.state == .executed && stuck.attempts == 2 && !stuck.holdsSecrets, "\(stuck)")
        let trail = try await engine.store.audit(AuditFilter(limit: 1000)).filter { $0.operationID == stuck.id }.sorted { $0.id < $1.id }
        #expect(trail.map(\.outcome) == ["retrying", "executed"], "\(trail)")
        let message = trail.first?.message ?? ""
        #expect(message.hasPrefix("system 'stuck': the plugin did not answer create within 5 s (stderr: 0 bytes, never shown)"), "\(message)")
        let texts = trail.map { String(reflecting: $0) } + engine.logs.lines
        #expect(texts.filter { $0.contains(Canary.password) }.isEmpty)
        #expect(engine.logs.lines.contains { $0.contains("did not answer create within 5 s") }, "the kill is logged")
    }
}

/// Files that hold a text.
enum CanaryFiles {
    /// The regular files under `folder` (any depth) whose bytes hold `text` (UTF-8).
    static func holding(_ text: String, under folder: String) throws -> [String] {
        let needle = Data(text.utf8)
        let walk = FileManager.default.enumerator(atPath: folder)
        var found: [String] = []
        while let name = walk?.nextObject() as? String {
            let path = folder + "/" + name
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            if try Data(contentsOf: URL(fileURLWithPath: path)).range(of: needle) != nil { found.append(path) }
        }
        return found
    }
}
