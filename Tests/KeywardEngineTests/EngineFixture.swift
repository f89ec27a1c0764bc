import Foundation
import GRDB
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardScripting
import KeywardStore
import KeywardTestSupport
import Logging
import Testing

/// A temporary folder holding a real store (`keyward.db`) and a real target
/// database (`hr.db`, an `employees` table), the `sql` systems on it, and a
/// service and an executor over them. Removed when released.
///
/// Systems, all on the same table:
/// - `hr`: the system under test (maps `__PASSWORD__` through `pw.lua` and
///   `portal_hash` through the shipped `sql-app-sha256.lua`);
/// - `crm`: like `hr`, but its `portal_hash` script fails;
/// - `archive`: disabled;
/// - `payroll`: declares `operations: initialize, reset`;
/// - `intranet`: like `hr`, another system a person can have an account on.
final class EngineFixture {
    static let location = SourceLocation(file: "connectors/hr.yaml", line: 1, column: 1)

    /// One sandbox for every test: it keeps worker threads.
    static let engine: ScriptEngine = {
        do { return try ScriptEngine() } catch { fatalError("no script engine: \(error)") }
    }()

    /// The package's folder, to read the shipped scripts.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The transformation scripts by the path the mappings name.
    static let scripts: [String: String] = [
        "pw.lua": "return attributeValue\n",
        "fail.lua": "if attributeValue == nil then return nil end\nerror(attributeValue .. ' was the password')\n",
        "salted.lua": "if attributeValue == nil then return nil end\nreturn attributeValue .. '|' .. context.email\n",
    ]

    static let table = """
        CREATE TABLE employees(
            login TEXT PRIMARY KEY, first_name TEXT, email TEXT, password_hash TEXT, portal_hash TEXT,
            locked INTEGER NOT NULL DEFAULT 0, must_change INTEGER NOT NULL DEFAULT 0)
        """

    static let jdoe = Identity(username: "jdoe", givenName: "John", familyName: "Doe", email: "jdoe@example.com")
    static let asmith = Identity(username: "asmith", givenName: "Anna", familyName: "Smith", email: "asmith@example.com")

    /// How `password_hash` is stored (1,000 iterations: fast).
    static let storage = PasswordHashing.pbkdf2SHA256(iterations: 1_000)

    /// At least 12 characters of every class.
    static let corporate = PasswordPolicy(
        name: "corporate", minLength: 12, maxLength: 64,
        classes: [
            CharacterClassRule(.upper, min: 1), CharacterClassRule(.lower, min: 1),
            CharacterClassRule(.digit, min: 1), CharacterClassRule(.special, min: 1),
        ])
    /// Generates 20 characters of every class.
    static let generated = PasswordPolicy(
        name: "generated", minLength: 20, maxLength: 20,
        classes: [
            CharacterClassRule(.upper, min: 2), CharacterClassRule(.lower, min: 2),
            CharacterClassRule(.digit, min: 2), CharacterClassRule(.special, min: 2),
        ], generation: .characters(length: 20))

    let url: URL
    let store: SQLiteStore
    /// The executor's clock. It starts an hour ahead of the wall clock, so
    /// that whatever the service queues (stamped with the wall clock) is due.
    let clock: TestClock
    /// What the executor logged.
    let logs: LogCapture
    /// The real connector of `hr`, unwrapped.
    let connector: SQLTableConnector
    /// Every configured system (`hr` possibly wrapped).
    let systems: [TargetSystem]
    let service: ProvisioningService
    let executor: Executor

    /// Creates the folder, both databases, the systems, and the identities
    /// `jdoe` and `asmith`.
    ///
    /// - Parameters:
    ///   - retry: `hr`'s retry policy.
    ///   - passwordScript: `hr`'s `__PASSWORD__` script.
    ///   - wrap: wraps `hr`'s real connector (failure injection).
    init(
        retry: RetryPolicy = RetryPolicy(),
        passwordScript: String = "pw.lua",
        wrap: (SQLTableConnector) -> any Connector = { $0 }
    ) async throws {
        let clock = TestClock(Date().addingTimeInterval(3600))
        let logs = LogCapture()
        self.clock = clock
        self.logs = logs
        url = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-engine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let hrPath = url.appendingPathComponent("hr.db").path
        try await DatabaseQueue(path: hrPath).write { db in try db.execute(sql: Self.table) }

        store = try SQLiteStore(path: url.appendingPathComponent("keyward.db").path, keyring: Keyring(current: .generate()))
        _ = try await store.upsertIdentities([Self.jdoe, Self.asmith])

        let environment = ConnectorEnvironment(directory: url.path)
        connector = try SQLTableConnector(
            definition: Self.definition(retry: retry, passwordScript: passwordScript), environment: environment)
        let others = [
            Self.definition(name: "crm", portalScript: "fail.lua"),
            Self.definition(name: "archive", enabled: false),
            Self.definition(name: "payroll", operations: "initialize, reset"),
            Self.definition(name: "intranet"),
        ]
        var systems = [TargetSystem(definition: connector.definition, connector: wrap(connector))]
        for definition in others {
            systems.append(
                TargetSystem(
                    definition: definition,
                    connector: try SQLTableConnector(definition: definition, environment: environment)))
        }
        self.systems = systems

        let transformer = ScriptTransformer(engine: Self.engine) { path in
            if path == "portal.lua" {
                return try String(
                    contentsOf: Self.packageRoot.appendingPathComponent("scripts/sql-app-sha256.lua"), encoding: .utf8)
            }
            guard let source = Self.scripts[path] else { throw CocoaError(.fileNoSuchFile) }
            return source
        }
        let planner = ProvisioningPlanner(
            catalog: PolicyCatalog(
                policies: [Self.corporate, Self.generated], commonPasswords: CommonPasswordList(["Password123!"]),
                words: WordList(["alpha", "bravo", "charlie", "delta"])),
            transformer: transformer)
        service = ProvisioningService(store: store, systems: systems, planner: planner, actor: "cli:test")
        executor = Executor(
            store: store, systems: systems,
            logger: Logger(label: "keyward.engine.test") { _ in CapturingLogHandler(capture: logs) },
            now: { clock.now() })
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// An `sql` system on `hr.db`'s `employees` table.
    static func definition(
        name: String = "hr",
        enabled: Bool = true,
        retry: RetryPolicy = RetryPolicy(),
        operations: String? = nil,
        passwordScript: String = "pw.lua",
        portalScript: String = "portal.lua"
    ) -> ConnectorDefinition {
        var connection: [String: ConnectionValue] = [
            "url": .plain("sqlite:hr.db"), "table": .plain("employees"), "keyColumn": .plain("login"),
            "passwordColumn": .plain("password_hash"), "passwordStorage": .plain("pbkdf2-sha256"),
            "pbkdf2Iterations": .plain("1000"), "lockedColumn": .plain("locked"),
            "mustChangeColumn": .plain("must_change"),
        ]
        if let operations { connection["operations"] = .plain(operations) }
        return ConnectorDefinition(
            name: name, type: "sql", enabled: enabled, connection: connection, generatePolicy: "generated",
            validatePolicies: ["corporate"],
            attributes: [
                AttributeMapping(name: "login", source: .identity("username"), isUID: true, location: location),
                AttributeMapping(name: "first_name", source: .identity("givenName"), location: location),
                AttributeMapping(name: "email", source: .identity("email"), location: location),
                AttributeMapping(
                    name: AttributeSchema.passwordName, isPassword: true, transform: passwordScript, location: location),
                AttributeMapping(name: "portal_hash", isPassword: true, transform: portalScript, location: location),
            ],
            retry: retry, location: location)
    }

    // MARK: The target table, read past the connector

    /// One row of `employees`.
    struct Employee: Equatable {
        var login: String
        var firstName: String?
        var email: String?
        var passwordHash: String?
        var portalHash: String?
        var locked: Int
        var mustChange: Int
    }

    var hrPath: String { url.appendingPathComponent("hr.db").path }

    func employee(_ login: String) throws -> Employee? {
        try DatabaseQueue(path: hrPath).read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM employees WHERE login = ?", arguments: [login]).map { row in
                Employee(
                    login: row["login"], firstName: row["first_name"], email: row["email"],
                    passwordHash: row["password_hash"], portalHash: row["portal_hash"], locked: row["locked"],
                    mustChange: row["must_change"])
            }
        }
    }

    func employeeCount() throws -> Int {
        try DatabaseQueue(path: hrPath).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM employees") ?? 0 }
    }

    /// Runs `sql` on `hr.db`, as the application would.
    func executeOnTarget(_ sql: String) throws {
        try DatabaseQueue(path: hrPath).write { db in try db.execute(sql: sql) }
    }

    /// Whether `password` is the one `jdoe`'s row (or `login`'s) holds, in
    /// both password columns.
    func holds(_ password: String, login: String = "jdoe") throws -> Bool {
        let row = try #require(try employee(login))
        let main = row.passwordHash.map { Self.storage.verify(GuardedString(password), against: $0) } ?? false
        return main && row.portalHash == Self.portalHash(login: login, password: password)
    }

    /// What the shipped script stores: lower-hex SHA-256 of `login:password`.
    static func portalHash(login: String, password: String) -> String {
        // Computed by the connector's own SHA-256 (swift-crypto), not by Lua.
        (try? PasswordHashing.sha256Hex.hash(GuardedString(login + ":" + password))) ?? "?"
    }

    // MARK: The store

    /// Every operation, oldest first.
    func operations() async throws -> [QueuedOperation] {
        try await store.operations(OperationFilter(limit: 1_000)).sorted { $0.id < $1.id }
    }

    func operation(_ id: Int64) async throws -> QueuedOperation {
        try #require(try await store.operation(id: id))
    }

    /// Every audit entry, in the order it was written.
    func auditTrail(operationID: Int64? = nil) async throws -> [AuditEntry] {
        try await store.audit(AuditFilter(limit: 10_000))
            .filter { operationID == nil || $0.operationID == operationID }
            .sorted { $0.id < $1.id }
    }

    /// Whether nothing at all was queued.
    func queueIsEmpty() async throws -> Bool {
        let counts = try await store.operationCounts()
        let operations = try await operations()
        return counts.values.allSatisfy { $0 == 0 } && operations.isEmpty
    }

    /// Records an active account without queueing anything.
    func recordAccount(_ username: String = "jdoe", on system: String = "hr", state: AccountRecord.State = .active)
        async throws
    {
        try await store.saveAccount(AccountRecord(username: username, system: system, uid: username, state: state))
    }

    /// Queues and runs the creation of `jdoe`'s account on `hr` with `password`.
    func createJdoe(password: String) async throws {
        _ = try await service.createAccounts(username: "jdoe", systems: ["hr"], password: .chosen(GuardedString(password)))
        try await executor.drain()
    }
}

/// Runs `body` and returns the `ServiceError` it threw.
func serviceError(_ body: () async throws -> Void) async -> ServiceError? {
    do {
        try await body()
        return nil
    } catch {
        #expect(error is ServiceError, "not a ServiceError: \(error)")
        return error as? ServiceError
    }
}

extension GuardedString {
    /// The plaintext, for assertions only.
    var testPlaintext: String { withPlaintext { $0 } }
}
