public import KeywardConnectors
public import KeywardCore

/// The settings of an `ad` system, read from its definition's `connection`
/// block and checked: where the domain controller is, how Keyward binds,
/// and where accounts live.
///
/// A simple bind (a DN or UPN and a password) needs TLS: `ldaps://`, or
/// `ldap://` with `startTLS: true`. A Kerberos bind (`authentication:
/// gssapi`) goes over plain `ldap://` and seals the connection itself.
public struct ActiveDirectorySettings: Sendable, Equatable {
    /// Where to connect and how to check the server's certificate.
    public let endpoint: LDAPEndpoint
    /// How Keyward binds: its service account's DN or UPN and password, or
    /// Kerberos credentials.
    public let authentication: LDAPAuthentication
    /// The subtree accounts are searched in (by `sAMAccountName`) and created
    /// under (`CN=<cn>,<baseDN>`).
    public let baseDN: String
    /// The AD DNS domain: new accounts get `userPrincipalName: <uid>@<domain>`
    /// unless a mapped attribute sets it.
    public let domain: String?
    /// Things that work but should change, one sentence each (certificate
    /// verification turned off).
    public let warnings: [String]

    /// The keys this connector reads.
    static let knownKeys: Set<String> = [
        "url", "startTLS", "authentication", "bindDN", "bindPassword", "baseDN", "caCertificate", "tlsVerify",
        "principal", "keytab", "credentialCache", "timeoutSeconds", "domain",
    ]

    /// Reads and checks the settings of `definition`; secrets are read
    /// through `environment` now.
    /// - Throws: ``ConnectorError/Kind/configuration`` naming the system and
    ///   the key, among others when a simple bind would go over `ldap://`
    ///   without StartTLS.
    public init(definition: ConnectorDefinition, environment: ConnectorEnvironment) throws(ConnectorError) {
        let reader = ConnectionReader(definition: definition)
        for key in definition.connection.keys.sorted() where !Self.knownKeys.contains(key) {
            throw reader.error(key, "is not a setting of type ad")
        }

        guard let url = try reader.plain("url") else { throw reader.error("url", "is required: ldaps://host:636") }
        let lowered = url.lowercased()
        guard lowered.hasPrefix("ldaps://") || lowered.hasPrefix("ldap://") else {
            throw reader.error("url", "must start with ldaps:// or ldap://, not '\(url)'")
        }
        let startTLS = try reader.boolean("startTLS") ?? false
        if startTLS && lowered.hasPrefix("ldaps://") {
            throw reader.error("startTLS", "cannot be used with an ldaps:// URL, which is encrypted already")
        }
        endpoint = LDAPEndpoint(
            url: url, startTLS: startTLS, caCertificate: try reader.plain("caCertificate").map(environment.path),
            tlsVerify: try reader.boolean("tlsVerify") ?? true,
            timeoutSeconds: try reader.integer("timeoutSeconds", in: 1...3600) ?? 30)

        guard let base = try reader.plain("baseDN"), !base.isEmpty else {
            throw reader.error(
                "baseDN", "is required: the subtree accounts live in, e.g. CN=Users,DC=corp,DC=example,DC=com")
        }
        baseDN = base
        domain = try reader.plain("domain")
        let usesTLS = lowered.hasPrefix("ldaps://") || startTLS
        warnings =
            endpoint.tlsVerify || !usesTLS
            ? []
            : [
                "system '\(definition.name)': tlsVerify is false, so Keyward does not check the directory's "
                    + "certificate and anyone on the network path can read its passwords; give caCertificate instead"
            ]

        switch try reader.plain("authentication") ?? "simple" {
        case "simple":
            guard let bindDN = try reader.plain("bindDN") else {
                throw reader.error("bindDN", "is required with simple authentication (a DN or user@domain)")
            }
            let password: GuardedString?
            do {
                password = try environment.secret("bindPassword")
            } catch {
                let reason = (error as? ConnectorError)?.message ?? String(describing: type(of: error))
                throw reader.error("bindPassword", "cannot be read: \(reason)")
            }
            guard let password else {
                throw reader.error(
                    "bindPassword", "is required with simple authentication: ${env:NAME} or ${file:PATH}")
            }
            guard lowered.hasPrefix("ldaps://") || startTLS else {
                throw reader.error(
                    "url",
                    "is ldap:// without startTLS: true, so the bind password would cross the network in clear; "
                        + "use ldaps://, set startTLS: true, or use authentication: gssapi")
            }
            authentication = .simple(bindDN: bindDN, password: password)
        case "gssapi":
            authentication = .gssapi(
                principal: try reader.plain("principal"), keytab: try reader.plain("keytab").map(environment.path),
                credentialCache: try reader.plain("credentialCache"))
        case let other:
            throw reader.error("authentication", "must be simple or gssapi, not '\(other)'")
        }
    }

    /// Settings made in code (tests, embedding).
    public init(endpoint: LDAPEndpoint, authentication: LDAPAuthentication, baseDN: String, domain: String? = nil) {
        self.endpoint = endpoint
        self.authentication = authentication
        self.baseDN = baseDN
        self.domain = domain
        warnings = []
    }

    /// Whether the endpoint uses TLS, so that a simple bind as an account is
    /// possible (to see whether a password was already set).
    var allowsSimpleBind: Bool { endpoint.url.lowercased().hasPrefix("ldaps://") || endpoint.startTLS }
}
