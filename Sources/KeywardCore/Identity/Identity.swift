/// A person whose accounts Keyward manages. Nothing here is secret.
public struct Identity: Sendable, Equatable {
    /// The person's login name in Keyward.
    public var username: String
    /// Given name.
    public var givenName: String?
    /// Family name.
    public var familyName: String?
    /// Email address (notifications go here by default).
    public var email: String?
    /// The manager's email address.
    public var managerEmail: String?
    /// Free attributes (department, employee number, …).
    public var attributes: [String: String]

    /// Creates an identity.
    public init(
        username: String,
        givenName: String? = nil,
        familyName: String? = nil,
        email: String? = nil,
        managerEmail: String? = nil,
        attributes: [String: String] = [:]
    ) {
        self.username = username
        self.givenName = givenName
        self.familyName = familyName
        self.email = email
        self.managerEmail = managerEmail
        self.attributes = attributes
    }
}
