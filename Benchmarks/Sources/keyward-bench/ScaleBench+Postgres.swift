import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension ScaleBench {
    /// A throwaway PostgreSQL 15 for figure (h) (CONNECTORS.md section 5's
    /// recipe): its own folder, a free port on 127.0.0.1, scram-sha-256,
    /// PostgreSQL's default durability (fsync on), no TLS (the figure is the
    /// queue, not the handshake). Run as `postgres` when the benchmark runs
    /// as root; stopped by its PID.
    final class Postgres {
        static let binaries = "/usr/lib/postgresql/15/bin"
        static let user = "keyward_bench"
        static let password = "Bench#Pg-42"

        let directory: String
        let port: Int
        private var process: Process?

        /// `settings`: more `-c NAME=VALUE` for the server (`--scale-pg-setting`), to look for what limits the figure.
        init(settings: [String] = []) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-bench-pg-\(UUID().uuidString.prefix(8))").path
            port = try Self.freePort()
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Self.password.write(toFile: directory + "/pw", atomically: true, encoding: .utf8)
            if geteuid() == 0 { try Self.run("/usr/bin/chown", ["-R", "postgres:postgres", directory]) }
            try Self.run(Self.asPostgres + [Self.binaries + "/initdb", "-D", directory + "/data", "-A", "scram-sha-256",
                "--pwfile=" + directory + "/pw", "-U", Self.user])
            let server = Process()
            let command = Self.asPostgres + [Self.binaries + "/postgres", "-D", directory + "/data", "-p", String(port),
                "-k", directory, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"]
                + settings.flatMap { ["-c", $0] }
            server.executableURL = URL(fileURLWithPath: command[0])
            server.arguments = Array(command.dropFirst())
            server.standardOutput = FileHandle.nullDevice
            server.standardError = try FileHandle(forWritingTo: Self.touch(directory + "/log"))
            try server.run()
            process = server
            for _ in 0..<200 {
                if (try? psql("SELECT 1")) != nil { return }
                Thread.sleep(forTimeInterval: 0.05)
            }
            throw QueueBench.Failure("PostgreSQL did not answer on port \(port) (log: \(directory)/log)")
        }

        /// The server's pid.
        var pid: pid_t { process?.processIdentifier ?? 0 }

        /// `postgres://…` for `database`, no password, no TLS.
        func url(_ database: String) -> String {
            "postgres://\(Self.user)@127.0.0.1:\(port)/\(database)?sslmode=disable"
        }

        /// Runs `sql` in `database` through psql; returns its unaligned output.
        @discardableResult
        func psql(_ sql: String, database: String = "postgres") throws -> String {
            try Self.run(
                ["/usr/bin/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port),
                 "-U", Self.user, "-d", database, "-c", sql],
                environment: ["PGPASSWORD": Self.password, "PGSSLMODE": "disable"])
        }

        /// Stops the server (SIGINT: fast shutdown) and removes its folder.
        func stop() {
            if let process, process.isRunning {
                kill(process.processIdentifier, SIGINT)
                process.waitUntilExit()
            }
            process = nil
            try? FileManager.default.removeItem(atPath: directory)
        }

        deinit { stop() }

        private static var asPostgres: [String] {
            geteuid() == 0 ? ["/usr/bin/setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"] : []
        }

        private static func touch(_ path: String) throws -> URL {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw QueueBench.Failure("cannot create \(path)")
            }
            if geteuid() == 0 { try run("/usr/bin/chown", ["postgres:postgres", path]) }
            return URL(fileURLWithPath: path)
        }

        private static func freePort() throws -> Int {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
                }
            }
            guard bound else { throw QueueBench.Failure("no free port on 127.0.0.1") }
            return Int(UInt16(bigEndian: address.sin_port))
        }

        @discardableResult
        static func run(_ command: [String], environment: [String: String] = [:]) throws -> String {
            try run(command[0], Array(command.dropFirst()), environment: environment)
        }

        @discardableResult
        static func run(_ program: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
            process.currentDirectoryURL = URL(fileURLWithPath: "/tmp")
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            let problem = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw QueueBench.Failure(
                    "\((program as NSString).lastPathComponent) failed (\(process.terminationStatus)): \(String(decoding: problem, as: UTF8.self).prefix(300))")
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }
}
