/// What an API token may do: one scope per password operation, and the
/// reads. `keyward token create --scope reset --scope unlock`.
public enum APIScope: String, Sendable, CaseIterable, Codable, Hashable {
    case initialize
    case change
    case reset
    case unlock
    /// Read the queue (operations and their states).
    case queueRead = "queue:read"
    /// Read the audit log.
    case auditRead = "audit:read"
    /// Sign in to the helpdesk page with this token.
    case helpdesk
}

/// The API client a bearer token named.
public struct APIClient: Sendable, Equatable {
    /// The token's name (`ci-bot`), in the audit log as `api:NAME`.
    public var name: String
    /// What it may do.
    public var scopes: Set<APIScope>

    /// Creates a client.
    public init(name: String, scopes: Set<APIScope>) {
        self.name = name
        self.scopes = scopes
    }
}
