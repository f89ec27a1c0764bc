import AsyncHTTPClient
import Foundation
import GRDB
import Hummingbird
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardServer
import KeywardStore
import KeywardTestSupport
import Logging
import NIOCore
import NIOHTTP1

/// `keyward serve`'s HTTP side, live on 127.0.0.1 at a port the system
/// picks, over the real engine (``QueueTestEngine``: a store in a temporary
/// folder, the planner, the service, an executor the test drains) and real
/// `sql` systems on SQLite tables in `accounts.db`:
///
/// - `hr` (table `accounts`, which ``row(_:)`` reads): all four operations;
/// - `payroll` (table `payroll`): `operations: initialize, reset` (change and unlock refused).
///
/// The people ``people`` are in the store's identities; no account exists
/// until a test makes one (``createAccount(_:system:password:)``). What the
/// server logs (its access log included) lands in ``logs``. Stop it with
/// ``stop()``; the folders go with the harness.
///
/// The desk's links start with ``settings``' `publicURL`
/// (`http://keyward.test`), not with the harness's address (the port is only
/// known once it listens): ``local(_:)`` turns a link into a URL of the
/// harness.
final class ServerHarness: @unchecked Sendable {
    /// The people in the store.
    static let people = ["ada", "grace", "linus", "margaret"]
    /// The public address the settings name.
    static let publicURL = "http://keyward.test"

    /// The engine: store, service, executor.
    let engine: QueueTestEngine
    /// The engine's executor, reporting to the server's metrics: `try await server.executor.drain()`.
    let executor: Executor
    /// The folder of `accounts.db`.
    let targetFolder: URL
    /// The dependencies the routes got.
    let dependencies: ServerDependencies
    /// Every line the server logged (access log, messages).
    let logs: LogCapture
    /// A client for the tests' requests.
    let client: HTTPClient
    /// The port it listens on.
    let port: Int
    private let task: Task<Void, any Error>

    /// The store.
    var store: SQLiteStore { engine.store }
    /// `http://127.0.0.1:PORT`.
    var baseURL: String { "http://127.0.0.1:\(port)" }
    /// The settings the server runs with.
    var settings: ServerSettings { dependencies.settings }
    /// `accounts.db`.
    var targetPath: String { targetFolder.appendingPathComponent("accounts.db").path }

    /// Starts the server.
    ///
    /// - Parameters:
    ///   - notifier: the desk's mail (nil: none, so initialization is refused).
    ///   - settings: changes to the default settings (publicURL `http://keyward.test`).
    ///   - metrics: the server's metrics.
    static func start(
        notifier: (any PasswordNotifier)? = nil,
        settings configure: (inout ServerSettings) -> Void = { _ in },
        metrics: ServerMetrics = ServerMetrics()
    ) async throws -> ServerHarness {
        let targetFolder = FileManager.default.temporaryDirectory
            .appendingPathComponent("keyward-server-target-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: targetFolder, withIntermediateDirectories: true)
        try await DatabaseQueue(path: targetFolder.appendingPathComponent("accounts.db").path).write { db in
            try db.execute(sql: Self.table("accounts"))
            try db.execute(sql: Self.table("payroll"))
        }
        let environment = ConnectorEnvironment(directory: targetFolder.path)
        let systems = try [
            Self.definition(name: "hr", table: "accounts"),
            Self.definition(name: "payroll", table: "payroll", operations: "initialize, reset"),
        ]
            .map { definition in
                TargetSystem(definition: definition, connector: try SQLTableConnector(definition: definition, environment: environment))
            }
        let engine = try QueueTestEngine(systems: systems, name: "server")
        _ = try await engine.store.upsertIdentities(
            people.map { Identity(username: $0, givenName: $0.capitalized, familyName: "Test", email: "\($0)@example.org") })

        var settings = ServerSettings(publicURL: publicURL)
        configure(&settings)
        let desk = PasswordDesk(
            passwords: PasswordService(provisioning: engine.service), notifier: notifier, linkBase: settings.linkBase)
        let logs = LogCapture()
        let logger = Logger(label: "keyward.server.test") { _ in CapturingLogHandler(capture: logs) }
        let dependencies = ServerDependencies(
            desk: desk, store: engine.store, systems: systems, settings: settings, metrics: metrics, logger: logger)

        let (port, task): (Int, Task<Void, any Error>)
        do {
            (port, task) = try await LoopbackServer.start { onServerRunning in
                Application(
                    router: KeywardServer.router(dependencies),
                    configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                    onServerRunning: onServerRunning, logger: logger)
            }
        } catch {
            try? FileManager.default.removeItem(at: targetFolder)
            throw error
        }
        return ServerHarness(
            engine: engine, targetFolder: targetFolder, dependencies: dependencies, logs: logs, port: port, task: task)
    }

    private init(
        engine: QueueTestEngine, targetFolder: URL, dependencies: ServerDependencies, logs: LogCapture, port: Int,
        task: Task<Void, any Error>
    ) {
        self.engine = engine
        var executor = engine.executor
        executor.observer = { [metrics = dependencies.metrics] report in metrics.record(report) }
        self.executor = executor
        self.targetFolder = targetFolder
        self.dependencies = dependencies
        self.port = port
        self.task = task
        self.logs = logs
        self.client = HTTPClient(eventLoopGroupProvider: .singleton)
    }

    deinit {
        // A test that threw before stop(): shut the client down here, or its
        // own deinit would stop the whole test process.
        try? client.syncShutdown()
        task.cancel()
        try? FileManager.default.removeItem(at: targetFolder)
    }

    /// Stops the client and the server; waits until it no longer listens.
    func stop() async {
        try? await client.shutdown()
        task.cancel()
        _ = await task.result
    }

    // MARK: Requests

    /// A reply, read whole.
    struct Reply: Sendable {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: String

        /// The first value of header `name` (case-insensitive).
        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        /// The body as a JSON object.
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        }
    }

    /// The methods the tests send.
    enum Method: String, Sendable {
        case GET, POST, PUT, DELETE
    }

    /// Sends `method path` (path from the root, query included) with
    /// `headers` and `body`, and reads the reply.
    func request(
        _ method: Method, _ path: String, headers: [(String, String)] = [], body: String? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = HTTPMethod(rawValue: method.rawValue)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 8 << 20)
        return Reply(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            body: String(buffer: bytes))
    }

    /// A link the desk made (`http://keyward.test/…`) as a URL of this server.
    func local(_ link: String) -> String {
        link.hasPrefix(Self.publicURL) ? baseURL + link.dropFirst(Self.publicURL.count) : link
    }

    // MARK: Accounts

    /// Queues and runs the creation of `username`'s account on `system` with `password`.
    func createAccount(_ username: String, system: String = "hr", password: String) async throws {
        _ = try await engine.service.createAccounts(
            username: username, systems: [system], password: .chosen(GuardedString(password)))
        try await engine.executor.drain()
    }

    // MARK: API tokens

    /// Creates the API token `name` with `scopes` (raw values: `reset`,
    /// `queue:read`, `helpdesk`, …) and returns its secret.
    func token(_ name: String, scopes: [String], expiresAt: Date? = nil) async throws -> String {
        try await store.createAPIToken(name: name, scopes: scopes, createdBy: "cli:test", expiresAt: expiresAt).secret
    }

    /// `Authorization: Bearer SECRET`.
    static func bearer(_ secret: String) -> [(String, String)] {
        [("Authorization", "Bearer " + secret)]
    }

    /// One row of `accounts`.
    struct Row: Equatable {
        var login: String
        var email: String?
        var passwordHash: String?
        var locked: Int
        var mustChange: Int
    }

    /// `login`'s row, read past the connector.
    func row(_ login: String) throws -> Row? {
        try DatabaseQueue(path: targetPath).read { db in
            try GRDB.Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE login = ?", arguments: [login]).map { row in
                Row(
                    login: row["login"], email: row["email"], passwordHash: row["password_hash"], locked: row["locked"],
                    mustChange: row["must_change"])
            }
        }
    }

    /// Whether `login`'s row holds `password`.
    func holds(_ password: String, login: String) throws -> Bool {
        guard let hash = try row(login)?.passwordHash else { return false }
        return PasswordHashing.pbkdf2SHA256(iterations: 1_000).verify(GuardedString(password), against: hash)
    }

    /// Locks `login`'s row, as the application would after failed sign-ins.
    func lock(_ login: String) throws {
        try DatabaseQueue(path: targetPath).write { db in
            try db.execute(sql: "UPDATE accounts SET locked = 1 WHERE login = ?", arguments: [login])
        }
    }

    // MARK: Systems

    /// The accounts table `name`.
    static func table(_ name: String) -> String {
        """
        CREATE TABLE \(name)(
            login TEXT PRIMARY KEY, email TEXT, password_hash TEXT,
            locked INTEGER NOT NULL DEFAULT 0, must_change INTEGER NOT NULL DEFAULT 0)
        """
    }

    static let location = SourceLocation(file: "connectors/hr.yaml", line: 1, column: 1)

    /// An `sql` system on `table` in `accounts.db` (PBKDF2 with 1,000 iterations: fast).
    static func definition(name: String, table: String, operations: String? = nil) -> ConnectorDefinition {
        var connection: [String: ConnectionValue] = [
            "url": .plain("sqlite:accounts.db"), "table": .plain(table), "keyColumn": .plain("login"),
            "passwordColumn": .plain("password_hash"), "passwordStorage": .plain("pbkdf2-sha256"),
            "pbkdf2Iterations": .plain("1000"), "lockedColumn": .plain("locked"), "mustChangeColumn": .plain("must_change"),
        ]
        if let operations { connection["operations"] = .plain(operations) }
        let definition = ConnectorDefinition(
            name: name, type: "sql", connection: connection,
            attributes: [
                AttributeMapping(name: "login", source: .identity("username"), isUID: true, location: location),
                AttributeMapping(name: "email", source: .identity("email"), location: location),
                AttributeMapping(name: AttributeSchema.passwordName, isPassword: true, location: location),
            ],
            location: location)
        return QueueTestEngine.prepare(definition, retry: RetryPolicy())
    }
}
