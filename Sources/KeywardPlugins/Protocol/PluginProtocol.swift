public import KeywardCore

/// The JSON-lines protocol Keyward speaks with `type: external` plugins
/// (docs/plugin-protocol.md): its version, its limits and its names.
public enum PluginProtocol {
    /// The protocol version this Keyward speaks.
    public static let version = 1
    /// The longest line a plugin may write (without its newline): 1 MiB.
    /// A longer one is a protocol error, found after reading at most this
    /// much plus one read's worth.
    public static let maximumLineBytes = 1 << 20
    /// How long a plugin may take to start or to answer, unless configured.
    public static let defaultTimeout = Duration.seconds(30)
    /// How many plugin processes a system may run at once, unless configured.
    public static let defaultPoolSize = 2
    /// The attribute that carries the current password in a `changePassword` request.
    public static let currentPasswordName = "__CURRENT_PASSWORD__"

    /// The operation a password capability needs the plugin to declare.
    public static func operation(for capability: PasswordOperation) -> PluginOperation {
        switch capability {
        case .initialize: .create
        case .change: .changePassword
        case .reset: .setPassword
        case .unlock: .unlock
        }
    }
}

/// A request's operation name (`op`).
public struct PluginOperation: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The name on the wire.
    public let rawValue: String

    /// An operation by its wire name (any name: the conformance suite also
    /// sends one no plugin knows).
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The attribute schema.
    public static let schema = PluginOperation(rawValue: "schema")
    /// A check that the system answers and the plugin's credentials work.
    public static let test = PluginOperation(rawValue: "test")
    /// Create an account, its first password among its attributes.
    public static let create = PluginOperation(rawValue: "create")
    /// Replace plain attributes of an account.
    public static let update = PluginOperation(rawValue: "update")
    /// Delete an account.
    public static let delete = PluginOperation(rawValue: "delete")
    /// Read an account.
    public static let get = PluginOperation(rawValue: "get")
    /// Reset: set password attributes without the current password.
    public static let setPassword = PluginOperation(rawValue: "setPassword")
    /// Change: the plugin checks `__CURRENT_PASSWORD__`, then sets the new one.
    public static let changePassword = PluginOperation(rawValue: "changePassword")
    /// Unlock an account.
    public static let unlock = PluginOperation(rawValue: "unlock")

    /// Every operation of protocol version 1, in the documentation's order.
    public static let all: [PluginOperation] = [
        .schema, .test, .create, .update, .delete, .get, .setPassword, .changePassword, .unlock,
    ]

    public var description: String { rawValue }
}
