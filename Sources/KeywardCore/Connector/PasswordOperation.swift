/// The four password operations of the seeds.
public enum PasswordOperation: String, Sendable, CaseIterable, Hashable {
    /// Set the first password of an account (one-way or two-way).
    case initialize
    /// The person changes their own password.
    case change
    /// The helpdesk resets it.
    case reset
    /// Unlock an account locked by too many failed attempts.
    case unlock
}

/// Which password operations a connector type supports: fixed by type, not
/// configurable (the matrix in the seeds and DESIGN.md).
public struct ConnectorType: Sendable, Hashable {
    /// The type's name in connector files.
    public let name: String
    /// The operations it supports; for `sql` and `external` the connector
    /// declares them itself at run time, so the type claims all four here.
    public let operations: Set<PasswordOperation>
    /// Whether a connector implementation exists yet (false: "declared" only,
    /// so its configuration validates but nothing can run against it).
    public let implemented: Bool

    /// Creates a type.
    public init(name: String, operations: Set<PasswordOperation>, implemented: Bool) {
        self.name = name
        self.operations = operations
        self.implemented = implemented
    }

    /// The built-in types and their operations.
    public static let builtIn: [ConnectorType] = [
        ConnectorType(name: "ad", operations: [.initialize, .change, .reset, .unlock], implemented: true),
        ConnectorType(name: "ldap", operations: [.initialize, .change, .reset, .unlock], implemented: true),
        ConnectorType(name: "entra", operations: [.initialize, .reset], implemented: true),
        ConnectorType(name: "servicenow", operations: [.initialize], implemented: true),
        ConnectorType(name: "sql", operations: [.initialize, .change, .reset, .unlock], implemented: true),
        ConnectorType(name: "external", operations: [.initialize, .change, .reset, .unlock], implemented: true),
    ]
}
