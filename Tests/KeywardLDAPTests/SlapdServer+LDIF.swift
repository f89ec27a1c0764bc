import Foundation

extension SlapdServer {
    /// cn=config: TLS with the test certificate, the mdb database with its
    /// ACLs (Keyward's service account gets write, not manage: ppolicy
    /// does not check the passwords of a DN with manage on userPassword),
    /// and the ppolicy overlay.
    var configLDIF: String {
        let base = Self.base
        let admin = Self.adminDN
        return """
            dn: cn=config
            objectClass: olcGlobal
            cn: config
            olcPidFile: \(directory)/slapd.pid
            olcTLSCertificateFile: \(directory)/cert.pem
            olcTLSCertificateKeyFile: \(directory)/cert-key.pem
            olcTLSCACertificateFile: \(directory)/cert.pem
            \(saslConfiguration)
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
            olcRootDN: \(Self.rootDN)
            olcRootPW: \(Self.rootPassword)
            olcDbDirectory: \(directory)/db
            olcDbMaxSize: 104857600
            olcDbIndex: objectClass eq
            olcDbIndex: uid eq
            olcAccess: {0}to attrs=userPassword by dn.exact="\(admin)" write by self write by anonymous auth by * none
            olcAccess: {1}to dn.subtree="\(Self.people)" by dn.exact="\(admin)" write by self read by users read by anonymous auth
            olcAccess: {2}to * by dn.exact="\(admin)" read by self read by users read by anonymous auth

            dn: olcOverlay={0}ppolicy,olcDatabase={1}mdb,cn=config
            objectClass: olcOverlayConfig
            objectClass: olcPPolicyConfig
            olcOverlay: {0}ppolicy
            olcPPolicyDefault: cn=default,ou=policies,\(base)
            olcPPolicyHashCleartext: TRUE
            olcPPolicyUseLockout: TRUE

            """
    }

    /// With Kerberos: the SASL host and realm, and the mapping of the
    /// `keyward` principal to Keyward's service account.
    private var saslConfiguration: String {
        guard kerberos != nil else { return "" }
        return """
            olcSaslHost: localhost
            olcSaslRealm: \(SlapdKerberos.realm)
            olcAuthzRegexp: {0}"uid=([^,]*),(cn=[^,]*,)?cn=gssapi,cn=auth" "cn=$1,ou=services,\(Self.base)"

            """
    }

    var dataLDIF: String {
        let base = Self.base
        return """
            dn: \(base)
            objectClass: dcObject
            objectClass: organization
            dc: example
            o: Example

            dn: \(Self.people)
            objectClass: organizationalUnit
            ou: people

            dn: ou=services,\(base)
            objectClass: organizationalUnit
            ou: services

            dn: \(Self.adminDN)
            objectClass: organizationalRole
            objectClass: simpleSecurityObject
            cn: keyward
            userPassword: \(Self.adminPassword)

            dn: ou=policies,\(base)
            objectClass: organizationalUnit
            ou: policies

            dn: cn=default,ou=policies,\(base)
            objectClass: namedPolicy
            objectClass: pwdPolicy
            cn: default
            pwdAttribute: userPassword
            pwdMaxFailure: 3
            pwdLockout: TRUE
            pwdLockoutDuration: 0
            pwdMustChange: TRUE
            pwdAllowUserChange: TRUE
            pwdSafeModify: FALSE
            pwdInHistory: 3
            pwdCheckQuality: 1
            pwdMinLength: 8

            """
    }
}
