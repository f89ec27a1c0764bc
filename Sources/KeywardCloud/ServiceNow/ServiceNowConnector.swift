public import KeywardConnectors
public import KeywardCore
import Foundation
public import Logging

/// The `servicenow` connector: user records in a ServiceNow instance's
/// `sys_user` table (or the configured one) through the Table API, as an
/// integration user (Basic or OAuth).
///
/// The uid is the record's key field, the mapping's uid attribute
/// (`user_name`); attribute names are field names.
/// - create: `POST /api/now/table/sys_user` with the fields,
///   `user_password` and `password_needs_reset`, always with
///   `sysparm_input_display_value=true` (without it ServiceNow stores the
///   password unhashed and nobody can log in with it) and
///   `sysparm_fields=sys_id,user_name`, so no secret comes back;
/// - the type's fixed matrix has initialize only: change, reset and unlock
///   are refused before anything is queued, and
///   ``changePassword(uid:current:attributes:)`` and ``unlock(uid:)`` are
///   ``ConnectorError/Kind/unsupported``.
///
/// A 200 whose body is an HTML page (a hibernating developer instance, a
/// login page) is an error, ``ConnectorError/Kind/unreachable``, tried again
/// later. The integration user needs the admin role, or roles and ACLs that
/// let it create `sys_user` records and write `sys_user.user_password`.
public struct ServiceNowConnector: Connector {
    /// The system's definition, as configured.
    public let definition: ConnectorDefinition
    /// The settings read from the definition.
    public let settings: ServiceNowSettings

    let http: CloudHTTPClient
    let authorization: ServiceNowAuthorization
    let now: @Sendable () -> Date

    /// Initialize only: the fixed matrix for ServiceNow.
    public var capabilities: Set<PasswordOperation> { [.initialize] }

    /// Reads the settings; the first request authenticates.
    /// - Throws: ``ConnectorError/Kind/configuration`` for a wrong setting.
    public init(definition: ConnectorDefinition, environment: ConnectorEnvironment) throws(ConnectorError) {
        try self.init(definition: definition, environment: environment, options: CloudConnectorOptions())
    }

    /// A connector with options only code can set (tests: log lines captured, waits recorded).
    init(
        definition: ConnectorDefinition, environment: ConnectorEnvironment, options: CloudConnectorOptions
    ) throws(ConnectorError) {
        let settings = try ServiceNowSettings(definition: definition, environment: environment)
        let http = CloudHTTPClient(
            timeout: settings.timeout, trust: settings.trust, logger: options.logger(for: definition.name),
            throttling: options.throttling)
        self.definition = definition
        self.settings = settings
        self.http = http
        self.now = options.now
        authorization = ServiceNowAuthorization(settings: settings, http: http, now: options.now)
    }

    /// Registers this connector for definitions with `type: servicenow`; its
    /// request lines go to `logger` (`keyward.cloud.NAME` when nil).
    public static func register(in registry: inout ConnectorRegistry, logger: Logger? = nil) {
        registry.register(type: "servicenow") { definition, environment throws(ConnectorError) in
            try ServiceNowConnector(definition: definition, environment: environment, options: CloudConnectorOptions(logger: logger))
        }
    }

    /// Closes the connection pool. A connector released without it closes
    /// the pool without waiting.
    public func shutdown() async {
        await http.shutdown()
    }

    /// Authenticates and reads one record id of the table.
    public func test() async throws(ConnectorError) {
        _ = try await table(.GET, query: [("sysparm_limit", "1"), ("sysparm_fields", "sys_id")], action: "read the table \(settings.table)")
    }

    /// The usual `sys_user` fields and `__PASSWORD__` (sent as `user_password`).
    public func schema() async throws(ConnectorError) -> [AttributeSchema] {
        [
            AttributeSchema(name: settings.keyField, required: true),
            AttributeSchema(name: "sys_id", creatable: false, updatable: false),
            AttributeSchema(name: "first_name"), AttributeSchema(name: "last_name"), AttributeSchema(name: "email"),
            AttributeSchema(name: "employee_number"), AttributeSchema(name: "active", type: .boolean),
            AttributeSchema(name: "locked_out", type: .boolean),
            AttributeSchema(name: "password_needs_reset", type: .boolean),
            AttributeSchema.password,
        ]
    }

    /// ServiceNow's Table API has no password change with the current password.
    public func changePassword(uid: String, current: GuardedString, attributes: [ConnectorAttribute])
        async throws(ConnectorError)
    {
        throw ConnectorError(
            .unsupported,
            "system '\(definition.name)' (type servicenow) cannot change a password: ServiceNow supports "
                + "initialize only (the Table API has no change with the current password)")
    }

    /// Unlock is not among ServiceNow's operations in Keyward's fixed matrix.
    public func unlock(uid: String) async throws(ConnectorError) {
        throw ConnectorError(
            .unsupported,
            "system '\(definition.name)' (type servicenow) cannot unlock an account: ServiceNow supports initialize "
                + "only; clear locked_out in ServiceNow itself")
    }
}
