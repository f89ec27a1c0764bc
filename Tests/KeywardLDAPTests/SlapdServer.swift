import Foundation
import KeywardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway OpenLDAP slapd (CONNECTORS.md section 1's recipe, in Swift):
/// a temporary folder, a self-signed certificate for 127.0.0.1/localhost,
/// the ppolicy overlay with lockout after 3 failures (permanent), forced
/// change after reset, a history of 3, and a minimum length of 8; two free
/// ports (plain with StartTLS, and LDAPS).
///
/// Keyward binds as `cn=keyward,ou=services,…`, a normal entry that an ACL
/// gives `manage` on `ou=people`: not the rootdn, so ppolicy applies to its
/// resets. slapd runs in the foreground with stats logging (`-d 256`) into
/// ``logPath`` and is stopped with SIGTERM to the pid in `slapd.pid`.
final class SlapdServer: Sendable {
    static let base = "dc=example,dc=org"
    static let people = "ou=people,dc=example,dc=org"
    static let adminDN = "cn=keyward,ou=services,dc=example,dc=org"
    static let adminPassword = "Keyward#Admin-1"
    static let rootDN = "cn=admin,dc=example,dc=org"
    static let rootPassword = "Root#Admin-1"

    let directory: String
    let ldapPort: Int
    let ldapsPort: Int
    /// The Kerberos realm slapd accepts GSSAPI binds from, when started with one.
    let kerberos: SlapdKerberos?
    private let process: ProcessBox

    /// `ldaps://127.0.0.1:PORT`.
    var ldapsURL: String { "ldaps://127.0.0.1:\(ldapsPort)" }
    /// `ldap://127.0.0.1:PORT` (plain; StartTLS available).
    var ldapURL: String { "ldap://127.0.0.1:\(ldapPort)" }
    /// LDAPS on 127.0.0.2, an address the certificate does not name.
    var misnamedURL: String { "ldaps://127.0.0.2:\(ldapsPort)" }
    /// The server's certificate, which is its own CA.
    var certificatePath: String { directory + "/cert.pem" }
    /// slapd's stderr: its stats log.
    var logPath: String { directory + "/slapd.log" }

    /// The server of the suite being run (set by the `.slapd` trait).
    @TaskLocal static var current: SlapdServer?

    private init(directory: String, ldapPort: Int, ldapsPort: Int, kerberos: SlapdKerberos?) {
        self.directory = directory
        self.ldapPort = ldapPort
        self.ldapsPort = ldapsPort
        self.kerberos = kerberos
        process = ProcessBox()
    }

    /// Builds the configuration and data in a new temporary folder and
    /// starts slapd; `withKerberos` first starts a realm whose `keyward`
    /// principal binds by GSSAPI as Keyward's service account.
    ///
    /// A port taken before slapd or the KDC binds it makes it start again,
    /// in a new folder on new ports (``FreePort/retrying(_:)``); `ports`
    /// gives them, LDAP's then LDAPS's at each try.
    static func start(withKerberos: Bool = false, ports: () throws -> Int = FreePort.next) throws -> SlapdServer {
        try FreePort.retrying {
            let directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("keyward-slapd-\(UUID().uuidString.prefix(8))").path
            let (ldapPort, ldapsPort) = (try ports(), try ports())
            let kerberos: SlapdKerberos?
            do {
                kerberos = withKerberos ? try SlapdKerberos.start(in: directory + "/kerberos") : nil
            } catch {
                try? FileManager.default.removeItem(atPath: directory)
                throw error
            }
            let server = SlapdServer(directory: directory, ldapPort: ldapPort, ldapsPort: ldapsPort, kerberos: kerberos)
            do {
                try server.provision()
                try server.launch()
                return server
            } catch {
                server.destroy()
                throw error
            }
        }
    }

    /// `ldap://localhost:PORT`: the host name GSSAPI asks a ticket for (ldap/localhost).
    var gssapiURL: String { "ldap://localhost:\(ldapPort)" }

    /// The DN of a person under `ou=people`.
    static func personDN(_ uid: String) -> String { "uid=\(uid),\(people)" }

    /// Stops slapd (SIGTERM to the pid in slapd.pid) and waits for it to exit.
    func stop() {
        guard let spawned = process.take() else { return }
        let pidText = (try? String(contentsOfFile: directory + "/slapd.pid", encoding: .utf8)) ?? ""
        let pid = pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? spawned
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(spawned, &status, 0) == -1 && errno == EINTR {}
    }

    /// Kills slapd with SIGKILL, as a crash would (no shutdown, no closed
    /// connections), and reaps it; ``restart()`` brings it back on the same
    /// ports and data.
    func crash() {
        guard let spawned = process.take() else { return }
        kill(spawned, SIGKILL)
        var status: Int32 = 0
        while waitpid(spawned, &status, 0) == -1 && errno == EINTR {}
    }

    /// Stops slapd and starts it again on the same ports and data.
    func restart() throws {
        stop()
        try launch()
    }

    /// Stops slapd and removes its folder.
    func destroy() {
        stop()
        kerberos?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// slapd's log so far, as bytes.
    func logBytes() -> [UInt8] {
        (try? Data(contentsOf: URL(fileURLWithPath: logPath))).map { [UInt8]($0) } ?? []
    }

    /// Starts slapd in the foreground (`-d 256`: stats to stderr, appended
    /// to the log) and waits until its ports accept connections.
    private func launch() throws {
        let arguments = [
            "/usr/sbin/slapd", "-F", directory + "/slapd.d", "-h", "\(ldapURL)/ \(ldapsURL)/ \(misnamedURL)/", "-d",
            "256",
        ]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("KRB5") }
            .map { "\($0.key)=\($0.value)" }
        if let kerberos {
            environment += ["KRB5_KTNAME=\(kerberos.serviceKeytab)", "KRB5_CONFIG=\(kerberos.configPath)"]
        }
        let pid = try ChildProcess.spawn(arguments, log: logPath, environment: environment)
        process.set(pid)

        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Self.accepts(port: ldapPort) && Self.accepts(port: ldapsPort)
                && Self.accepts(port: ldapsPort, host: "127.0.0.2")
                && FileManager.default.fileExists(atPath: directory + "/slapd.pid")
            {
                return
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                _ = process.take()
                break
            }
            usleep(20_000)
        }
        stop()
        throw SlapdError("slapd did not start; its log:\n" + String(decoding: logBytes(), as: UTF8.self))
    }

    private func provision() throws {
        try FileManager.default.createDirectory(atPath: directory + "/db", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/slapd.d", withIntermediateDirectories: true)
        try Self.makeCertificate(in: directory, name: "cert")
        try write(configLDIF, to: "config.ldif")
        try Self.run("/usr/sbin/slapadd", ["-n0", "-F", directory + "/slapd.d", "-l", directory + "/config.ldif"])
        try write(dataLDIF, to: "data.ldif")
        try Self.run("/usr/sbin/slapadd", ["-q", "-n1", "-F", directory + "/slapd.d", "-l", directory + "/data.ldif"])
    }

    /// A self-signed certificate `<name>.pem` with key `<name>-key.pem`,
    /// for CN localhost with SANs localhost and 127.0.0.1.
    static func makeCertificate(in directory: String, name: String) throws {
        try TestCertificates.selfSigned(in: directory, name: name)
    }

    private func write(_ text: String, to name: String) throws {
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }
}

/// The pid of the slapd process, set and taken under a lock.
private final class ProcessBox: @unchecked Sendable {
    private let lock = NSLock()
    private var process: pid_t?

    func set(_ process: pid_t) { lock.withLock { self.process = process } }
    func take() -> pid_t? {
        lock.withLock {
            defer { process = nil }
            return process
        }
    }
}

struct SlapdError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a suite with its own slapd, started before its first test and
/// stopped after its last (``SlapdServer/current`` inside).
struct SlapdTrait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let server = try SlapdServer.start()
        defer { server.destroy() }
        try await SlapdServer.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == SlapdTrait {
    /// One throwaway slapd for the whole suite.
    static var slapd: Self { Self() }
}
