public import KeywardCore

/// Who gets a notification: the person, their manager, or a fixed address.
public enum RecipientRule: Sendable, Hashable, CustomStringConvertible {
    /// The person the operation is for (their `email`).
    case person
    /// The person's manager (their `managerEmail`).
    case manager
    /// A fixed address, such as a helpdesk mailbox.
    case address(MailAddress)

    /// Parses `person`, `manager`, or an address (`Name <a@b>` or `a@b`).
    public init(parsing text: String) throws(MailError) {
        switch text {
        case "person": self = .person
        case "manager": self = .manager
        default:
            do throws(MailError) {
                self = .address(try MailAddress(parsing: text, what: "recipient"))
            } catch {
                throw MailError(error.kind, error.message + "; a recipient is `person`, `manager`, or a mail address")
            }
        }
    }

    public var description: String {
        switch self {
        case .person: "person"
        case .manager: "manager"
        case .address(let address): address.description
        }
    }
}

/// The recipients of every kind of notification, per system.
///
/// For a system and a kind the rules are, first found: the system's own
/// (a connector file's `notifications.recipients`), the defaults
/// (`mail.recipients` in keyward.yaml), and the person alone. An empty list
/// switches that notification off, except for one-way initialization, whose
/// mail is the only place the password goes.
public struct RecipientRules: Sendable {
    /// The rules by kind for every system.
    public var defaults: [NotificationKind: [RecipientRule]]
    /// The rules by kind of the systems that have their own.
    public var systems: [String: [NotificationKind: [RecipientRule]]]

    /// Creates rules.
    public init(
        defaults: [NotificationKind: [RecipientRule]] = [:], systems: [String: [NotificationKind: [RecipientRule]]] = [:]
    ) {
        self.defaults = defaults
        self.systems = systems
    }

    /// Parses rules as the configuration writes them: kind names (or `all`,
    /// which names every kind not named itself) to lists of `person`,
    /// `manager` and addresses.
    /// - Parameter place: where the rules are written, for messages.
    public static func parse(_ rules: [String: [String]], place: String) throws(MailError) -> [NotificationKind: [RecipientRule]] {
        var parsed: [NotificationKind: [RecipientRule]] = [:]
        let all = try rules["all"].map { list throws(MailError) in try parseList(list, place: place) }
        for (key, list) in rules where key != "all" {
            guard let kind = NotificationKind(rawValue: key) else {
                throw MailError(.configuration, "\(place): `\(key)` is not a notification kind; the kinds are all, \(NotificationKind.list)")
            }
            parsed[kind] = try parseList(list, place: place)
        }
        if let all {
            for kind in NotificationKind.allCases where parsed[kind] == nil { parsed[kind] = all }
        }
        for kind in NotificationKind.allCases where kind.carriesPassword && parsed[kind]?.isEmpty == true {
            throw MailError(
                .configuration, "\(place): \(kind.rawValue) needs a recipient: its mail is the only place the password goes")
        }
        return parsed
    }

    private static func parseList(_ list: [String], place: String) throws(MailError) -> [RecipientRule] {
        var rules: [RecipientRule] = []
        for text in list {
            do throws(MailError) {
                rules.append(try RecipientRule(parsing: text))
            } catch {
                throw MailError(error.kind, "\(place): \(error.message)")
            }
        }
        return rules
    }

    /// The rules for `kind` on `system`.
    public func rules(for kind: NotificationKind, system: String) -> [RecipientRule] {
        systems[system]?[kind] ?? defaults[kind] ?? [.person]
    }

    /// The addresses for `kind` on `system` about `person`, each once, in rule order.
    /// - Throws: ``MailError`` `missingAddress` naming the person and the
    ///   system when a rule names someone without an address.
    public func addresses(for kind: NotificationKind, system: String, person: Identity) throws(MailError) -> [MailAddress] {
        var addresses: [MailAddress] = []
        for rule in rules(for: kind, system: system) {
            let address: MailAddress
            switch rule {
            case .address(let fixed): address = fixed
            case .person:
                address = try Self.address(
                    person.email, name: Self.displayName(of: person), whose: person.username, field: "email",
                    of: person, kind: kind, system: system)
            case .manager:
                address = try Self.address(
                    person.managerEmail, name: nil, whose: "the manager of \(person.username)", field: "managerEmail",
                    of: person, kind: kind, system: system)
            }
            if !addresses.contains(where: { $0.address.lowercased() == address.address.lowercased() }) {
                addresses.append(address)
            }
        }
        return addresses
    }

    /// `Given Family`, whichever parts the person has.
    static func displayName(of person: Identity) -> String? {
        let name = [person.givenName, person.familyName].compactMap { $0?.trimmingWhitespace }.filter { !$0.isEmpty }
        return name.isEmpty ? nil : name.joined(separator: " ")
    }

    private static func address(
        _ value: String?, name: String?, whose: String, field: String, of person: Identity, kind: NotificationKind,
        system: String
    ) throws(MailError) -> MailAddress {
        guard let value = value?.trimmingWhitespace, !value.isEmpty else {
            throw MailError(
                .missingAddress,
                "\(whose) has no mail address (`\(field)`), so the \(kind.rawValue) mail about the account on \(system) "
                    + "cannot go to them; add it to the identity, or name other recipients in `notifications.recipients` "
                    + "of \(system)'s connector file or `mail.recipients` of keyward.yaml")
        }
        return try MailAddress(value, displayName: name, what: "the `\(field)` of \(person.username)")
    }
}
