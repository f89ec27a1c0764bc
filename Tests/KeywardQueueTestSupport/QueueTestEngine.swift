public import Foundation
public import KeywardCore
public import KeywardEngine
public import KeywardStore
public import KeywardTestSupport
import KeywardScripting
import Logging

/// The real engine over the systems a connector test builds: a store in a
/// temporary folder (`keyward.db` and its `-wal`/`-shm`), a planner whose
/// `__PASSWORD__` script is `return attributeValue` under a permissive
/// policy, a service, and an executor whose log lines are captured and whose
/// clock the test moves. The folder is removed when released.
public final class QueueTestEngine {
    /// One sandbox for every test: it keeps worker threads.
    static let scripts: ScriptEngine = {
        do { return try ScriptEngine() } catch { fatalError("no script engine: \(error)") }
    }()

    /// The transformation script every password goes through.
    public static let passwordScript = "pw.lua"

    /// 8 to 64 characters, nothing more: the systems' own policies decide.
    public static let permissive = PasswordPolicy(
        name: "permissive", minLength: 8, maxLength: 64, generation: .characters(length: 16))

    /// The store's folder.
    public let folder: URL
    public let store: SQLiteStore
    public let systems: [TargetSystem]
    public let service: ProvisioningService
    public let executor: Executor
    /// The executor's log lines.
    public let logs = LogCapture()
    /// The executor's clock: an hour ahead of the wall clock, so whatever the
    /// service queues is due; ``advance(by:)`` makes retries due.
    private let clock = ManualClock(Date().addingTimeInterval(3600))

    /// Builds the engine over `systems`: `batchSize` operations claimed at a
    /// time, `concurrency` of them run at once; `name` tells the folder, the
    /// actor and the logger apart.
    public init(systems: [TargetSystem], name: String, batchSize: Int = 32, concurrency: Int = 4) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try SQLiteStore(
            path: folder.appendingPathComponent("keyward.db").path, keyring: Keyring(current: .generate()))
        self.systems = systems
        let transformer = ScriptTransformer(engine: Self.scripts) { path in
            guard path == Self.passwordScript else { throw CocoaError(.fileNoSuchFile) }
            return "return attributeValue\n"
        }
        let planner = ProvisioningPlanner(
            catalog: PolicyCatalog(
                policies: [Self.permissive], commonPasswords: CommonPasswordList([]),
                words: WordList(["alpha", "bravo", "charlie", "delta"])),
            transformer: transformer)
        service = ProvisioningService(store: store, systems: systems, planner: planner, actor: "cli:\(name)-test")
        let (logs, clock) = (logs, clock)
        executor = Executor(
            store: store, systems: systems,
            logger: Logger(label: "keyward.engine.\(name)-test") { _ in CapturingLogHandler(capture: logs) },
            batchSize: batchSize, concurrency: concurrency, now: { clock.now() })
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    /// `definition` as the engine sees it: `__PASSWORD__` through
    /// ``passwordScript``, the permissive policy, and `retry`.
    public static func prepare(_ definition: ConnectorDefinition, retry: RetryPolicy) -> ConnectorDefinition {
        var prepared = definition
        prepared.attributes = definition.attributes.map { mapping in
            var scripted = mapping
            if mapping.name == AttributeSchema.passwordName { scripted.transform = passwordScript }
            return scripted
        }
        prepared.generatePolicy = permissive.name
        prepared.validatePolicies = [permissive.name]
        prepared.retry = retry
        return prepared
    }

    /// The executor's clock.
    public var now: Date { clock.now() }

    /// Moves the executor's clock forward.
    public func advance(by seconds: TimeInterval) {
        clock.advance(by: seconds)
    }

    /// Records that `username` has the account `uid` on `system`, as an
    /// import of existing accounts would, without queueing anything.
    public func recordAccount(_ username: String, system: String, uid: String) async throws {
        try await store.saveAccount(AccountRecord(username: username, system: system, uid: uid, state: .active))
    }

    /// Every operation, oldest first.
    public func operations() async throws -> [QueuedOperation] {
        try await store.operations(OperationFilter(limit: 10_000)).sorted { $0.id < $1.id }
    }

    /// The operations of one receipt, in order.
    public func operations(of receipt: ProvisioningService.Receipt) async throws -> [QueuedOperation] {
        let ids = Set(receipt.operationIDs)
        return try await operations().filter { ids.contains($0.id) }
    }

    /// Every audit entry, in the order it was written.
    public func auditTrail() async throws -> [AuditEntry] {
        try await store.audit(AuditFilter(limit: 100_000)).sorted { $0.id < $1.id }
    }

    /// The files of the store's folder, by name.
    public func storeFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }
}
