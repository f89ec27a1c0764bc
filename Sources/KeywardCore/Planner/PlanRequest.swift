/// What the provisioning planner is asked to do: one password request for one
/// person, reaching one or more target systems.
public struct PlanRequest: Sendable {
    /// The kind of request.
    ///
    /// `create` makes a new account: the password travels with every other
    /// attribute in one operation. `change`, `reset` and `initialize` act on an
    /// account that exists: they are password changes in the seed's sense, so
    /// `__PASSWORD__` goes with the uid alone (see ``ProvisioningPlanner``).
    public enum Kind: String, Sendable, CaseIterable, Hashable {
        /// Create the account, with its first password.
        case create
        /// The person changes their own password.
        case change
        /// The helpdesk resets the password.
        case reset
        /// The first password of an account that exists (one-way or two-way).
        case initialize

        /// The password operation a system's type must support for this request.
        ///
        /// Creating an account sets its first password, so `create` needs
        /// `initialize`.
        public var requiredOperation: PasswordOperation {
            switch self {
            case .create, .initialize: .initialize
            case .change: .change
            case .reset: .reset
            }
        }
    }

    /// Where the request's one password comes from.
    public enum Password: Sendable {
        /// The password a person chose (or typed for someone else).
        case chosen(GuardedString)
        /// Generate one: the generate policy of the first reached system that
        /// names one, else the default generate policy, else none (then every
        /// script receives `nil`).
        case generate
    }

    /// The kind of request.
    public var kind: Kind
    /// The person whose accounts the request concerns.
    public var identity: Identity
    /// The target systems, in the order their plans are made.
    public var systems: [ConnectorDefinition]
    /// The chosen password, or `generate`.
    public var password: Password
    /// The account uid per system name, where it is known (an account that
    /// exists). A system without one takes the value of its uid attribute.
    public var uids: [String: String]

    /// Creates a request.
    public init(
        kind: Kind,
        identity: Identity,
        systems: [ConnectorDefinition],
        password: Password,
        uids: [String: String] = [:]
    ) {
        self.kind = kind
        self.identity = identity
        self.systems = systems
        self.password = password
        self.uids = uids
    }
}

extension PlanRequest.Password: CustomStringConvertible {
    /// `chosen(<redacted>)` or `generate`.
    public var description: String {
        switch self {
        case .chosen: "chosen(\(GuardedString.redacted))"
        case .generate: "generate"
        }
    }
}
