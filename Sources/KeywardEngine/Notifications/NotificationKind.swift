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
    /// Confirmation of a reset by the helpdesk (no password in it).
    case reset
    /// Confirmation of a change by the person (no password in it).
    case change
    /// Confirmation of an unlock.
    case unlock

    /// Whether the mail carries the password (only one-way initialization).
    public var carriesPassword: Bool { self == .initializeOneWay }

    /// The kinds' names, for messages: `initialize-one-way, …, unlock`.
    static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
