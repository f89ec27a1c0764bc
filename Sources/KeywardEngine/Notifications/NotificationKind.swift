/// The mails Keyward sends about a password operation.
///
/// Each kind has its own three templates (`KIND.subject.mustache`,
/// `KIND.text.mustache`, `KIND.html.mustache`) and its own recipients.
public enum NotificationKind: String, Sendable, CaseIterable, Hashable {
    /// One-way initialization: the mail carries the password Keyward set.
    case initializeOneWay = "initialize-one-way"
    /// Two-way initialization: the mail carries a single-use link to the
    /// page where the recipient sets the password.
    case initializeTwoWay = "initialize-two-way"
    /// A reset by the helpdesk with a generated password: the mail carries
    /// it, since nobody else is shown it.
    case resetOneWay = "reset-one-way"
    /// Confirmation of a reset by the helpdesk with a password it typed (no
    /// password in it).
    case reset
    /// Confirmation of a change by the person (no password in it).
    case change
    /// Confirmation of an unlock.
    case unlock

    /// Whether the mail carries the password (one-way initialization and a
    /// generated reset).
    public var carriesPassword: Bool { self == .initializeOneWay || self == .resetOneWay }

    /// The kinds' names, for messages: `initialize-one-way, …, unlock`.
    static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
