public import KeywardConnectors
public import KeywardCore
public import Logging

/// The `external` connector: a plugin, a program in any language that
/// speaks Keyward's JSON-lines protocol on its stdin and stdout
/// (docs/plugin-protocol.md), run as a small pool of long-lived processes.
///
/// What is checked when:
/// - `keyward config check`: the keys and their types (the plugin does not run).
/// - When the connector is made (any command that loads the systems): the
///   command splits, its program exists and is executable, the working
///   folder exists, `poolSize`, `timeoutSeconds` and `operations` are valid.
/// - At the first request (or `keyward plugin test`): the plugin starts and
///   its hello says which protocol version it speaks (it must be
///   ``PluginProtocol/version``) and what it can do. Until then
///   ``capabilities`` is the `operations` setting; from then on, the
///   operations the plugin declares among them.
/// - At each request: the plugin offers the operation, else `unsupported`.
public struct ExternalConnector: Connector {
    /// The system's definition, as configured.
    public let definition: ConnectorDefinition
    /// The settings read from the definition.
    public let settings: ExternalSettings
    /// The plugin's processes.
    public let pool: PluginPool
    /// `system 'NAME'`, for messages.
    let subject: String

    /// The `operations` setting, narrowed to what the plugin declared in its
    /// last hello (once it has started).
    public var capabilities: Set<PasswordOperation> {
        guard let declared = pool.description?.capabilities else { return settings.operations }
        return settings.operations.intersection(declared)
    }

    /// Reads and checks the settings; no plugin starts until the first request.
    /// - Parameter logger: where plugin starts, restarts and failures are
    ///   logged (never a line the plugin wrote).
    /// - Throws: ``ConnectorError/Kind/configuration`` for a wrong or missing setting.
    public init(
        definition: ConnectorDefinition, environment: ConnectorEnvironment, logger: Logger = ExternalConnector.silentLogger
    ) throws(ConnectorError) {
        let settings = try ExternalSettings(definition: definition, environment: environment)
        self.definition = definition
        self.settings = settings
        subject = "system '\(definition.name)'"
        pool = PluginPool(launch: settings.launch, size: settings.poolSize, subject: subject, logger: logger)
    }

    /// Registers this connector for definitions with `type: external`.
    public static func register(in registry: inout ConnectorRegistry, logger: Logger = silentLogger) {
        registry.register(type: "external") { definition, environment throws(ConnectorError) in
            try ExternalConnector(definition: definition, environment: environment, logger: logger)
        }
    }

    /// A logger that drops everything.
    public static let silentLogger = Logger(label: "keyward.plugins") { _ in SwiftLogNoOpLogHandler() }

    /// The plugin's schema, or the definition's when the plugin offers no `schema`.
    public func schema() async throws(ConnectorError) -> [AttributeSchema] {
        guard try await offers(.schema) else { return definition.schema }
        return try PluginResults.schema(try await result(of: PluginRequest(.schema)), subject: subject)
    }

    /// Starts the plugin (the hello), then runs its `test` when it offers one.
    public func test() async throws(ConnectorError) {
        guard try await offers(.test) else { return }
        _ = try await result(of: PluginRequest(.test))
    }

    /// `create` with every attribute, the secret ones as secret fields.
    public func create(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions) async throws(ConnectorError) {
        try await require(.create)
        _ = try await result(of: PluginRequest(.create, uid: uid, attributes: attributes, mustChange: options.mustChange))
    }

    /// Password attributes go in a `setPassword` (a reset), plain ones in an `update`.
    public func update(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions) async throws(ConnectorError) {
        let passwordNames = Set(definition.passwordAttributes.map(\.name))
        let isPassword = { (attribute: ConnectorAttribute) in
            if case .secret = attribute.value { return true }
            return attribute.isMainPassword || passwordNames.contains(attribute.name)
        }
        let passwords = attributes.filter(isPassword)
        let plain = attributes.filter { !isPassword($0) }
        if !plain.isEmpty {
            try await require(.update)
            _ = try await result(of: PluginRequest(.update, uid: uid, attributes: plain))
        }
        if !passwords.isEmpty {
            try await require(.setPassword)
            _ = try await result(of: PluginRequest(.setPassword, uid: uid, attributes: passwords, mustChange: options.mustChange))
        }
    }

    /// `delete`.
    public func delete(uid: String) async throws(ConnectorError) {
        try await require(.delete)
        _ = try await result(of: PluginRequest(.delete, uid: uid))
    }

    /// `get`; password attributes the plugin might return are dropped.
    public func get(uid: String) async throws(ConnectorError) -> AccountSnapshot {
        try await require(.get)
        let value = try await result(of: PluginRequest(.get, uid: uid))
        let hidden = Set(definition.passwordAttributes.map(\.name) + [AttributeSchema.passwordName, PluginProtocol.currentPasswordName])
        return try PluginResults.account(value, uid: uid, hiding: hidden, subject: subject)
    }

    /// `changePassword` with `__CURRENT_PASSWORD__` first, then the new password attributes.
    public func changePassword(uid: String, current: GuardedString, attributes: [ConnectorAttribute]) async throws(ConnectorError) {
        try await require(.changePassword)
        let all = [ConnectorAttribute(name: PluginProtocol.currentPasswordName, value: .secret(current))] + attributes
        _ = try await result(of: PluginRequest(.changePassword, uid: uid, attributes: all))
    }

    /// `unlock`.
    public func unlock(uid: String) async throws(ConnectorError) {
        try await require(.unlock)
        _ = try await result(of: PluginRequest(.unlock, uid: uid))
    }

    /// Whether the plugin offers `operation` (starting it if none runs).
    private func offers(_ operation: PluginOperation) async throws(ConnectorError) -> Bool {
        try await pool.describe().operations.contains(operation)
    }

    private func require(_ operation: PluginOperation) async throws(ConnectorError) {
        let description = try await pool.describe()
        guard description.operations.contains(operation) else {
            let offered = PluginOperation.all.filter(description.operations.contains).map(\.rawValue)
            throw ConnectorError(
                .unsupported,
                "\(subject): the plugin \(description.title) does not offer \(operation) (it offers: "
                    + "\(offered.isEmpty ? "nothing" : offered.joined(separator: ", "))); list only what it declares "
                    + "in the connector file's `operations`")
        }
    }

    /// The result of `request`, or the plugin's error as a ``ConnectorError``.
    private func result(of request: PluginRequest) async throws(ConnectorError) -> JSONValue {
        switch try await pool.send(request) {
        case .result(let value): return value
        case .error(let report): throw report.connectorError(subject, operation: request.operation.rawValue)
        }
    }
}
