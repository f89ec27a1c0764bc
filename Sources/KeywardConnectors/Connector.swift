public import KeywardCore

/// A target system's connector: what the engine calls to provision accounts
/// and passwords. One instance per configured system, shared by every
/// worker, so implementations are safe to call concurrently.
///
/// Every failure is a ``ConnectorError`` (structured, never carrying a
/// secret), so the engine can decide to retry or to give up.
public protocol Connector: Sendable {
    /// The system's definition, as configured.
    var definition: ConnectorDefinition { get }
    /// The password operations this system supports: the fixed matrix for
    /// built-in types, declared by the connector for `sql` and `external`.
    var capabilities: Set<PasswordOperation> { get }

    /// The attribute schema the system reports.
    func schema() async throws(ConnectorError) -> [AttributeSchema]
    /// Checks that the system answers and Keyward's credentials work.
    func test() async throws(ConnectorError)
    /// Creates the account `uid` with `attributes` (its first password among them).
    func create(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions) async throws(ConnectorError)
    /// Replaces `attributes` of the account `uid`; a password attribute
    /// among them is a reset (set without the current password).
    func update(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions) async throws(ConnectorError)
    /// Deletes the account `uid`.
    func delete(uid: String) async throws(ConnectorError)
    /// Reads the account `uid`.
    func get(uid: String) async throws(ConnectorError) -> AccountSnapshot
    /// Changes the password of `uid` when `current` is the password it has
    /// now (as the `__PASSWORD__` script transformed it): the system
    /// verifies it. If `current` no longer verifies but the new password
    /// does, the change was already made (a retry after a crash) and this
    /// succeeds.
    func changePassword(uid: String, current: GuardedString, attributes: [ConnectorAttribute]) async throws(ConnectorError)
    /// Unlocks the account `uid`; unlocking an account that is not locked succeeds.
    func unlock(uid: String) async throws(ConnectorError)
    /// What an admin should hear at every start (legacy password storage,
    /// TLS verification off, …). Never a secret.
    var warnings: [String] { get }
}

extension Connector {
    /// No warnings.
    public var warnings: [String] { [] }
}

/// One attribute a connector sends. A password attribute's value has been
/// through its transformation script.
public struct ConnectorAttribute: Sendable {
    /// The attribute's name on the system (`__PASSWORD__` for the main password).
    public var name: String
    /// The value: plain, secret, or nil (unset).
    public var value: PlannedAttribute.Value?

    /// Creates an attribute.
    public init(name: String, value: PlannedAttribute.Value?) {
        self.name = name
        self.value = value
    }

    /// Whether this is the main password attribute.
    public var isMainPassword: Bool { name == AttributeSchema.passwordName }
}

/// How a password is set, where the system supports it.
public struct PasswordOptions: Sendable, Equatable {
    /// Make the person change it at next login (true), clear that (false),
    /// or leave the system's default (nil).
    public var mustChange: Bool?

    /// Creates options.
    public init(mustChange: Bool? = nil) {
        self.mustChange = mustChange
    }
}

/// An account as the system reports it. Nothing here is secret.
public struct AccountSnapshot: Sendable, Equatable {
    /// The uid.
    public var uid: String
    /// The readable, non-secret attributes.
    public var attributes: [String: String]
    /// Whether the account is locked, when the system says.
    public var locked: Bool?
    /// Whether the person must change the password at next login, when the system says.
    public var mustChange: Bool?

    /// Creates a snapshot.
    public init(uid: String, attributes: [String: String], locked: Bool? = nil, mustChange: Bool? = nil) {
        self.uid = uid
        self.attributes = attributes
        self.locked = locked
        self.mustChange = mustChange
    }
}
