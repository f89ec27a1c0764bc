import KeywardConnectors
import KeywardCore

/// The settings of a `servicenow` system, read from its definition's
/// `connection` block and checked: the instance, which CA to trust besides
/// the system's, how Keyward authenticates, and the user table.
public struct ServiceNowSettings: Sendable {
    /// How Keyward authenticates to the instance.
    enum Authentication: Sendable {
        /// `Authorization: Basic` with the integration user's name and password.
        case basic(username: String, password: GuardedString)
        /// OAuth 2 password grant at `/oauth_token.do`: the OAuth client and the integration user.
        case oauthPassword(clientID: String, clientSecret: GuardedString, username: String, password: GuardedString)
        /// OAuth 2 client credentials grant at `/oauth_token.do` (newer releases).
        case oauthClientCredentials(clientID: String, clientSecret: GuardedString)
    }

    /// The instance (`https://INSTANCE.service-now.com`).
    let instance: CloudEndpoint
    /// The certificates trusted besides the system's (`caCertificate`).
    let trust: CloudTrust
    /// How Keyward authenticates.
    let authentication: Authentication
    /// The user table (`sys_user`).
    public let table: String
    /// The field that holds the uid: the mapping's uid attribute (`user_name`).
    public let keyField: String
    /// How long one request may take.
    public let timeout: Duration
    /// `password_needs_reset` when a request does not say (``KeywardConnectors/PasswordOptions/mustChange`` nil).
    public let passwordNeedsReset: Bool

    /// The keys this connector reads.
    static let knownKeys: Set<String> = [
        "instanceURL", "authentication", "username", "password", "clientId", "clientSecret", "table",
        "timeoutSeconds", "passwordNeedsReset", CloudTrust.key,
    ]

    /// Reads and checks the settings of `definition`; secrets and the
    /// `caCertificate` file are read (through `environment`) now.
    /// - Throws: ``ConnectorError/Kind/configuration`` naming the system and the key.
    init(definition: ConnectorDefinition, environment: ConnectorEnvironment) throws(ConnectorError) {
        let reader = ConnectionReader(definition: definition)
        for key in definition.connection.keys.sorted() where !Self.knownKeys.contains(key) {
            throw reader.error(key, "is not a setting of type servicenow")
        }
        guard let url = try reader.plain("instanceURL") else {
            throw reader.error("instanceURL", "is required: https://INSTANCE.service-now.com")
        }
        instance = try CloudEndpoint(url, key: "instanceURL", reader: reader)
        trust = try CloudTrust(reader: reader, environment: environment)
        authentication = try Self.authentication(reader, environment)

        table = try reader.plain("table") ?? "sys_user"
        guard Self.isName(table) else {
            throw reader.error("table", "must be a table name (letters, digits and _), not '\(table)'")
        }
        keyField = definition.uidAttribute?.name ?? "user_name"
        guard Self.isName(keyField) else {
            throw ConnectorError(
                .configuration,
                "system '\(definition.name)' (\(definition.location)): the uid attribute '\(keyField)' is not a "
                    + "field name (letters, digits and _)")
        }
        timeout = .seconds(try reader.integer("timeoutSeconds", in: 1...3600) ?? 30)
        passwordNeedsReset = try reader.boolean("passwordNeedsReset") ?? true
        try CloudSettings.requireOnlyMainPassword(definition, reader: reader, field: "user_password")
    }

    private static func authentication(
        _ reader: ConnectionReader, _ environment: ConnectorEnvironment
    ) throws(ConnectorError) -> Authentication {
        func user() throws(ConnectorError) -> (String, GuardedString) {
            guard let username = try reader.plain("username"), !username.isEmpty else {
                throw reader.error("username", "is required: the integration user Keyward signs in as")
            }
            return (username, try CloudSettings.required("password", reader: reader, environment: environment))
        }
        func client() throws(ConnectorError) -> (String, GuardedString) {
            guard let id = try reader.plain("clientId"), !id.isEmpty else {
                throw reader.error("clientId", "is required with OAuth: the client id of the instance's OAuth API endpoint")
            }
            return (id, try CloudSettings.required("clientSecret", reader: reader, environment: environment))
        }
        switch try reader.plain("authentication") ?? "basic" {
        case "basic":
            let (username, password) = try user()
            return .basic(username: username, password: password)
        case "oauth-password":
            let (id, secret) = try client()
            let (username, password) = try user()
            return .oauthPassword(clientID: id, clientSecret: secret, username: username, password: password)
        case "oauth-client-credentials":
            let (id, secret) = try client()
            return .oauthClientCredentials(clientID: id, clientSecret: secret)
        case let other:
            throw reader.error(
                "authentication", "must be basic, oauth-password or oauth-client-credentials, not '\(other)'")
        }
    }

    /// Letters, digits and `_`: a ServiceNow table or field name.
    static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric(or: "_") }
    }
}
