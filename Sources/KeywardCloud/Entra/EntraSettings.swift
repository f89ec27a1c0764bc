import KeywardConnectors
import KeywardCore

/// The settings of an `entra` system, read from its definition's
/// `connection` block and checked: the tenant, the application Keyward
/// signs in as, where the token endpoint and Graph are, which CA to trust
/// besides the system's, and how passwords are set.
public struct EntraSettings: Sendable {
    /// The directory (tenant) ID, or its `*.onmicrosoft.com` domain.
    public let tenantID: String
    /// The application (client) ID.
    public let clientID: String
    /// The application's client secret.
    let clientSecret: GuardedString
    /// The token endpoint: `{authorityURL}/{tenantId}/oauth2/v2.0/token`.
    let tokenURL: String
    /// The Graph base (`https://graph.microsoft.com/v1.0`).
    let graph: CloudEndpoint
    /// The certificates trusted besides the system's (`caCertificate`).
    let trust: CloudTrust
    /// How long one request may take.
    public let timeout: Duration
    /// `passwordProfile.forceChangePasswordNextSignIn` when a request does
    /// not say (``KeywardConnectors/PasswordOptions/mustChange`` nil).
    public let forceChangePasswordNextSignIn: Bool

    /// The keys this connector reads.
    static let knownKeys: Set<String> = [
        "tenantId", "clientId", "clientSecret", "authorityURL", "graphURL", "timeoutSeconds",
        "forceChangePasswordNextSignIn", CloudTrust.key,
    ]

    /// The default token host.
    static let defaultAuthority = "https://login.microsoftonline.com"
    /// The default Graph base.
    static let defaultGraph = "https://graph.microsoft.com/v1.0"

    /// Reads and checks the settings of `definition`; the client secret and
    /// the `caCertificate` file are read (through `environment`) now.
    /// - Throws: ``ConnectorError/Kind/configuration`` naming the system and the key.
    init(definition: ConnectorDefinition, environment: ConnectorEnvironment) throws(ConnectorError) {
        let reader = ConnectionReader(definition: definition)
        for key in definition.connection.keys.sorted() where !Self.knownKeys.contains(key) {
            throw reader.error(key, "is not a setting of type entra")
        }
        guard let tenant = try reader.plain("tenantId"), Self.isTenant(tenant) else {
            throw reader.error(
                "tenantId", "is required: the directory (tenant) ID, a GUID such as 00000000-0000-0000-0000-000000000000")
        }
        guard let client = try reader.plain("clientId"), !client.isEmpty else {
            throw reader.error("clientId", "is required: the application (client) ID of Keyward's app registration")
        }
        tenantID = tenant
        clientID = client
        clientSecret = try CloudSettings.required("clientSecret", reader: reader, environment: environment)

        let authority = try CloudEndpoint(
            try reader.plain("authorityURL") ?? Self.defaultAuthority, key: "authorityURL", reader: reader)
        graph = try CloudEndpoint(try reader.plain("graphURL") ?? Self.defaultGraph, key: "graphURL", reader: reader)
        trust = try CloudTrust(reader: reader, environment: environment)
        tokenURL = authority.url("/\(tenant)/oauth2/v2.0/token")
        timeout = .seconds(try reader.integer("timeoutSeconds", in: 1...3600) ?? 30)
        forceChangePasswordNextSignIn = try reader.boolean("forceChangePasswordNextSignIn") ?? true

        try CloudSettings.requireOnlyMainPassword(definition, reader: reader, field: "passwordProfile.password")
    }

    /// A GUID or a domain name: letters, digits, `.` and `-` (safe in the token URL's path).
    static func isTenant(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 253
            && text.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric(or: ".-") }
    }
}
