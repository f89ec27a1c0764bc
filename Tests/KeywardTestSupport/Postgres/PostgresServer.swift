import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL 15 for tests (CONNECTORS.md section 5's recipe, in Swift).
///
/// Usage:
///
/// ```swift
/// let server = try PostgresServer.shared()          // one per test process, started on first use
/// let database = try server.makeDatabase()          // a fresh, empty database for this test
/// // database.url: postgres://keyward_test@127.0.0.1:PORT/NAME?sslmode=verify-full&sslrootcert=CA
/// // database.environment: ["PGPASSWORD": …] (the password never goes in a URL)
/// let rows = try server.psql("SELECT count(*) FROM t", database: database.name)
/// let dump = try server.pgDump(database: database.name)  // for canary scans
/// let log = server.logText()                        // the server's log (canary scans)
///
/// let own = try PostgresServer.dedicated()          // a server of its own, for outage tests
/// defer { own.destroy() }
/// own.stop()                                        // the database is gone…
/// try own.start()                                   // …and back, same port, same data
/// ```
///
/// The server listens on 127.0.0.1 and 127.0.0.2 (an address its certificate
/// does not name) on a free high port, with TLS from a throwaway CA
/// (``caPath``; ``otherCAPath`` signed nothing it presents), scram-sha-256
/// for every login, plain connections allowed (the client decides), and the
/// strictest log settings: every statement, with its bind parameters, every
/// connection, every error with its statement (``logPath``).
///
/// It runs as the `postgres` user when the tests run as root (PostgreSQL
/// refuses root), in the foreground as a child of the test process, and is
/// stopped by its PID (SIGINT: fast shutdown): the shared one at exit, a
/// watchdog stopping it should the test process die without exiting.
public final class PostgresServer: @unchecked Sendable {
    /// The superuser every database belongs to.
    public static let user = "keyward_test"
    /// The superuser's password.
    public static let password = "PG#Test-Admin-42"

    /// The server's folder: data, certificates, log, socket.
    public let directory: String
    /// The TCP port, on 127.0.0.1 and 127.0.0.2.
    public let port: Int
    /// Whether the server speaks TLS.
    public let tls: Bool
    private let lock = NSLock()
    private var pid: pid_t?
    private var counter = 0

    /// The CA that signed the server's certificate.
    public var caPath: String { directory + "/ca.pem" }
    /// A CA that signed nothing the server presents.
    public var otherCAPath: String { directory + "/other-ca.pem" }
    /// The server's log (stderr): statements, connections, errors.
    public var logPath: String { directory + "/postgres.log" }
    /// The data directory.
    public var dataPath: String { directory + "/data" }

    private static let sharedLock = NSLock()
    nonisolated(unsafe) private static var sharedServer: PostgresServer?

    private init(directory: String, port: Int, tls: Bool) {
        self.directory = directory
        self.port = port
        self.tls = tls
    }

    /// The server of this test process, started on first use and stopped when the process exits.
    public static func shared() throws -> PostgresServer {
        try sharedLock.withLock {
            if let sharedServer { return sharedServer }
            let server = try dedicated()
            sharedServer = server
            atexit { PostgresServer.stopShared() }
            return server
        }
    }

    /// A server of its own (for tests that stop it), `tls: false` for one
    /// that refuses TLS, on a port of `nextPort`; the caller calls
    /// ``destroy()`` when done. A port taken before the server binds it
    /// makes it start again in a new folder on the next
    /// (``FreePort/retrying(_:)``).
    public static func dedicated(tls: Bool = true, ports nextPort: () throws -> Int = FreePort.next) throws
        -> PostgresServer
    {
        try FreePort.retrying {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("keyward-pg-\(UUID().uuidString.prefix(8))").path
            let server = PostgresServer(directory: directory, port: try nextPort(), tls: tls)
            do {
                try server.provision()
                try server.start()
                try server.watch()
                return server
            } catch {
                server.destroy()
                throw error
            }
        }
    }

    private static func stopShared() {
        sharedLock.withLock { sharedServer }?.destroy()
    }

    /// A new empty database with a unique name, owned by ``user``.
    public func makeDatabase() throws -> PostgresDatabase {
        let number = lock.withLock {
            counter += 1
            return counter
        }
        let name = "kw_\(number)_\(UUID().uuidString.prefix(8).lowercased())"
        try psql("CREATE DATABASE \(name)")
        return PostgresDatabase(
            host: "127.0.0.1", port: port, user: Self.user, password: Self.password, name: name,
            caPath: caPath, tls: tls)
    }

    /// Starts the server (again), on the same port and data, and waits until it accepts logins.
    public func start() throws {
        if lock.withLock({ pid }) != nil { return }
        var arguments = Self.asPostgres + [
            Self.binaries + "/postgres", "-D", dataPath, "-p", String(port), "-k", directory,
        ]
        for setting in settings { arguments += ["-c", setting] }
        let logged = logText().utf8.count
        let spawned = try ChildProcess.spawn(arguments, log: logPath, environment: PostgresProcess.environment)
        lock.withLock { pid = spawned }
        try waitUntilReady(spawned)
        // postgres starts when it can bind one of its two addresses: the
        // other may then be another process's, which a client would reach.
        let log = String(decoding: logText().utf8.dropFirst(logged), as: UTF8.self)
        if log.contains("could not bind") {
            stop()
            throw PostgresServerError("postgres could not bind all its addresses on port \(port); its log:\n" + log)
        }
    }

    /// Stops the server by its PID (SIGINT: fast shutdown, open sessions are
    /// ended) and waits for it to exit; ``start()`` brings it back.
    public func stop() {
        guard let spawned = lock.withLock({ () -> pid_t? in
            defer { pid = nil }
            return pid
        }) else { return }
        kill(spawned, SIGINT)
        ChildProcess.reap(spawned)
    }

    /// Stops the server and removes its folder.
    public func destroy() {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The server's log so far.
    public func logText() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// Runs `sql` with psql as ``user`` in `database` (`postgres` when
    /// nil); returns its unaligned, tuples-only output.
    @discardableResult
    public func psql(_ sql: String, database: String? = nil) throws -> String {
        try PostgresProcess.output(
            "/usr/bin/psql",
            ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port),
             "-U", Self.user, "-d", database ?? "postgres", "-c", sql],
            environment: clientEnvironment)
    }

    /// The plain-SQL dump of `database` (schema and data), for canary scans.
    public func pgDump(database: String) throws -> String {
        try PostgresProcess.output(
            Self.binaries + "/pg_dump",
            ["-h", "127.0.0.1", "-p", String(port), "-U", Self.user, "--no-owner", database],
            environment: clientEnvironment)
    }

    private var clientEnvironment: [String: String] {
        ["PGPASSWORD": Self.password, "PGSSLMODE": tls ? "require" : "disable", "PGCONNECT_TIMEOUT": "10"]
    }

    static let binaries = "/usr/lib/postgresql/15/bin"

    /// `setpriv` to the postgres user when running as root (PostgreSQL refuses root).
    static var asPostgres: [String] {
        geteuid() == 0 ? ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] : []
    }
}
