import KeywardConnectors
import KeywardCore

/// How mapped attributes become Graph user properties, and back.
///
/// Attribute names are Graph's property names (`givenName`, `surname`,
/// `department`, `usageLocation`, …) and go as strings, except the
/// booleans in ``booleans``. `__PASSWORD__` becomes
/// `passwordProfile.password`. On create, the properties Graph requires are
/// filled in when the mapping leaves them out: `userPrincipalName` (the
/// uid), `displayName` (`givenName surname`, else the uid), `mailNickname`
/// (the UPN's part before `@`, cut to what Graph takes) and `accountEnabled` (true).
enum EntraUserFields {
    /// The properties that take `true` or `false`.
    static let booleans: Set<String> = ["accountEnabled", "showInAddressList"]

    /// What ``EntraConnector/get(uid:)`` always reads.
    static let standard = ["id", "userPrincipalName", "displayName", "mailNickname", "accountEnabled"]

    /// The schema ``EntraConnector/schema()`` reports.
    static let schema: [AttributeSchema] = [
        AttributeSchema(name: "userPrincipalName", required: true),
        AttributeSchema(name: "id", creatable: false, updatable: false),
        AttributeSchema(name: "displayName", required: true),
        AttributeSchema(name: "mailNickname", required: true),
        AttributeSchema(name: "accountEnabled", type: .boolean),
        AttributeSchema(name: "givenName"), AttributeSchema(name: "surname"), AttributeSchema(name: "mail"),
        AttributeSchema(name: "jobTitle"), AttributeSchema(name: "department"),
        AttributeSchema(name: "employeeId"), AttributeSchema(name: "usageLocation"),
        AttributeSchema.password,
    ]

    /// The members of a create (`forCreate`) or update body, without the password.
    /// - Throws: ``ConnectorError/Kind/configuration`` for a boolean property
    ///   whose value is not `true` or `false`.
    static func members(
        uid: String, attributes: [ConnectorAttribute], forCreate: Bool
    ) throws(ConnectorError) -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = []
        var plain: [String: String] = [:]
        for attribute in attributes where !attribute.isMainPassword {
            switch attribute.value {
            case .plain(let text):
                plain[attribute.name] = text
                if !forCreate && attribute.name == "userPrincipalName" && text == uid { continue }
                members.append((attribute.name, try value(text, of: attribute.name)))
            case nil where !forCreate:
                members.append((attribute.name, .null))
            case nil, .secret:
                continue
            }
        }
        guard forCreate else { return members }
        var required: [(String, JSONValue)] = []
        if plain["accountEnabled"] == nil { required.append(("accountEnabled", .bool(true))) }
        if plain["displayName"] == nil { required.append(("displayName", .string(displayName(uid: uid, plain)))) }
        if plain["mailNickname"] == nil { required.append(("mailNickname", .string(mailNickname(of: uid)))) }
        if plain["userPrincipalName"] == nil { required.append(("userPrincipalName", .string(uid))) }
        return required + members
    }

    /// `{"password": …, "forceChangePasswordNextSignIn": …}`.
    static func passwordProfile(_ password: GuardedString, forceChange: Bool) -> (String, JSONValue) {
        ("passwordProfile", .object([("password", .secret(password)), ("forceChangePasswordNextSignIn", .bool(forceChange))]))
    }

    private static func value(_ text: String, of name: String) throws(ConnectorError) -> JSONValue {
        guard booleans.contains(name) else { return .string(text) }
        switch text.lowercased() {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default:
            throw ConnectorError(.configuration, "attribute '\(name)' takes true or false, not '\(text)'")
        }
    }

    /// `givenName surname` when both are mapped, else the uid.
    static func displayName(uid: String, _ plain: [String: String]) -> String {
        let parts = [plain["givenName"], plain["surname"]].compactMap { $0 }.filter { !$0.isEmpty }
        return parts.isEmpty ? uid : parts.joined(separator: " ")
    }

    /// The UPN's local part in the characters Graph takes for `mailNickname`
    /// (ASCII letters, digits, `.`, `-`, `_`), at most 64; `user` if none is left.
    static func mailNickname(of uid: String) -> String {
        let local = uid.split(separator: "@", maxSplits: 1).first.map(String.init) ?? uid
        let kept = local.unicodeScalars.filter { $0.isASCIIAlphanumeric(or: ".-_") }
        let nickname = String(String.UnicodeScalarView(kept.prefix(64)))
        return nickname.isEmpty ? "user" : nickname
    }
}
