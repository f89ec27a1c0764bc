public import KeywardConnectors
public import KeywardCore
import Foundation
public import Logging

/// The `entra` connector: user accounts in Microsoft Entra ID through
/// Microsoft Graph v1.0, as an application (OAuth 2 client credentials).
///
/// The uid is the user's `userPrincipalName` (or object id); requests go to
/// `/users/{uid}`:
/// - create: `POST /users` with `accountEnabled`, `displayName`,
///   `mailNickname`, `userPrincipalName`, the mapped properties and
///   `passwordProfile` {`password`, `forceChangePasswordNextSignIn`};
/// - reset: `PATCH /users/{uid}` with `passwordProfile` and its password,
///   never the flag alone (Graph answers 204 to that and does nothing);
/// - change and unlock do not exist for an application: refused as
///   ``ConnectorError/Kind/unsupported``.
///
/// The app needs `User.ReadWrite.All` (or `User.Create`) to create and
/// `User-PasswordProfile.ReadWrite.All` to reset, with admin consent.
/// Its token is kept until five minutes before it expires, and fetched
/// again once when Graph refuses it (401) in the middle of a batch.
public struct EntraConnector: Connector {
    /// The system's definition, as configured.
    public let definition: ConnectorDefinition
    /// The settings read from the definition.
    public let settings: EntraSettings

    let http: CloudHTTPClient
    let tokens: TokenCache
    let now: @Sendable () -> Date

    /// Initialize and reset: the fixed matrix for Entra ID.
    public var capabilities: Set<PasswordOperation> { [.initialize, .reset] }

    /// Reads the settings; the first request fetches a token.
    /// - Throws: ``ConnectorError/Kind/configuration`` for a wrong setting.
    public init(definition: ConnectorDefinition, environment: ConnectorEnvironment) throws(ConnectorError) {
        try self.init(definition: definition, environment: environment, options: CloudConnectorOptions())
    }

    /// A connector with options only code can set (tests: log lines captured, waits recorded).
    init(
        definition: ConnectorDefinition, environment: ConnectorEnvironment, options: CloudConnectorOptions
    ) throws(ConnectorError) {
        let settings = try EntraSettings(definition: definition, environment: environment)
        let http = CloudHTTPClient(
            timeout: settings.timeout, trust: settings.trust, logger: options.logger(for: definition.name),
            throttling: options.throttling)
        let now = options.now
        self.definition = definition
        self.settings = settings
        self.http = http
        self.now = now
        tokens = TokenCache(now: now) { () throws(ConnectorError) in
            try await EntraToken.fetch(settings: settings, http: http, now: now)
        }
    }

    /// Registers this connector for definitions with `type: entra`; its
    /// request lines go to `logger` (`keyward.cloud.NAME` when nil).
    public static func register(in registry: inout ConnectorRegistry, logger: Logger? = nil) {
        registry.register(type: "entra") { definition, environment throws(ConnectorError) in
            try EntraConnector(definition: definition, environment: environment, options: CloudConnectorOptions(logger: logger))
        }
    }

    /// Closes the connection pool. A connector released without it closes
    /// the pool without waiting.
    public func shutdown() async {
        await http.shutdown()
    }

    /// Fetches a token and reads one user (`GET /users?$top=1`), which
    /// needs the read permission every operation needs.
    public func test() async throws(ConnectorError) {
        _ = try await graph(.GET, "/users", query: [("$top", "1"), ("$select", "id")], action: "list users", forbidden: Self.readHint)
    }

    /// The user properties Keyward sends and reads, and `__PASSWORD__`.
    public func schema() async throws(ConnectorError) -> [AttributeSchema] {
        EntraUserFields.schema
    }

    /// Entra ID has no password change an application can make.
    public func changePassword(uid: String, current: GuardedString, attributes: [ConnectorAttribute])
        async throws(ConnectorError)
    {
        throw ConnectorError(
            .unsupported,
            "system '\(definition.name)' (type entra) cannot change a password with the current one: Microsoft Graph "
                + "offers that only to the signed-in person (POST /me/changePassword), never to an application; "
                + "reset the password instead")
    }

    /// Entra ID has no unlock: smart lockout is sign-in state Graph cannot read or clear.
    public func unlock(uid: String) async throws(ConnectorError) {
        throw ConnectorError(
            .unsupported,
            "system '\(definition.name)' (type entra) cannot unlock an account: Entra ID's smart lockout is not exposed "
                + "by Microsoft Graph and ends by itself after the lockout period")
    }

    static let readHint = "grant the app registration User.Read.All or User.ReadWrite.All (application) with admin consent"
}
