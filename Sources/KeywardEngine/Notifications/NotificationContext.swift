public import Foundation
public import KeywardCore

/// The facts a notification's templates can show. Nothing here is secret:
/// the password and the one-time link are given to
/// ``NotificationRenderer/render(kind:system:context:password:link:)`` as
/// `GuardedString`s.
///
/// Template names: `person.username`, `person.givenName`,
/// `person.familyName`, `person.displayName`, `person.email`,
/// `system.name`, `system.description`, `uid`, `requester`, `time`,
/// `expires`, `kind`, and `password` / `link` where allowed.
public struct NotificationContext: Sendable {
    /// The person the operation is for.
    public var person: Identity
    /// The system.
    public var system: NotificationSystem
    /// The account's uid on the system, when known.
    public var uid: String?
    /// Who asked for the operation (`helpdesk:alice`, `self-service`), when known.
    public var requester: String?
    /// When the operation was made.
    public var time: Date
    /// When the one-time link stops working (two-way initialization).
    public var expires: Date?

    /// Creates a context.
    public init(
        person: Identity, system: NotificationSystem, uid: String? = nil, requester: String? = nil, time: Date = Date(),
        expires: Date? = nil
    ) {
        self.person = person
        self.system = system
        self.uid = uid
        self.requester = requester
        self.time = time
        self.expires = expires
    }

    /// The values as Mustache sees them; `secrets` maps `password` and
    /// `link` to their placeholders. Absent values are left out, so that
    /// `{{#uid}}…{{/uid}}` sections can test them.
    func values(kind: NotificationKind, timeZone: TimeZone, secrets: [String: String]) -> [String: Any] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm zzz"
        var personValues: [String: Any] = ["username": person.username]
        personValues["givenName"] = person.givenName
        personValues["familyName"] = person.familyName
        personValues["displayName"] = RecipientRules.displayName(of: person) ?? person.username
        personValues["email"] = person.email
        var systemValues: [String: Any] = ["name": system.name]
        systemValues["description"] = system.description
        var values: [String: Any] = [
            "person": personValues, "system": systemValues, "kind": kind.rawValue, "time": formatter.string(from: time),
        ]
        values["uid"] = uid
        values["requester"] = requester
        values["expires"] = expires.map(formatter.string(from:))
        for (name, placeholder) in secrets { values[name] = placeholder }
        return values
    }
}

/// The system a notification is about.
public struct NotificationSystem: Sendable, Hashable {
    /// The system's name (the connector file's).
    public var name: String
    /// The connector file's `description`, if any.
    public var description: String?

    /// Creates a system.
    public init(name: String, description: String? = nil) {
        self.name = name
        self.description = description
    }
}
