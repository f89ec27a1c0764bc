import Foundation
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardScripting
import KeywardStore
import KeywardTestSupport
import Logging
import Synchronization

/// The real engine over the cloud systems: a SQLite store in a temporary
/// folder (`keyward.db` and its `-wal`/`-shm`), a planner whose
/// `__PASSWORD__` script is `return attributeValue` under a permissive
/// policy, a service, and an executor whose log lines are captured and
/// whose clock the test moves. The folder is removed when released.
final class CloudQueueEngine {
    /// One sandbox for every test: it keeps worker threads.
    static let scripts: ScriptEngine = {
        do { return try ScriptEngine() } catch { fatalError("no script engine: \(error)") }
    }()

    static let passwordScript = "pw.lua"
    /// 8 to 64 characters: the services' own rules decide the rest.
    static let permissive = PasswordPolicy(
        name: "permissive", minLength: 8, maxLength: 64, generation: .characters(length: 16))
    /// Retries 30 s apart, ten attempts.
    static let retry = RetryPolicy(maxAttempts: 10, backoff: .fixed, delaySeconds: 30, maxDelaySeconds: 30)

    let folder: URL
    let store: SQLiteStore
    let service: ProvisioningService
    let executor: Executor
    /// The executor's log lines.
    let logs = LogCapture()
    private let clock: TestClock

    /// Builds the engine over `systems`: `batchSize` operations claimed at
    /// a time, `concurrency` of them run at once.
    init(systems: [TargetSystem], batchSize: Int = 32, concurrency: Int = 4) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-cloud-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try SQLiteStore(
            path: folder.appendingPathComponent("keyward.db").path, keyring: Keyring(current: .generate()))
        let clock = TestClock(Date().addingTimeInterval(3600))
        self.clock = clock
        let transformer = ScriptTransformer(engine: Self.scripts) { path in
            guard path == Self.passwordScript else { throw CocoaError(.fileNoSuchFile) }
            return "return attributeValue\n"
        }
        let planner = ProvisioningPlanner(
            catalog: PolicyCatalog(
                policies: [Self.permissive], commonPasswords: CommonPasswordList([]),
                words: WordList(["alpha", "bravo", "charlie", "delta"])),
            transformer: transformer)
        service = ProvisioningService(store: store, systems: systems, planner: planner, actor: "cli:cloud-test")
        let logs = logs
        executor = Executor(
            store: store, systems: systems,
            logger: Logger(label: "keyward.engine.cloud-test") { _ in CapturingLogHandler(capture: logs) },
            batchSize: batchSize, concurrency: concurrency, now: { clock.now() })
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    /// `definition` as the engine sees it: `__PASSWORD__` through the
    /// script, the permissive policy, and ``retry``.
    static func prepare(_ definition: ConnectorDefinition) -> ConnectorDefinition {
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
    var now: Date { clock.now() }

    /// Moves the executor's clock forward.
    func advance(by seconds: TimeInterval) {
        clock.advance(by: seconds)
    }

    /// Adds the person `username` (email `username@contoso.example`).
    func addIdentity(_ username: String) async throws {
        _ = try await store.upsertIdentities([
            Identity(
                username: username, givenName: "Given", familyName: username, email: "\(username)@contoso.example")
        ])
    }

    /// Records that `username` has the account `uid` on `system`, queueing nothing.
    func recordAccount(_ username: String, system: String, uid: String) async throws {
        try await store.saveAccount(AccountRecord(username: username, system: system, uid: uid, state: .active))
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
}

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date) {
        current = Mutex(start)
    }

    func now() -> Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
