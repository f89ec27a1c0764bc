import Foundation
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardScripting
import KeywardStore
import KeywardTestSupport
import Logging

/// The real engine over one directory system: a store in a temporary
/// folder (`keyward.db` and its `-wal`/`-shm`), a planner whose
/// `__PASSWORD__` script is `return attributeValue` under a permissive
/// policy, a service, and an executor whose log lines are captured and
/// whose clock the test moves. The folder is removed when released.
final class QueueEngine {
    /// One sandbox for every test: it keeps worker threads.
    static let scripts: ScriptEngine = {
        do { return try ScriptEngine() } catch { fatalError("no script engine: \(error)") }
    }()

    /// The transformation script every password goes through.
    static let passwordScript = "pw.lua"

    /// 8 to 64 characters, nothing more: the directories' own policies decide.
    static let permissive = PasswordPolicy(
        name: "permissive", minLength: 8, maxLength: 64, generation: .characters(length: 16))

    let folder: URL
    let store: SQLiteStore
    let system: TargetSystem
    let service: ProvisioningService
    let executor: Executor
    /// The executor's log lines.
    let logs: LogCapture
    /// The executor's clock: an hour ahead of the wall clock, so whatever the
    /// service queues is due; ``advance(by:)`` makes retries due.
    private let clock: QueueClock

    /// Builds the engine over `system`: `batchSize` operations claimed at a
    /// time, `concurrency` of them run at once.
    init(system: TargetSystem, batchSize: Int = 32, concurrency: Int = 4) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-queue-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try SQLiteStore(
            path: folder.appendingPathComponent("keyward.db").path, keyring: Keyring(current: .generate()))
        self.system = system
        let clock = QueueClock(Date().addingTimeInterval(3600))
        self.clock = clock
        let logs = LogCapture()
        self.logs = logs

        let transformer = ScriptTransformer(engine: Self.scripts) { path in
            guard path == Self.passwordScript else { throw CocoaError(.fileNoSuchFile) }
            return "return attributeValue\n"
        }
        let planner = ProvisioningPlanner(
            catalog: PolicyCatalog(
                policies: [Self.permissive], commonPasswords: CommonPasswordList([]),
                words: WordList(["alpha", "bravo", "charlie", "delta"])),
            transformer: transformer)
        service = ProvisioningService(store: store, systems: [system], planner: planner, actor: "cli:queue-test")
        executor = Executor(
            store: store, systems: [system],
            logger: Logger(label: "keyward.engine.queue-test") { _ in CapturingLogHandler(capture: logs) },
            batchSize: batchSize, concurrency: concurrency, now: { clock.now() })
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    /// `definition` as the engine sees it: `__PASSWORD__` through
    /// ``passwordScript``, the permissive policy, and `retry`.
    static func prepare(_ definition: ConnectorDefinition, retry: RetryPolicy) -> ConnectorDefinition {
        var prepared = definition
        prepared.attributes = definition.attributes.map { mapping in
            guard mapping.name == AttributeSchema.passwordName else { return mapping }
            var scripted = mapping
            scripted.transform = passwordScript
            return scripted
        }
        prepared.generatePolicy = permissive.name
        prepared.validatePolicies = [permissive.name]
        prepared.retry = retry
        return prepared
    }

    /// The executor's clock.
    var now: Date { clock.now() }

    /// Moves the executor's clock forward.
    func advance(by seconds: TimeInterval) {
        clock.advance(by: seconds)
    }

    /// Adds the person `username` (given name, family name and email made
    /// from it) to the store's identities.
    func addIdentity(_ username: String) async throws {
        _ = try await store.upsertIdentities([
            Identity(
                username: username, givenName: "Given \(username)", familyName: "Family",
                email: "\(username)@example.org")
        ])
    }

    /// Records that `username` has the account `uid` on the system, as an
    /// import of existing accounts would, without queueing anything.
    func recordAccount(_ username: String, uid: String? = nil) async throws {
        try await store.saveAccount(
            AccountRecord(username: username, system: system.name, uid: uid ?? username, state: .active))
    }

    /// Every operation, oldest first.
    func operations() async throws -> [QueuedOperation] {
        try await store.operations(OperationFilter(limit: 10_000)).sorted { $0.id < $1.id }
    }

    /// The operations of one receipt, in order.
    func operations(of receipt: ProvisioningService.Receipt) async throws -> [QueuedOperation] {
        let ids = Set(receipt.operationIDs)
        return try await operations().filter { ids.contains($0.id) }
    }

    /// Every audit entry, in the order it was written.
    func auditTrail() async throws -> [AuditEntry] {
        try await store.audit(AuditFilter(limit: 100_000)).sorted { $0.id < $1.id }
    }

    /// The files of the store's folder, by name.
    func storeFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }
}
