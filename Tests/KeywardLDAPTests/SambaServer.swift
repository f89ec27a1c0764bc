import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway Samba AD DC (CONNECTORS.md sections 2 and 2b, in Swift).
///
/// One template is provisioned per test run (``SambaTemplate``); every test
/// case of a suite that asks for a DC (the `.sambaDC` trait) gets a copy of
/// it, started with `samba -F --no-process-group -M single` (LDAP and the
/// KDC only) and stopped by its pid (SIGTERM to restart, SIGKILL at the end). The ports are fixed (88, 389,
/// 464, 636), so only one DC can run at a time: every Samba suite is nested
/// in one `.serialized` suite.
///
/// The domain has a minimum password age of 0, lockout after 3 failures
/// (until unlocked), a history of 3, and `old password allowed period = 0`
/// (an old password stops working at once). Two delegated service
/// accounts exist, each with a known password and an exported keytab:
/// - `svc-conn`, Keyward's account: the Reset-Password right on user
///   objects under `CN=Users`, write access to their `pwdLastSet`,
///   `lockoutTime` and `userAccountControl`, and create/delete of user
///   objects there;
/// - `svc-reset`: ONLY the Reset-Password right.
final class SambaServer: Sendable {
    static let realm = "TEST.EXAMPLE.ORG"
    static let domain = "test.example.org"
    static let baseDN = "DC=test,DC=example,DC=org"
    static let usersDN = "CN=Users,DC=test,DC=example,DC=org"
    static let adminPassword = "Admin#Pass123"

    /// A delegated service account of the template.
    struct ServiceAccount: Sendable {
        let name: String
        let password: String
        var principal: String { "\(name)@\(SambaServer.realm)" }
        var userPrincipalName: String { "\(name)@\(SambaServer.domain)" }

        /// Keyward's account (the helpdesk delegation).
        static let keyward = ServiceAccount(name: "svc-conn", password: "Svc#Conn-Pass1")
        /// The account with only the Reset-Password right.
        static let resetOnly = ServiceAccount(name: "svc-reset", password: "Svc#Reset-Pass1")
    }

    let directory: String
    private let process: Mutex<Process>

    /// The server of the test being run (set by the `.sambaDC` trait).
    @TaskLocal static var current: SambaServer?

    /// The server's certificate (self-signed: its own CA), for 127.0.0.1 and localhost.
    var certificatePath: String { directory + "/tls/cert.pem" }
    var configPath: String { directory + "/etc/smb.conf" }
    var samPath: String { directory + "/private/sam.ldb" }

    /// The keytab exported for `account`.
    func keytabPath(_ account: ServiceAccount) -> String { directory + "/\(account.name).keytab" }

    private init(directory: String, process: Process) {
        self.directory = directory
        self.process = Mutex(process)
    }

    /// Copies the template into a new folder and starts the DC there.
    static func start() throws -> SambaServer {
        for port in [88, 389, 636] where accepts(port: port) {
            throw SambaError("port \(port) is taken (another Samba or slapd runs?); stop it before the Samba tests")
        }
        let template = try SambaTemplate.directory()
        let directory = SambaTemplate.root + "/dc-\(UUID().uuidString.prefix(8))"
        try run("/bin/cp", ["-a", template, directory])
        let files = FileManager.default
        for name in (try? files.contentsOfDirectory(atPath: directory + "/run")) ?? [] {
            try files.removeItem(atPath: directory + "/run/" + name)
        }
        let configPath = directory + "/etc/smb.conf"
        let config = try String(contentsOfFile: configPath, encoding: .utf8)
        try config.replacingOccurrences(of: template, with: directory).write(
            toFile: configPath, atomically: true, encoding: .utf8)

        let server = SambaServer(directory: directory, process: try launch(in: directory))
        try server.waitUntilReady()
        SambaTemplate.useKerberosConfiguration()
        return server
    }

    /// Starts `samba` on the copy in `directory`, its output appended to `log/stdout.log`.
    private static func launch(in directory: String) throws -> Process {
        let log = directory + "/log/stdout.log"
        if !FileManager.default.fileExists(atPath: log) {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
        }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try output.seekToEnd()
        let samba = Process()
        samba.executableURL = URL(fileURLWithPath: "/usr/sbin/samba")
        samba.arguments = ["-F", "--no-process-group", "-M", "single", "-s", directory + "/etc/smb.conf"]
        samba.standardOutput = output
        samba.standardError = output
        try samba.run()
        return samba
    }

    /// Stops the DC (SIGTERM to its pid) and waits for it to exit.
    func stop() {
        let samba = process.withLock { $0 }
        guard samba.isRunning else { return }
        kill(samba.processIdentifier, SIGTERM)
        samba.waitUntilExit()
    }

    /// Stops the DC and starts it again on the same data (its logs appended to).
    func restart() throws {
        stop()
        let samba = try Self.launch(in: directory)
        process.withLock { $0 = samba }
        try waitUntilReady()
    }

    /// Kills the DC (its data is thrown away, so it need not stop cleanly)
    /// and removes its folder.
    func destroy() {
        let samba = process.withLock { $0 }
        if samba.isRunning {
            kill(samba.processIdentifier, SIGKILL)
            samba.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(30)
        let keyward = ServiceAccount.keyward
        while Date() < deadline {
            if Self.accepts(port: 88), bind(keyward.userPrincipalName, keyward.password) == .success { return }
            guard process.withLock({ $0.isRunning }) else { break }
            usleep(50_000)
        }
        destroy()
        throw SambaError("samba did not start; see \(directory)/log")
    }

    // MARK: Fixtures and proofs through Samba's own tools

    /// Creates the user `name` with `samba-tool user create` (UPN `name@test.example.org`).
    func createUser(_ name: String, password: String, mustChangeAtNextLogin: Bool = false) throws {
        var arguments = ["user", "create", name, password, "-s", configPath, "-H", samPath]
        if mustChangeAtNextLogin { arguments.append("--must-change-at-next-login") }
        try Self.run("/usr/bin/samba-tool", arguments)
    }

    /// What a simple bind over LDAPS as `user` (a UPN) with `password` got,
    /// the way a login would: `ldapsearch -x -H ldaps://127.0.0.1:636 -D user -w PW -b "" -s base`.
    func bind(_ user: String, _ password: String) -> BindOutcome {
        let (status, output) = Self.capture(
            "/usr/bin/ldapsearch",
            ["-x", "-H", "ldaps://127.0.0.1:636", "-D", user, "-w", password, "-b", "", "-s", "base", "dnsHostName"],
            environment: ["LDAPTLS_CACERT": certificatePath])
        if status == 0 { return .success }
        guard let range = output.range(of: "data ") else { return .failed(subcode: nil) }
        return .failed(subcode: String(output[range.upperBound...].prefix { $0.isHexDigit }))
    }

    /// Binds as the user `name` (by UPN).
    func bindUser(_ name: String, _ password: String) -> BindOutcome { bind("\(name)@\(Self.domain)", password) }

    /// The first value of `attribute` of the user `name`, read as Administrator over LDAPS.
    func attribute(_ attribute: String, of name: String) throws -> String? {
        let (status, output) = Self.capture(
            "/usr/bin/ldapsearch",
            [
                "-LLL", "-o", "ldif-wrap=no", "-x", "-H", "ldaps://127.0.0.1:636", "-D", "Administrator@\(Self.domain)",
                "-w", Self.adminPassword, "-b", Self.usersDN, "(sAMAccountName=\(name))", attribute,
            ],
            environment: ["LDAPTLS_CACERT": certificatePath])
        guard status == 0 else { throw SambaError("ldapsearch for \(name) failed: \(output)") }
        let prefix = attribute.lowercased() + ": "
        return output.split(separator: "\n").first { $0.lowercased().hasPrefix(prefix) }.map {
            String($0.dropFirst(prefix.count))
        }
    }

    /// Replaces `attribute` of the user `name` with `value`, as Administrator over LDAPS.
    func setAttribute(_ attribute: String, of name: String, to value: String) throws {
        let ldif =
            "dn: CN=\(name),\(Self.usersDN)\nchangetype: modify\nreplace: \(attribute)\n\(attribute): \(value)\n-\n"
        let path = directory + "/modify-\(UUID().uuidString.prefix(8)).ldif"
        try ldif.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.run(
            "/usr/bin/ldapmodify",
            [
                "-x", "-H", "ldaps://127.0.0.1:636", "-D", "Administrator@\(Self.domain)", "-w", Self.adminPassword,
                "-f", path,
            ],
            environment: ["LDAPTLS_CACERT": certificatePath])
    }

    // MARK: Processes and ports

    /// Runs a tool to completion; throws with its output when it fails.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        let (status, output) = capture(executable, arguments, environment: environment)
        guard status == 0 else {
            throw SambaError(
                "\(executable) \(arguments.prefix(3).joined(separator: " ")) … failed (\(status)): \(output)")
        }
    }

    /// Runs a tool to completion and returns its status and output (stdout and stderr).
    static func capture(_ executable: String, _ arguments: [String], environment: [String: String] = [:])
        -> (Int32, String)
    {
        let tool = Process()
        tool.executableURL = URL(fileURLWithPath: executable)
        tool.arguments = arguments
        tool.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        tool.standardOutput = output
        tool.standardError = output
        do {
            try tool.run()
        } catch {
            return (-1, "\(executable) did not start: \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        tool.waitUntilExit()
        return (tool.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func accepts(port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// How a bind ended: success, or a failure with AD's `data` subcode (`52e`, `773`, `775`…).
enum BindOutcome: Equatable, CustomStringConvertible {
    case success
    case failed(subcode: String?)

    var description: String {
        switch self {
        case .success: "success"
        case .failed(let subcode): "failed (data \(subcode ?? "?"))"
        }
    }
}

struct SambaError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs every test case of a suite on its own copy of the template DC,
/// started before the test and killed after it (``SambaServer/current``
/// inside): no test sees what another did to the directory.
struct SambaTrait: SuiteTrait, TestTrait, TestScoping {
    var isRecursive: Bool { true }

    func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        test.isSuite || testCase == nil ? nil : self
    }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await KerberosSuiteLock.shared.exclusively {
            let server = try SambaServer.start()
            defer { server.destroy() }
            try await SambaServer.$current.withValue(server) { try await function() }
        }
    }
}

extension Trait where Self == SambaTrait {
    /// A throwaway Samba AD DC for each test case of the suite.
    static var sambaDC: Self { Self() }
}
