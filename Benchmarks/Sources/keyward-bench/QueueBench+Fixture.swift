import Foundation
import GRDB
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardScripting
import KeywardStore
import Logging

extension QueueBench {
    /// What a run works on, in a temporary folder: the target table with its
    /// accounts, the store, and per storage an engine over the table.
    struct Fixture: Sendable {
        let store: SQLiteStore
        /// The baseline's own connection to the target database.
        let table: DatabaseQueue
        /// The accounts' uids, which are also their people's usernames.
        let uids: [String]
        /// The people, in the order of their uids.
        let identities: [Identity]
        /// One engine per storage, in ``QueueBench/storages`` order.
        let engines: [Engine]
        /// Wall time of creating the accounts through the engine.
        let setupNanoseconds: UInt64
    }

    /// The engine for one storage: the helpdesk's service and the queue's workers.
    struct Engine: Sendable {
        let service: ProvisioningService
        let executor: Executor
    }

    /// The target system's name, as its connector file would give it.
    static let system = "employees"
    /// The transformation script every password goes through.
    static let script = "pw.lua"
    /// The baseline's statement, the one the connector issues for a reset.
    static let update = "UPDATE employees SET password_hash = ? WHERE login = ?"

    /// Creates `folder`, the table, the store and the engines in it, and
    /// `accounts` accounts through the engine (createAccounts, then drain).
    static func makeFixture(in folder: String, accounts: Int, workers: Int) async throws -> Fixture {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let tablePath = folder + "/employees.db"
        let table = try DatabaseQueue(path: tablePath)
        try await table.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE employees (
                        login TEXT PRIMARY KEY, first_name TEXT, password_hash TEXT,
                        locked INTEGER NOT NULL DEFAULT 0, must_change INTEGER NOT NULL DEFAULT 0)
                    """)
        }
        let store = try SQLiteStore(path: folder + "/keyward.db", keyring: Keyring(current: MasterKey.generate()))
        let uids = (1...accounts).map { String(format: "user%04d", $0) }
        let identities = uids.enumerated().map { index, uid in
            Identity(username: uid, givenName: "Given\(index + 1)", familyName: "Family\(index + 1)")
        }
        _ = try await store.upsertIdentities(identities)

        let planner = ProvisioningPlanner(
            catalog: PolicyCatalog(
                policies: [PasswordPolicy(name: "bench", minLength: 8, maxLength: 64)],
                commonPasswords: CommonPasswordList([]), words: WordList([])),
            transformer: ScriptTransformer(engine: try ScriptEngine(), loader: { _ in "return attributeValue" }))
        let logger = Logger(label: "keyward-bench") { _ in SwiftLogNoOpLogHandler() }
        let engines = try storages.map { storage in
            let definition = definition(storage, tablePath: tablePath)
            let connector = try SQLTableConnector(
                definition: definition, environment: ConnectorEnvironment(directory: folder))
            let systems = [TargetSystem(definition: definition, connector: connector)]
            return Engine(
                service: ProvisioningService(store: store, systems: systems, planner: planner, actor: "bench:helpdesk"),
                executor: Executor(store: store, systems: systems, logger: logger, concurrency: workers))
        }

        // The accounts' first hashes do not matter to a reset: the cheapest storage makes them.
        let creator = engines[storages.firstIndex { $0.hashing == .sha256Hex } ?? 0]
        let start = Clock.now()
        for (index, uid) in uids.enumerated() {
            _ = try await creator.service.createAccounts(
                username: uid, systems: [system], password: .chosen(GuardedString("Initial-\(index)-pw")))
        }
        let created = try await creator.executor.drain()
        let setup = Clock.now() - start
        let rows = try await table.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM employees") ?? 0 }
        guard created == accounts, rows == accounts else {
            throw Failure("creating \(accounts) accounts ran \(created) operation(s) and left \(rows) row(s)")
        }
        return Fixture(
            store: store, table: table, uids: uids, identities: identities, engines: engines, setupNanoseconds: setup)
    }

    /// The `sql` system over the table, as `connectors/employees.yaml` would
    /// define it, with `__PASSWORD__` through ``script`` and one validate policy.
    private static func definition(_ storage: Storage, tablePath: String) -> ConnectorDefinition {
        let here = SourceLocation(file: "connectors/employees.yaml", line: 1, column: 1)
        var connection: [String: ConnectionValue] = [
            "url": .plain("sqlite:" + tablePath), "table": .plain("employees"), "keyColumn": .plain("login"),
            "passwordColumn": .plain("password_hash"), "lockedColumn": .plain("locked"),
            "mustChangeColumn": .plain("must_change"),
        ]
        for (key, value) in storage.connection { connection[key] = .plain(value) }
        return ConnectorDefinition(
            name: system, type: "sql", connection: connection, validatePolicies: ["bench"],
            attributes: [
                AttributeMapping(name: "login", source: .identity("username"), isUID: true, location: here),
                AttributeMapping(name: "first_name", source: .identity("givenName"), location: here),
                AttributeMapping(
                    name: AttributeSchema.passwordName, isPassword: true, transform: script, location: here),
            ], location: here)
    }
}
