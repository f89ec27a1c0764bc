import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension DirectoryBench {
    /// The benchmark's own slapd (CONNECTORS.md section 1's recipe, as the
    /// tests' `SlapdServer` runs it): a folder of its own, a self-signed
    /// certificate for 127.0.0.1, LDAPS only on a free port, the ppolicy
    /// overlay with a policy that checks neither quality nor history, and
    /// Keyward's service account `cn=keyward,ou=services,…` with write on
    /// `ou=people` (not the rootdn, so ppolicy applies to its resets).
    /// It runs in the foreground without logging and is stopped by its pid.
    final class Slapd: Sendable {
        static let base = "dc=example,dc=org"
        static let people = "ou=people,dc=example,dc=org"
        static let adminDN = "cn=keyward,ou=services,dc=example,dc=org"

        let directory: String
        let port: Int
        /// The service account's password, new for every run.
        let adminPassword: String
        let pid: pid_t
        /// Wall time from nothing to answering on LDAPS.
        let startNanoseconds: UInt64

        /// `ldaps://127.0.0.1:PORT`.
        var url: String { "ldaps://127.0.0.1:\(port)" }
        /// The server's certificate, which is its own CA.
        var certificatePath: String { directory + "/cert.pem" }

        private init(directory: String, port: Int, adminPassword: String, pid: pid_t, startNanoseconds: UInt64) {
            self.directory = directory
            self.port = port
            self.adminPassword = adminPassword
            self.pid = pid
            self.startNanoseconds = startNanoseconds
        }

        /// The DN of a person under `ou=people`.
        static func personDN(_ uid: String) -> String { "uid=\(uid),\(people)" }

        /// Writes the certificate, configuration and base entries into
        /// `directory` (which must not exist yet), starts slapd and waits
        /// until it accepts connections on its LDAPS port.
        static func start(in directory: String) throws -> Slapd {
            let start = Clock.now()
            let port = try freePort()
            let adminPassword = "Bench-" + UUID().uuidString
            try Files(directory: directory, adminPassword: adminPassword).provision()
            let log = directory + "/slapd.log"
            let pid = try spawn(
                ["/usr/sbin/slapd", "-F", directory + "/slapd.d", "-h", "ldaps://127.0.0.1:\(port)/", "-d", "0"],
                log: log)
            let deadline = Clock.now() + 10_000_000_000
            while Clock.now() < deadline {
                if accepts(port: port) {
                    return Slapd(
                        directory: directory, port: port, adminPassword: adminPassword, pid: pid,
                        startNanoseconds: Clock.now() - start)
                }
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid {
                    throw Failure("slapd exited at start; its log:\n\(contents(of: log))")
                }
                usleep(10_000)
            }
            stop(pid)
            throw Failure("slapd did not answer on port \(port) within 10 s; its log:\n\(contents(of: log))")
        }

        /// Stops slapd: SIGTERM to its pid, and SIGKILL if it has not
        /// exited 10 seconds later.
        func stop() {
            Self.stop(pid)
        }

        private static func stop(_ pid: pid_t) {
            kill(pid, SIGTERM)
            let deadline = Clock.now() + 10_000_000_000
            var status: Int32 = 0
            while waitpid(pid, &status, WNOHANG) == 0 {
                if Clock.now() > deadline {
                    kill(pid, SIGKILL)
                    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                    return
                }
                usleep(10_000)
            }
        }

        private static func contents(of path: String) -> String {
            (try? String(contentsOfFile: path, encoding: .utf8)) ?? "(no log)"
        }

        /// Starts `arguments[0]` with stdout and stderr appended to `log`.
        ///
        /// posix_spawn with an empty signal mask: a child inherits the
        /// calling thread's mask, dispatch's worker threads block most
        /// signals, and a slapd started from one would never see SIGTERM.
        private static func spawn(_ arguments: [String], log: String) throws -> pid_t {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var noSignals = sigset_t()
            sigemptyset(&noSignals)
            posix_spawnattr_setsigmask(&attributes, &noSignals)
            var defaultSignals = sigset_t()
            sigemptyset(&defaultSignals)
            for signal in [SIGTERM, SIGINT, SIGPIPE] { sigaddset(&defaultSignals, signal) }
            posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

            let cArguments = arguments.map { strdup($0) } + [nil]
            let environment = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer {
                for pointer in cArguments + environment { free(pointer) }
            }
            var pid: pid_t = 0
            let spawned = posix_spawn(&pid, arguments[0], &actions, &attributes, cArguments, environment)
            guard spawned == 0 else { throw Failure("posix_spawn \(arguments[0]) failed: \(spawned)") }
            return pid
        }

        /// A TCP port nothing listens on now: bind to port 0 and read what the kernel chose.
        private static func freePort() throws -> Int {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard socket >= 0 else { throw Failure("socket() failed") }
            defer { close(socket) }
            var address = loopback(port: 0)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    bind(socket, address, length) == 0 && getsockname(socket, address, &length) == 0
                }
            }
            guard bound else { throw Failure("could not bind a free port") }
            return Int(UInt16(bigEndian: address.sin_port))
        }

        /// Whether something accepts TCP connections on 127.0.0.1:`port`.
        private static func accepts(port: Int) -> Bool {
            let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard socket >= 0 else { return false }
            defer { close(socket) }
            var address = loopback(port: port)
            return withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
        }

        private static func loopback(port: Int) -> sockaddr_in {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            return address
        }
    }
}
