/// One target system, as an admin enabled it in `connectors/NAME.yaml`,
/// validated. Secrets are not here: connection settings that are secrets stay
/// references until a connector reads them.
public struct ConnectorDefinition: Sendable {
    /// The system's name: the file name, unless `name:` says otherwise.
    public var name: String
    /// The registered connector type (`ldap`, `ad`, `entra`, `servicenow`, `sql`, `external`).
    public var type: String
    /// Whether the system takes part in requests.
    public var enabled: Bool
    /// Connection settings by key: plain values and secret references.
    public var connection: [String: ConnectionValue]
    /// `properties.sendPasswordAttributesTogether`: on a password change, send
    /// `__PASSWORD__` and the other password attributes in one operation.
    public var sendPasswordAttributesTogether: Bool
    /// The generate policy's name, if the system has one.
    public var generatePolicy: String?
    /// The validate policies' names.
    public var validatePolicies: [String]
    /// The object class the mapping provisions (`__ACCOUNT__`).
    public var objectClass: String
    /// The mapped attributes, in file order.
    public var attributes: [AttributeMapping]
    /// The attribute schema: declared in the file, else the type's default.
    public var schema: [AttributeSchema]
    /// How transient failures are retried (`retry:`).
    public var retry: RetryPolicy
    /// How many of the system's operations may run at once, counting every
    /// worker of every process sharing the store (`maxConcurrent:`); nil: no cap.
    public var maxConcurrent: Int?
    /// Where the definition was written.
    public var location: SourceLocation

    /// Creates a definition.
    public init(
        name: String,
        type: String,
        enabled: Bool = true,
        connection: [String: ConnectionValue] = [:],
        sendPasswordAttributesTogether: Bool = false,
        generatePolicy: String? = nil,
        validatePolicies: [String] = [],
        objectClass: String = "__ACCOUNT__",
        attributes: [AttributeMapping],
        schema: [AttributeSchema] = [],
        retry: RetryPolicy = RetryPolicy(),
        maxConcurrent: Int? = nil,
        location: SourceLocation
    ) {
        self.name = name
        self.type = type
        self.enabled = enabled
        self.connection = connection
        self.sendPasswordAttributesTogether = sendPasswordAttributesTogether
        self.generatePolicy = generatePolicy
        self.validatePolicies = validatePolicies
        self.objectClass = objectClass
        self.attributes = attributes
        self.schema = schema
        self.retry = retry
        self.maxConcurrent = maxConcurrent
        self.location = location
    }

    /// The attribute that carries the account's uid.
    public var uidAttribute: AttributeMapping? { attributes.first { $0.isUID } }
    /// Every password attribute, `__PASSWORD__` first.
    public var passwordAttributes: [AttributeMapping] {
        attributes.filter(\.isPassword).sorted { lhs, _ in lhs.name == AttributeSchema.passwordName }
    }
}

/// A connection setting: plain text, or a reference to a secret that is
/// resolved only when a connector reads it.
public enum ConnectionValue: Sendable, Equatable {
    /// A plain, non-secret value.
    case plain(String)
    /// `${env:NAME}`: an environment variable.
    case environment(String)
    /// `${file:PATH}`: a file's contents (one trailing newline stripped).
    case file(String)
}

/// One mapped attribute.
public struct AttributeMapping: Sendable, Equatable {
    /// The attribute's name on the target system (or `__PASSWORD__`).
    public var name: String
    /// Where its value comes from.
    public var source: AttributeSource
    /// Whether this attribute is the account's uid.
    public var isUID: Bool
    /// Whether this is a password attribute (its value is the request's password).
    public var isPassword: Bool
    /// The transformation script's path, relative to `keyward.yaml`'s folder.
    public var transform: String?
    /// Whether the script may call `reveal()` (`allowReveal: true`); off by default.
    public var allowReveal: Bool
    /// Where the mapping was written.
    public var location: SourceLocation

    /// Creates a mapping.
    public init(
        name: String,
        source: AttributeSource = .none,
        isUID: Bool = false,
        isPassword: Bool = false,
        transform: String? = nil,
        allowReveal: Bool = false,
        location: SourceLocation
    ) {
        self.name = name
        self.source = source
        self.isUID = isUID
        self.isPassword = isPassword
        self.transform = transform
        self.allowReveal = allowReveal
        self.location = location
    }
}

/// Where a mapped attribute's value comes from.
public enum AttributeSource: Sendable, Equatable {
    /// An identity field: `username`, `givenName`, `familyName`, `email`,
    /// `managerEmail`, or `attributes.NAME`.
    case identity(String)
    /// A constant.
    case constant(String)
    /// Nothing: password attributes take the request's password instead.
    case none
}

/// What a target system's attribute is.
public struct AttributeSchema: Sendable, Equatable {
    /// The data type.
    public enum ValueType: String, Sendable, CaseIterable {
        case string, integer, boolean, binary
        /// A secret: `GuardedString`.
        case guardedString
    }

    /// The attribute's name.
    public var name: String
    /// Its data type.
    public var type: ValueType
    /// Whether it may be set on create.
    public var creatable: Bool
    /// Whether it may be changed.
    public var updatable: Bool
    /// Whether it may be read back.
    public var readable: Bool
    /// Whether it holds several values.
    public var multivalued: Bool
    /// Whether create needs it.
    public var required: Bool
    /// Whether a read returns it without asking.
    public var returnedByDefault: Bool

    /// Creates a schema entry.
    public init(
        name: String,
        type: ValueType = .string,
        creatable: Bool = true,
        updatable: Bool = true,
        readable: Bool = true,
        multivalued: Bool = false,
        required: Bool = false,
        returnedByDefault: Bool = true
    ) {
        self.name = name
        self.type = type
        self.creatable = creatable
        self.updatable = updatable
        self.readable = readable
        self.multivalued = multivalued
        self.required = required
        self.returnedByDefault = returnedByDefault
    }

    /// The main password attribute's name.
    public static let passwordName = "__PASSWORD__"

    /// `__PASSWORD__` as the seed defines it: GuardedString, able to create,
    /// edit and read.
    public static let password = AttributeSchema(
        name: passwordName, type: .guardedString, creatable: true, updatable: true, readable: true,
        returnedByDefault: false)
}
