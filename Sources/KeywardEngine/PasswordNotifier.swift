public import Foundation
public import KeywardCore

/// What a person is told after a password operation: the instructions mail
/// of a one-way initialization (with the password), the link of a two-way
/// one, or the confirmation of a reset, change or unlock.
public struct PasswordNotice: Sendable {
    /// Which mail.
    public var kind: NotificationKind
    /// The person.
    public var username: String
    /// The system the operation was on.
    public var system: String
    /// Who asked (`api:ci-bot`, `helpdesk:alice`, `self:ada`).
    public var requester: String
    /// The request whose operations the mail waits for (empty for a link).
    public var requestID: String
    /// The operations that must have executed before the mail is sent (a
    /// one-way password is only mailed once it works); empty: send at once.
    public var waitsFor: [Int64]
    /// The one-way password (never logged, sealed while it waits).
    public var password: GuardedString?
    /// The two-way link (a credential too).
    public var link: GuardedString?
    /// When the link stops working.
    public var expiresAt: Date?

    /// Creates a notice.
    public init(
        kind: NotificationKind, username: String, system: String, requester: String, requestID: String = "",
        waitsFor: [Int64] = [], password: GuardedString? = nil, link: GuardedString? = nil, expiresAt: Date? = nil
    ) {
        self.kind = kind
        self.username = username
        self.system = system
        self.requester = requester
        self.requestID = requestID
        self.waitsFor = waitsFor
        self.password = password
        self.link = link
        self.expiresAt = expiresAt
    }
}

/// Where ``PasswordDesk`` hands its notices: the outbox, which renders the
/// mail, keeps it sealed until it is delivered, and deletes it then.
public protocol PasswordNotifier: Sendable {
    /// Checks, before anything is queued, that the mail can be addressed
    /// (a one-way password with nowhere to go must not be provisioned).
    func check(kind: NotificationKind, username: String, system: String) async throws(ServiceError)
    /// Renders and stores the mail for delivery.
    func notify(_ notice: PasswordNotice) async throws(ServiceError)
}
