public import KeywardCore

/// What a connector factory gets besides its definition.
public struct ConnectorEnvironment: Sendable {
    /// The folder relative paths in the definition are relative to
    /// (`keyward.yaml`'s folder; empty for the current folder).
    public var directory: String
    /// Reads a secret connection setting (`${env:…}`/`${file:…}`) by key;
    /// nil when the setting is absent.
    public var secret: @Sendable (String) throws -> GuardedString?

    /// Creates an environment.
    public init(directory: String, secret: @escaping @Sendable (String) throws -> GuardedString? = { _ in nil }) {
        self.directory = directory
        self.secret = secret
    }

    /// `path` made relative to ``directory`` unless it is absolute.
    public func path(_ path: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }
}

/// Connector types by name. The executable registers the built-in ones;
/// the engine looks them up by a definition's `type`.
public struct ConnectorRegistry: Sendable {
    /// Makes a connector for one configured system.
    public typealias Factory = @Sendable (ConnectorDefinition, ConnectorEnvironment) throws(ConnectorError) -> any Connector

    private var factories: [String: Factory] = [:]

    /// An empty registry.
    public init() {}

    /// Registers `factory` for connector files with `type: name`.
    public mutating func register(type name: String, factory: @escaping Factory) {
        factories[name] = factory
    }

    /// The registered type names, sorted.
    public var types: [String] { factories.keys.sorted() }

    /// A connector for `definition`.
    /// - Throws: ``ConnectorError/Kind/unsupported`` when no connector for its
    ///   type is built yet; the factory's error when the definition is wrong.
    public func connector(for definition: ConnectorDefinition, environment: ConnectorEnvironment) throws(ConnectorError) -> any Connector {
        guard let factory = factories[definition.type] else {
            throw ConnectorError(
                .unsupported,
                "system '\(definition.name)' (\(definition.location)) has type '\(definition.type)', "
                    + "which this Keyward cannot run yet (it runs: \(types.joined(separator: ", ")))")
        }
        return try factory(definition, environment)
    }
}
