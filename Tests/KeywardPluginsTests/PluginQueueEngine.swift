import Foundation
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardPlugins
import KeywardScripting
import KeywardStore
import KeywardTestSupport
import Logging

/// The real engine over `external` systems: an SQLite store (with its
/// confidential storage) in the plugin folder's `store/`, the planner with
/// a `__PASSWORD__` script that returns its input under a permissive
/// policy, the service, and an executor. The executor's and the plugins'
/// log lines go to ``logs``.
final class PluginQueueEngine {
    static let scripts: ScriptEngine = {
        do { return try ScriptEngine() } catch { fatalError("no script engine: \(error)") }
    }()

    static let passwordScript = "pw.lua"
    static let permissive = PasswordPolicy(
        name: "permissive", minLength: 8, maxLength: 128, generation: .characters(length: 20))

    let storeFolder: URL
    let store: SQLiteStore
    let systems: [TargetSystem]
    let service: ProvisioningService
    let executor: Executor
    let logs = LogCapture()

    /// The engine over one `external` system per definition, each made in `folder`.
    init(folder: PluginFolder, definitions: [ConnectorDefinition]) throws {
        storeFolder = folder.url.appendingPathComponent("store")
        try FileManager.default.createDirectory(at: storeFolder, withIntermediateDirectories: true)
        store = try SQLiteStore(path: storeFolder.appendingPathComponent("keyward.db").path, keyring: Keyring(current: .generate()))
        let logger = Logger(label: "keyward.plugins.queue-test") { [logs] _ in CapturingLogHandler(capture: logs) }
        systems = try definitions.map { definition in
            let prepared = Self.prepare(definition)
            let connector = try ExternalConnector(definition: prepared, environment: folder.environment(), logger: logger)
            return TargetSystem(definition: prepared, connector: connector)
        }
        let transformer = ScriptTransformer(engine: Self.scripts) { path in
            guard path == Self.passwordScript else { throw CocoaError(.fileNoSuchFile) }
            return "return attributeValue\n"
        }
        let planner = ProvisioningPlanner(
            catalog: PolicyCatalog(policies: [Self.permissive], commonPasswords: CommonPasswordList([]), words: WordList(["alpha", "bravo"])),
            transformer: transformer)
        service = ProvisioningService(store: store, systems: systems, planner: planner, actor: "cli:plugin-test")
        executor = Executor(store: store, systems: systems, logger: logger, concurrency: 4)
    }

    /// `__PASSWORD__` through ``passwordScript``, the permissive policy, a
    /// retry due at once (the same drain makes it).
    static func prepare(_ definition: ConnectorDefinition) -> ConnectorDefinition {
        var prepared = definition
        prepared.attributes = definition.attributes.map { mapping in
            guard mapping.isPassword else { return mapping }
            var scripted = mapping
            scripted.transform = passwordScript
            return scripted
        }
        prepared.generatePolicy = permissive.name
        prepared.validatePolicies = [permissive.name]
        prepared.retry = RetryPolicy(maxAttempts: 3, backoff: .fixed, delaySeconds: 0, maxDelaySeconds: 0)
        return prepared
    }

    /// The connector of system `name`.
    func connector(_ name: String) -> ExternalConnector? {
        systems.first { $0.name == name }?.connector as? ExternalConnector
    }

    /// Adds the person `username` to the store's identities.
    func addIdentity(_ username: String) async throws {
        _ = try await store.upsertIdentities([
            Identity(username: username, givenName: "Given \(username)", familyName: "Family", email: "\(username)@example.org")
        ])
    }

    /// The operations of `receipt`, in order.
    func operations(of receipt: ProvisioningService.Receipt) async throws -> [QueuedOperation] {
        let ids = Set(receipt.operationIDs)
        return try await store.operations(OperationFilter(limit: 10_000)).filter { ids.contains($0.id) }.sorted { $0.id < $1.id }
    }

}
