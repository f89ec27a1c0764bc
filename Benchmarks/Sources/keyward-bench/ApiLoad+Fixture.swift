import Foundation
import GRDB
import Hummingbird
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardScripting
import KeywardServer
import KeywardStore
import Logging

extension ApiLoad {
    /// What the figure works on, in a temporary folder: the target table,
    /// the store, the desk over one `sql` system, the executor, the server
    /// on loopback, and a token with the `change` scope.
    struct Fixture: Sendable {
        let folder: String
        let table: DatabaseQueue
        let store: SQLiteStore
        let desk: PasswordDesk
        let executor: Executor
        let dependencies: ServerDependencies
        /// The API's bearer token.
        let token: String
    }

    /// The system's name.
    static let system = "hr"
    /// The two passwords each account alternates between.
    static let passwords = ["Load-Passw0rd-A", "Load-Passw0rd-B"]

    /// The usernames of one side's accounts: `api-0001`… or `desk-0001`….
    static func usernames(_ side: String, count: Int) -> [String] {
        (1...count).map { String(format: "\(side)-%04d", $0) }
    }

    /// Creates the folder, the table, the store, the accounts of both sides
    /// (through the engine, holding ``passwords``[0]) and the token.
    static func makeFixture(in folder: String, clients: Int, workers: Int) async throws -> Fixture {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let tablePath = folder + "/accounts.db"
        let table = try DatabaseQueue(path: tablePath)
        try await table.write { db in
            try db.execute(
                sql: "CREATE TABLE accounts (login TEXT PRIMARY KEY, password_hash TEXT, locked INTEGER NOT NULL DEFAULT 0)")
        }
        let store = try SQLiteStore(path: folder + "/keyward.db", keyring: Keyring(current: MasterKey.generate()))
        let people = usernames("api", count: clients) + usernames("desk", count: clients)
        _ = try await store.upsertIdentities(people.map { Identity(username: $0, givenName: $0, familyName: "Load") })

        let planner = ProvisioningPlanner(
            catalog: PolicyCatalog(
                policies: [PasswordPolicy(name: "bench", minLength: 8, maxLength: 64)],
                commonPasswords: CommonPasswordList([]), words: WordList([])),
            transformer: ScriptTransformer(engine: try ScriptEngine(), loader: { _ in "return attributeValue" }))
        let definition = definition(tablePath: tablePath)
        let systems = [
            TargetSystem(
                definition: definition,
                connector: try SQLTableConnector(definition: definition, environment: ConnectorEnvironment(directory: folder)))
        ]
        let quiet = Logger(label: "keyward-bench.api") { _ in SwiftLogNoOpLogHandler() }
        let service = ProvisioningService(store: store, systems: systems, planner: planner, actor: "bench:setup")
        let executor = Executor(store: store, systems: systems, logger: quiet, concurrency: workers)
        for person in people {
            _ = try await service.createAccounts(
                username: person, systems: [system], password: .chosen(GuardedString(passwords[0])))
        }
        let created = try await executor.drain()
        guard created == people.count else { throw Failure("creating \(people.count) accounts ran \(created) operations") }

        let desk = PasswordDesk(passwords: PasswordService(provisioning: service), notifier: nil, linkBase: "http://127.0.0.1/")
        // Limits far above the load: the figure measures the path, not the limiter's refusals.
        let settings = ServerSettings(
            publicURL: "http://127.0.0.1", attemptsPerClientPerMinute: 100_000_000, attemptsPerAccountPerHour: 100_000_000)
        let dependencies = ServerDependencies(desk: desk, store: store, systems: systems, settings: settings, logger: quiet)
        let token = try await store.createAPIToken(
            name: "load", scopes: ["change"], createdBy: "bench:setup", expiresAt: nil
        ).secret
        return Fixture(
            folder: folder, table: table, store: store, desk: desk, executor: executor, dependencies: dependencies,
            token: token)
    }

    /// Starts the server on 127.0.0.1 at a free port; returns the port and the task to cancel.
    static func startServer(_ dependencies: ServerDependencies) async throws -> (Int, Task<Void, any Error>) {
        let (ports, announce) = AsyncStream<Int>.makeStream()
        let application = Application(
            router: KeywardServer.router(dependencies),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                announce.yield(channel.localAddress?.port ?? 0)
                announce.finish()
            },
            logger: dependencies.logger)
        let task = Task {
            defer { announce.finish() }
            try await application.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw Failure("the server did not start on 127.0.0.1")
        }
        return (port, task)
    }

    /// The `sql` system: PBKDF2-SHA256 with 1,000 iterations (the tests' cost).
    private static func definition(tablePath: String) -> ConnectorDefinition {
        let here = SourceLocation(file: "connectors/hr.yaml", line: 1, column: 1)
        let connection: [String: ConnectionValue] = [
            "url": .plain("sqlite:" + tablePath), "table": .plain("accounts"), "keyColumn": .plain("login"),
            "passwordColumn": .plain("password_hash"), "passwordStorage": .plain("pbkdf2-sha256"),
            "pbkdf2Iterations": .plain("1000"), "lockedColumn": .plain("locked"),
        ]
        return ConnectorDefinition(
            name: system, type: "sql", connection: connection, validatePolicies: ["bench"],
            attributes: [
                AttributeMapping(name: "login", source: .identity("username"), isUID: true, location: here),
                AttributeMapping(name: AttributeSchema.passwordName, isPassword: true, location: here),
            ], location: here)
    }
}
