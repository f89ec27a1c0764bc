import Foundation

extension DirectoryBench.Slapd {
    /// What slapd starts from: a certificate, `cn=config` and the base
    /// entries, loaded with slapadd before the server runs.
    struct Files {
        let directory: String
        let adminPassword: String

        /// Creates `directory` (owner only) with the certificate and both
        /// databases.
        func provision() throws {
            try FileManager.default.createDirectory(
                atPath: directory + "/db", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try FileManager.default.createDirectory(atPath: directory + "/slapd.d", withIntermediateDirectories: true)
            try run(
                "/usr/bin/openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", directory + "/cert-key.pem", "-out", directory + "/cert.pem",
                ])
            try configuration.write(toFile: directory + "/config.ldif", atomically: true, encoding: .utf8)
            try run("/usr/sbin/slapadd", ["-n0", "-F", directory + "/slapd.d", "-l", directory + "/config.ldif"])
            try data.write(toFile: directory + "/data.ldif", atomically: true, encoding: .utf8)
            try run("/usr/sbin/slapadd", ["-q", "-n1", "-F", directory + "/slapd.d", "-l", directory + "/data.ldif"])
        }

        /// cn=config: TLS with the run's certificate, no logging, the mdb
        /// database (synced on every commit, slapd's default) with the
        /// tests' ACLs, and the ppolicy overlay.
        private var configuration: String {
            let base = DirectoryBench.Slapd.base
            let admin = DirectoryBench.Slapd.adminDN
            return """
                dn: cn=config
                objectClass: olcGlobal
                cn: config
                olcLogLevel: 0
                olcPidFile: \(directory)/slapd.pid
                olcTLSCertificateFile: \(directory)/cert.pem
                olcTLSCertificateKeyFile: \(directory)/cert-key.pem
                olcTLSCACertificateFile: \(directory)/cert.pem

                dn: cn=module{0},cn=config
                objectClass: olcModuleList
                cn: module{0}
                olcModulePath: /usr/lib/ldap
                olcModuleLoad: back_mdb
                olcModuleLoad: ppolicy

                dn: cn=schema,cn=config
                objectClass: olcSchemaConfig
                cn: schema

                include: file:///etc/ldap/schema/core.ldif
                include: file:///etc/ldap/schema/cosine.ldif
                include: file:///etc/ldap/schema/nis.ldif
                include: file:///etc/ldap/schema/inetorgperson.ldif
                include: file:///etc/ldap/schema/namedobject.ldif

                dn: olcDatabase={-1}frontend,cn=config
                objectClass: olcDatabaseConfig
                objectClass: olcFrontendConfig
                olcDatabase: {-1}frontend
                olcPasswordHash: {SSHA}

                dn: olcDatabase={0}config,cn=config
                objectClass: olcDatabaseConfig
                olcDatabase: {0}config
                olcAccess: {0}to * by * none

                dn: olcDatabase={1}mdb,cn=config
                objectClass: olcDatabaseConfig
                objectClass: olcMdbConfig
                olcDatabase: {1}mdb
                olcSuffix: \(base)
                olcDbDirectory: \(directory)/db
                olcDbMaxSize: 104857600
                olcDbIndex: objectClass eq
                olcDbIndex: uid eq
                olcAccess: {0}to attrs=userPassword by dn.exact="\(admin)" write by self write by anonymous auth by * none
                olcAccess: {1}to dn.subtree="\(DirectoryBench.Slapd.people)" by dn.exact="\(admin)" write by self read by users read by anonymous auth
                olcAccess: {2}to * by dn.exact="\(admin)" read by self read by users read by anonymous auth

                dn: olcOverlay={0}ppolicy,olcDatabase={1}mdb,cn=config
                objectClass: olcOverlayConfig
                objectClass: olcPPolicyConfig
                olcOverlay: {0}ppolicy
                olcPPolicyDefault: cn=default,ou=policies,\(base)

                """
        }

        /// The base, `ou=people` (empty: the engine creates the accounts),
        /// the service account, and a policy that lets every reset through:
        /// no quality check, no history, no lockout, no forced change.
        private var data: String {
            let base = DirectoryBench.Slapd.base
            return """
                dn: \(base)
                objectClass: dcObject
                objectClass: organization
                dc: example
                o: Example

                dn: \(DirectoryBench.Slapd.people)
                objectClass: organizationalUnit
                ou: people

                dn: ou=services,\(base)
                objectClass: organizationalUnit
                ou: services

                dn: \(DirectoryBench.Slapd.adminDN)
                objectClass: organizationalRole
                objectClass: simpleSecurityObject
                cn: keyward
                userPassword: \(adminPassword)

                dn: ou=policies,\(base)
                objectClass: organizationalUnit
                ou: policies

                dn: cn=default,ou=policies,\(base)
                objectClass: namedPolicy
                objectClass: pwdPolicy
                cn: default
                pwdAttribute: userPassword
                pwdCheckQuality: 0
                pwdInHistory: 0
                pwdLockout: FALSE
                pwdMustChange: FALSE
                pwdAllowUserChange: TRUE

                """
        }

        /// Runs a tool to its end; throws with its output when it fails.
        private func run(_ executable: String, _ arguments: [String]) throws {
            let tool = Process()
            tool.executableURL = URL(fileURLWithPath: executable)
            tool.arguments = arguments
            let output = Pipe()
            tool.standardOutput = output
            tool.standardError = output
            try tool.run()
            let text = output.fileHandleForReading.readDataToEndOfFile()
            tool.waitUntilExit()
            guard tool.terminationStatus == 0 else {
                let command = ([executable] + arguments).joined(separator: " ")
                throw DirectoryBench.Failure("\(command) failed: \(String(decoding: text, as: UTF8.self))")
            }
        }
    }
}
