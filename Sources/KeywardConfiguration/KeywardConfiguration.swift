public import KeywardCore
public import KeywardScripting

/// Everything `keyward.yaml` and the connector files beside it say, loaded
/// and validated by ``ConfigurationLoader``.
///
/// ```swift
/// let result = try ConfigurationLoader(path: "keyward.yaml").load()
/// guard result.errors.isEmpty else { … }
/// let ldap = result.configuration.connectors.first { $0.name == "ldap" }
/// ```
public struct KeywardConfiguration: Sendable {
    /// The format version this Keyward writes and reads.
    public static let currentVersion = 2

    /// The path of `keyward.yaml` as given.
    public var file: String
    /// The folder `keyward.yaml` is in; scripts, dictionary files and
    /// `${file:…}` references are relative to it. Empty for the current folder.
    public var directory: String
    /// The `version:` of `keyward.yaml`.
    public var version: Int
    /// Where Keyward keeps its queue and history.
    public var store: StoreSetting
    /// The master key file (`keyFile:`, default `keyward.key`), relative to
    /// ``directory``; `KEYWARD_MASTER_KEY` takes precedence.
    public var keyFile: String
    /// The folder the connector files were loaded from, as a path to open.
    public var connectorsDirectory: String
    /// The limits every transformation call runs under (`allowReveal` is per
    /// script, see ``scriptLimits(for:)``).
    public var limits: ScriptLimits
    /// The policies used when a system names none.
    public var defaultPolicies: DefaultPolicies
    /// Every policy by name.
    public var policies: [String: PasswordPolicy]
    /// The target systems, in file-name order.
    public var connectors: [ConnectorDefinition]
    /// How notification mails are sent (`mail:`); nil when not configured.
    public var mail: MailSettings?
    /// Each system's `notifications:` and `description`, by system name
    /// (systems with neither are absent).
    public var notifications: [String: ConnectorNotifications]

    /// Creates a configuration.
    public init(
        file: String,
        directory: String,
        version: Int = KeywardConfiguration.currentVersion,
        store: StoreSetting = .sqlite(path: "keyward.db"),
        keyFile: String = "keyward.key",
        connectorsDirectory: String,
        limits: ScriptLimits = ScriptLimits(),
        defaultPolicies: DefaultPolicies = DefaultPolicies(),
        policies: [String: PasswordPolicy] = [:],
        connectors: [ConnectorDefinition] = [],
        mail: MailSettings? = nil,
        notifications: [String: ConnectorNotifications] = [:]
    ) {
        self.file = file
        self.directory = directory
        self.version = version
        self.store = store
        self.keyFile = keyFile
        self.connectorsDirectory = connectorsDirectory
        self.limits = limits
        self.defaultPolicies = defaultPolicies
        self.policies = policies
        self.connectors = connectors
        self.mail = mail
        self.notifications = notifications
    }

    /// The path to open for `relative` (a script, a dictionary file), which
    /// the configuration gives relative to `keyward.yaml`'s folder.
    public func path(for relative: String) -> String {
        ConfigurationPaths.join(directory, relative)
    }

    /// The limits for one attribute's script: the configured limits, with
    /// `reveal()` allowed only if that attribute says `allowReveal: true`.
    public func scriptLimits(for attribute: AttributeMapping) -> ScriptLimits {
        var limits = self.limits
        limits.allowReveal = attribute.allowReveal
        return limits
    }

    /// The secret reference of a connection setting, if it is one.
    public func secretReference(_ key: String, of connector: ConnectorDefinition) -> SecretReference? {
        connector.connection[key].flatMap { SecretReference($0, relativeTo: directory) }
    }

    /// The generate policy for `connector`: its own, else the default, else none.
    public func generatePolicy(for connector: ConnectorDefinition) -> PasswordPolicy? {
        (connector.generatePolicy ?? defaultPolicies.generate).flatMap { policies[$0] }
    }

    /// The validate policies a password for `connector` must pass: its own
    /// and the default ones, each once, in that order.
    public func validatePolicies(for connector: ConnectorDefinition) -> [PasswordPolicy] {
        var names: [String] = []
        for name in connector.validatePolicies + defaultPolicies.validate where !names.contains(name) {
            names.append(name)
        }
        return names.compactMap { policies[$0] }
    }
}

/// Where Keyward keeps its queue and history (`store:` in `keyward.yaml`).
public enum StoreSetting: Sendable, Equatable {
    /// `sqlite:PATH`: one SQLite file, relative to `keyward.yaml`'s folder.
    case sqlite(path: String)
    /// `postgres://user@host:port/database`: PostgreSQL. The URL carries no
    /// password (a literal secret there is a configuration error).
    case postgres(url: String)
}

/// The policies used when a system names none (`defaults:` in `keyward.yaml`).
public struct DefaultPolicies: Sendable, Equatable {
    /// The default generate policy's name; nil: no password is generated
    /// for systems without their own, and `nil` goes into their scripts.
    public var generate: String?
    /// The validate policies every password change must pass, on every system.
    public var validate: [String]

    /// Creates the defaults.
    public init(generate: String? = nil, validate: [String] = []) {
        self.generate = generate
        self.validate = validate
    }
}
