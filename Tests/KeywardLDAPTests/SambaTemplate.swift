import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The Samba AD DC template, provisioned once per test run (about 8 s) in
/// a folder of this process that is removed when it exits; DCs are copies
/// of it (``SambaServer/start()``).
enum SambaTemplate {
    /// The folder of this run's template and DC copies.
    static let root = FileManager.default.temporaryDirectory.path + "/keyward-samba-\(getpid())"

    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: Result<String, SambaError>?

    /// The template's folder, provisioned on first use.
    static func directory() throws -> String {
        try lock.withLock {
            if made == nil {
                made = Result { () throws(SambaError) in try provision() }
                atexit { try? FileManager.default.removeItem(atPath: SambaTemplate.root) }
            }
            return try made!.get()
        }
    }

    private static func provision() throws(SambaError) -> String {
        let directory = root + "/template"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try SambaServer.run(
                "/usr/bin/samba-tool",
                [
                    "domain", "provision", "--targetdir=\(directory)", "--realm=\(SambaServer.realm)", "--domain=TEST",
                    "--server-role=dc", "--dns-backend=NONE", "--host-name=dc1",
                    "--adminpass=\(SambaServer.adminPassword)",
                    "--option=interfaces = lo", "--option=bind interfaces only = yes",
                ])
            for folder in ["run", "log", "tls"] {
                try FileManager.default.createDirectory(
                    atPath: "\(directory)/\(folder)", withIntermediateDirectories: true)
            }
            try SambaServer.run(
                "/usr/bin/openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", "\(directory)/tls/key.pem", "-out", "\(directory)/tls/cert.pem",
                ])
            chmod("\(directory)/tls/key.pem", 0o600)
            try configure(directory + "/etc/smb.conf", directory)
            try krb5Config.write(toFile: directory + "/krb5.conf", atomically: true, encoding: .utf8)
            try setUpScript.write(toFile: directory + "/setup.py", atomically: true, encoding: .utf8)
            let keyward = SambaServer.ServiceAccount.keyward
            let resetOnly = SambaServer.ServiceAccount.resetOnly
            try SambaServer.run(
                "/usr/bin/python3",
                [
                    directory + "/setup.py", directory + "/etc/smb.conf", directory, hostName(),
                    keyward.name, keyward.password, resetOnly.name, resetOnly.password,
                ])
        } catch let error as SambaError {
            throw error
        } catch {
            throw SambaError("provisioning the Samba template failed: \(error)")
        }
        return directory
    }

    /// Puts the template's krb5.conf (the same in every copy) first in
    /// `KRB5_CONFIG`, keeping what is there: MIT Kerberos reads that
    /// process-wide variable as a colon-separated list of files, and other
    /// suites of this process (slapd's Kerberos realm) may set it for
    /// themselves while they run. Called before every Negotiate connector is
    /// made, so the realm is found again after such a suite put its own
    /// value back.
    static func useKerberosConfiguration() {
        lock.withLock {
            guard case .success(let directory) = made else { return }
            let path = directory + "/krb5.conf"
            let current = getenv("KRB5_CONFIG").map { String(cString: $0) } ?? ""
            let others = current.split(separator: ":").map(String.init).filter { $0 != path }
            setenv("KRB5_CONFIG", ([path] + others).joined(separator: ":"), 1)
        }
    }

    /// Logs, pid and TLS files inside the folder; only LDAP and the KDC;
    /// an old password stops working at once.
    private static func configure(_ path: String, _ directory: String) throws {
        var lines: [String] = []
        for line in try String(contentsOfFile: path, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        {
            let setting = line.trimmingCharacters(in: .whitespaces)
            if setting.hasPrefix("log file =") {
                lines += [
                    "\tlog file = \(directory)/log/samba.log", "\tpid directory = \(directory)/run",
                    "\ttls certfile = \(directory)/tls/cert.pem", "\ttls keyfile = \(directory)/tls/key.pem",
                    "\ttls cafile = \(directory)/tls/cert.pem",
                ]
            } else if setting.hasPrefix("server services =") {
                lines += ["\tserver services = ldap, kdc", "\told password allowed period = 0"]
            } else {
                lines.append(String(line))
            }
        }
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// This machine's name, as `hostname` prints it: libldap puts it in the
    /// SPN it asks for on a loopback connection.
    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static let krb5Config = """
        [libdefaults]
        \tdefault_realm = TEST.EXAMPLE.ORG
        \tdns_lookup_realm = false
        \tdns_lookup_kdc = false
        \trdns = false
        \tudp_preference_limit = 0
        [realms]
        \tTEST.EXAMPLE.ORG = {
        \t\tkdc = 127.0.0.1:88
        \t\tkpasswd_server = 127.0.0.1:464
        \t}
        [domain_realm]
        \t.test.example.org = TEST.EXAMPLE.ORG
        \ttest.example.org = TEST.EXAMPLE.ORG

        """

    /// Everything after provisioning in one Python process on the stopped
    /// template's sam.ldb (one samba-tool call per step would take ~0.5 s
    /// each): the password settings, the two service accounts and their
    /// rights on CN=Users, the ldap/ SPNs of the DC (with ldap/localhost and
    /// ldap/<hostname>, see CONNECTORS.md 2b), and the keytabs.
    private static let setUpScript = """
        import sys
        import ldb
        import samba.dckeytab
        from samba.auth import system_session
        from samba.dcerpc import security
        from samba.ndr import ndr_unpack
        from samba.net import Net
        from samba.param import LoadParm
        from samba.samdb import SamDB
        from samba.sd_utils import SDUtils

        conf, folder, hostname, keyward, keyward_pw, reset_only, reset_only_pw = sys.argv[1:8]
        lp = LoadParm()
        lp.load(conf)
        samdb = SamDB(url=lp.samdb_url(), session_info=system_session(), lp=lp)
        base = str(samdb.domain_dn())
        users = "CN=Users," + base

        def modify(dn, **values):
            message = ldb.Message(ldb.Dn(samdb, dn))
            for name, value in values.items():
                message[name] = ldb.MessageElement(value, ldb.FLAG_MOD_REPLACE, name)
            samdb.modify(message)

        # min age 0, lockout after 3 failures until unlocked, 30 min window, history 3
        modify(base, minPwdAge="0", lockoutThreshold="3", lockoutDuration="-9223372036854775808",
               lockOutObservationWindow="-18000000000", pwdHistoryLength="3")

        USER = "bf967aba-0de6-11d0-a285-00aa003049e2"
        RESET_PASSWORD = "00299570-246d-11d0-a768-00aa006e0529"
        PWD_LAST_SET = "bf967a0a-0de6-11d0-a285-00aa003049e2"
        LOCKOUT_TIME = "28630ebf-41d5-11d1-a9c1-0000f80367c1"
        USER_ACCOUNT_CONTROL = "bf967a68-0de6-11d0-a285-00aa003049e2"

        def account(name, password):
            samdb.newuser(name, password)
            found = samdb.search(base=base, expression="(sAMAccountName=%s)" % name, attrs=["objectSid"])
            return str(ndr_unpack(security.dom_sid, found[0]["objectSid"][0]))

        keyward_sid = account(keyward, keyward_pw)
        reset_only_sid = account(reset_only, reset_only_pw)
        sd = SDUtils(samdb)
        sd.dacl_add_ace(users, "(OA;CIIO;CR;%s;%s;%s)" % (RESET_PASSWORD, USER, reset_only_sid))
        for ace in ["(OA;CIIO;CR;%s;%s;%s)" % (RESET_PASSWORD, USER, keyward_sid),
                    "(OA;CIIO;WP;%s;%s;%s)" % (PWD_LAST_SET, USER, keyward_sid),
                    "(OA;CIIO;WP;%s;%s;%s)" % (LOCKOUT_TIME, USER, keyward_sid),
                    "(OA;CIIO;WP;%s;%s;%s)" % (USER_ACCOUNT_CONTROL, USER, keyward_sid),
                    "(OA;;CCDC;%s;;%s)" % (USER, keyward_sid)]:
            sd.dacl_add_ace(users, ace)

        spns = list(dict.fromkeys(["ldap/dc1.test.example.org", "ldap/dc1", "ldap/localhost", "ldap/" + hostname]))
        message = ldb.Message(ldb.Dn(samdb, "CN=DC1,OU=Domain Controllers," + base))
        message["servicePrincipalName"] = ldb.MessageElement(spns, ldb.FLAG_MOD_ADD, "servicePrincipalName")
        samdb.modify(message)

        realm = lp.get("realm").upper()
        for name in [keyward, reset_only]:
            Net(None, lp).export_keytab(keytab="%s/%s.keytab" % (folder, name), principal="%s@%s" % (name, realm))

        """
}
