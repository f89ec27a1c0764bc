import Foundation
import KeywardTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway MIT Kerberos realm `KEYWARD.TEST` for slapd's SASL GSSAPI:
/// a KDC on a free port (krb5kdc in the foreground, stopped by the pid in
/// `kdc.pid`), the service principal `ldap/localhost` in `ldap.keytab` for
/// slapd, and Keyward's principal `keyward` in `keyward.keytab`.
///
/// Needs `krb5-kdc` and `krb5-admin-server` (kdb5_util, kadmin.local,
/// krb5kdc), which `make setup` installs.
final class SlapdKerberos: Sendable {
    static let realm = "KEYWARD.TEST"
    static let principal = "keyward@KEYWARD.TEST"

    let directory: String
    let port: Int
    private let pid: pid_t

    var configPath: String { directory + "/krb5.conf" }
    var serviceKeytab: String { directory + "/ldap.keytab" }
    var keywardKeytab: String { directory + "/keyward.keytab" }

    private init(directory: String, port: Int, pid: pid_t) {
        self.directory = directory
        self.port = port
        self.pid = pid
    }

    /// Creates the realm's database and keytabs in `directory` and starts the
    /// KDC on `port` (a free one when nil). When the port is taken, the
    /// error holds the KDC's log, which says "Address already in use".
    static func start(in directory: String, port: Int? = nil) throws -> SlapdKerberos {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port = try port ?? FreePort.next()
        try """
        [libdefaults]
        \tdefault_realm = \(realm)
        \tdns_lookup_realm = false
        \tdns_lookup_kdc = false
        \trdns = false
        \tdns_canonicalize_hostname = false
        \tudp_preference_limit = 0
        [realms]
        \t\(realm) = {
        \t\tkdc = 127.0.0.1:\(port)
        \t}
        [domain_realm]
        \tlocalhost = \(realm)

        """.write(toFile: directory + "/krb5.conf", atomically: true, encoding: .utf8)
        try """
        [kdcdefaults]
        \tkdc_listen = 127.0.0.1:\(port)
        \tkdc_tcp_listen = 127.0.0.1:\(port)
        [realms]
        \t\(realm) = {
        \t\tdatabase_name = \(directory)/principal
        \t\tkey_stash_file = \(directory)/stash
        \t\tacl_file = \(directory)/kadm5.acl
        \t\tsupported_enctypes = aes256-cts-hmac-sha1-96:normal
        \t}
        [logging]
        \tkdc = FILE:\(directory)/kdc.log

        """.write(toFile: directory + "/kdc.conf", atomically: true, encoding: .utf8)
        let environment = [
            "KRB5_CONFIG=\(directory)/krb5.conf", "KRB5_KDC_PROFILE=\(directory)/kdc.conf",
            "PATH=/usr/sbin:/usr/bin:/bin",
        ]
        try SlapdServer.run(
            "/usr/sbin/kdb5_util", ["create", "-s", "-r", realm, "-P", "master-\(UUID().uuidString)"],
            environment: environment)
        for query in [
            "addprinc -randkey ldap/localhost@\(realm)", "addprinc -randkey \(principal)",
            "ktadd -k \(directory)/ldap.keytab ldap/localhost@\(realm)",
            "ktadd -k \(directory)/keyward.keytab \(principal)",
        ] {
            try SlapdServer.run("/usr/sbin/kadmin.local", ["-q", query], environment: environment)
        }
        let pid = try ChildProcess.spawn(
            ["/usr/sbin/krb5kdc", "-n", "-P", directory + "/kdc.pid"], log: directory + "/kdc.out",
            environment: environment)
        let kerberos = SlapdKerberos(directory: directory, port: port, pid: pid)
        let deadline = Date().addingTimeInterval(10)
        var status: Int32 = 0
        while !SlapdServer.accepts(port: port) {
            // A KDC that cannot bind its port exits at once.
            let exited = waitpid(pid, &status, WNOHANG) == pid
            guard Date() < deadline, !exited else {
                kerberos.stop()
                let log = ["/kdc.log", "/kdc.out"].compactMap { try? String(contentsOfFile: directory + $0, encoding: .utf8) }
                throw SlapdError("krb5kdc did not start on port \(port); its log:\n" + log.joined(separator: "\n"))
            }
            usleep(20_000)
        }
        return kerberos
    }

    /// A credential cache file holding a ticket for Keyward, from its keytab.
    func credentialCache() throws -> String {
        let cache = "FILE:\(directory)/keyward.ccache"
        try SlapdServer.run(
            "/usr/bin/kinit", ["-k", "-t", keywardKeytab, "-c", cache, Self.principal],
            environment: ["KRB5_CONFIG=\(configPath)"])
        return cache
    }

    /// Stops the KDC (SIGTERM to the pid in kdc.pid) and waits for it.
    func stop() {
        let pidText = (try? String(contentsOfFile: directory + "/kdc.pid", encoding: .utf8)) ?? ""
        kill(pid_t(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }
}

/// Runs a suite with a Kerberos realm and a slapd that accepts GSSAPI
/// binds from it (``SlapdServer/current`` inside). The realm's krb5.conf is
/// first in the test process's `KRB5_CONFIG` while the suite runs.
struct SlapdKerberosTrait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await KerberosSuiteLock.shared.exclusively {
            try await withRealm(performing: function)
        }
    }

    private func withRealm(performing function: @Sendable () async throws -> Void) async throws {
        let server = try SlapdServer.start(withKerberos: true)
        defer { server.destroy() }
        // Prepend, then remove only our own file: the Samba suites of this
        // process keep theirs in the same colon-separated list.
        let path = server.kerberos!.configPath
        Self.editConfigurationList { [path] + $0.filter { $0 != path } }
        defer { Self.editConfigurationList { $0.filter { $0 != path } } }
        try await SlapdServer.$current.withValue(server) { try await function() }
    }
}

extension SlapdKerberosTrait {
    /// Rewrites `KRB5_CONFIG`, a colon-separated list of files.
    static func editConfigurationList(_ edit: ([String]) -> [String]) {
        let current = getenv("KRB5_CONFIG").map { String(cString: $0) } ?? ""
        let files = edit(current.split(separator: ":").map(String.init))
        if files.isEmpty { unsetenv("KRB5_CONFIG") } else { setenv("KRB5_CONFIG", files.joined(separator: ":"), 1) }
    }
}

extension Trait where Self == SlapdKerberosTrait {
    /// One throwaway Kerberos realm and slapd for the whole suite.
    static var slapdWithKerberos: Self { Self() }
}
