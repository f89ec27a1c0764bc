/// The non-password attribute values of one account, taken from the identity
/// and the mapping's constants, and its uid.
package struct AccountAttributes {
    /// The value of each non-password mapped attribute, by name; nil when
    /// its identity field is not set or it has no source.
    package let values: [String: String?]
    /// The account's uid, when known.
    package let uid: String?

    package init(system: ConnectorDefinition, identity: Identity, knownUID: String?) {
        var values: [String: String?] = [:]
        for mapping in system.attributes where !mapping.isPassword {
            values[mapping.name] = Self.value(of: mapping.source, in: identity)
        }
        self.values = values
        self.uid = knownUID ?? system.uidAttribute.flatMap { values[$0.name] ?? nil }
    }

    /// The values that are set, for a script's `context`.
    package var known: [String: String] { values.compactMapValues { $0 } }

    /// The value `source` gives for `identity`: an identity field
    /// (`username`, `givenName`, `familyName`, `email`, `managerEmail`,
    /// `attributes.NAME`), a constant, or nil.
    static func value(of source: AttributeSource, in identity: Identity) -> String? {
        switch source {
        case .constant(let value): value
        case .none: nil
        case .identity(let field):
            switch field {
            case "username": identity.username
            case "givenName": identity.givenName
            case "familyName": identity.familyName
            case "email": identity.email
            case "managerEmail": identity.managerEmail
            default:
                field.hasPrefix(attributesPrefix)
                    ? identity.attributes[String(field.dropFirst(attributesPrefix.count))] : nil
            }
        }
    }

    private static let attributesPrefix = "attributes."
}
