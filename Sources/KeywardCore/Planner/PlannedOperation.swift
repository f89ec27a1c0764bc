/// One provisioning operation the planner decided on: what a connector will
/// send to a system for one account.
///
/// Its text, mirror and `dump` never show a secret: secret values are
/// `GuardedString`s, which render `<redacted>`.
public struct PlannedOperation: Sendable {
    /// What the operation does to the account.
    public enum Kind: String, Sendable, Hashable {
        /// Create the account with these attributes.
        case create
        /// Update these attributes of the account that has the uid.
        case update
    }

    /// What the operation does.
    public var kind: Kind
    /// The account's uid on the system.
    public var uid: String
    /// The attributes to send, in mapping order (`__PASSWORD__` first among
    /// the password attributes of an update).
    public var attributes: [PlannedAttribute]

    /// Creates an operation.
    public init(kind: Kind, uid: String, attributes: [PlannedAttribute]) {
        self.kind = kind
        self.uid = uid
        self.attributes = attributes
    }

    /// The attribute with this name, if the operation sends it.
    public subscript(attribute name: String) -> PlannedAttribute? {
        attributes.first { $0.name == name }
    }
}

/// One attribute of a planned operation.
public struct PlannedAttribute: Sendable {
    /// A value to send.
    public enum Value: Sendable {
        /// A plain, non-secret value (an identity field or a constant).
        case plain(String)
        /// A secret: a password attribute's value after its script.
        case secret(GuardedString)
    }

    /// The attribute's name on the system.
    public var name: String
    /// The value, or nil: an identity field that is not set, or a script
    /// that returned nil (no password could be generated).
    public var value: Value?
    /// Whether this is a password attribute (`__PASSWORD__` always is).
    public var isPassword: Bool
    /// The script that transformed the value, if one did.
    public var transformedBy: String?

    /// Creates an attribute.
    public init(name: String, value: Value?, isPassword: Bool, transformedBy: String? = nil) {
        self.name = name
        self.value = value
        self.isPassword = isPassword
        self.transformedBy = transformedBy
    }

    /// The plain value, if the value is plain.
    public var plainValue: String? {
        if case .plain(let text) = value { text } else { nil }
    }

    /// The secret value, if the value is a secret.
    public var secretValue: GuardedString? {
        if case .secret(let secret) = value { secret } else { nil }
    }
}

extension PlannedOperation: CustomStringConvertible {
    /// `update alice: __PASSWORD__=<redacted> [password, scripts/ldap.lua]`.
    public var description: String {
        "\(kind.rawValue) \(uid): " + attributes.map(\.description).joined(separator: ", ")
    }
}

extension PlannedAttribute: CustomStringConvertible {
    /// `name=value`, with `[password, script]` marks; secrets show `<redacted>`.
    public var description: String {
        var marks: [String] = []
        if isPassword { marks.append("password") }
        if let transformedBy { marks.append(transformedBy) }
        return "\(name)=\(value?.description ?? "nil")" + (marks.isEmpty ? "" : " [\(marks.joined(separator: ", "))]")
    }
}

extension PlannedAttribute.Value: CustomStringConvertible {
    /// The plain text quoted, or `<redacted>` for a secret.
    public var description: String {
        switch self {
        case .plain(let text): "\"\(text)\""
        case .secret: GuardedString.redacted
        }
    }
}
