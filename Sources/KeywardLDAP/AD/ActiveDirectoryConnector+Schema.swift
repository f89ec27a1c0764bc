public import KeywardConnectors
public import KeywardCore

extension ActiveDirectoryConnector {
    /// The schema of the mapped attributes, `__PASSWORD__` and
    /// `sAMAccountName`: each attribute's syntax and whether it is
    /// single-valued, read from the directory's subschema entry; an
    /// attribute the subschema does not list (or a subschema that cannot be
    /// read) is described from a fixed table of AD user attributes, else
    /// as a single-valued string.
    public func schema() async throws(ConnectorError) -> [AttributeSchema] {
        var names = ["sAMAccountName"]
        for attribute in definition.attributes where attribute.name != AttributeSchema.passwordName {
            if !names.contains(where: { $0.lowercased() == attribute.name.lowercased() }) {
                names.append(attribute.name)
            }
        }
        let declared = (try? await attributeTypes(named: names)) ?? [:]
        var schema: [AttributeSchema] = [.password]
        for name in names {
            let known = Self.userAttributes[name.lowercased()]
            var entry =
                declared[name.lowercased()].map {
                    AttributeSchema(name: name, type: $0.type, multivalued: $0.multivalued)
                }
                ?? AttributeSchema(name: name, type: known?.type ?? .string)
            if let known {
                entry.updatable = known.updatable
                entry.required = known.required
            }
            schema.append(entry)
        }
        return schema
    }

    /// The declarations of `names` in the subschema entry, by lowercased name.
    private func attributeTypes(
        named names: [String]
    ) async throws(ConnectorError) -> [String: AttributeTypeDeclaration] {
        let action = "read the schema"
        let root = try await read("", attributes: ["subschemaSubentry"], action: action)
        guard let subschema = root.first("subschemaSubentry") else { return [:] }
        let entry = try await read(subschema, attributes: ["attributeTypes"], action: action)
        let wanted = Set(names.map { $0.lowercased() })
        var declarations: [String: AttributeTypeDeclaration] = [:]
        for (key, values) in entry.attributes where key.lowercased() == "attributetypes" {
            for text in values {
                guard let declaration = AttributeTypeDeclaration(text), wanted.contains(declaration.name.lowercased())
                else { continue }
                declarations[declaration.name.lowercased()] = declaration
            }
        }
        return declarations
    }

    /// What Keyward knows of common AD user attributes without asking.
    private static let userAttributes: [String: (type: AttributeSchema.ValueType, updatable: Bool, required: Bool)] = [
        "samaccountname": (.string, false, true),
        "cn": (.string, false, false),
        "userprincipalname": (.string, true, false),
        "useraccountcontrol": (.integer, true, false),
        "pwdlastset": (.integer, true, false),
        "lockouttime": (.integer, true, false),
        "accountexpires": (.integer, true, false),
        "objectsid": (.binary, false, false),
        "objectguid": (.binary, false, false),
        "thumbnailphoto": (.binary, true, false),
    ]
}

/// One `attributeTypes` value of a subschema entry (RFC 4512), as far as
/// a connector's schema needs it.
struct AttributeTypeDeclaration: Equatable {
    /// The first name.
    var name: String
    /// The Keyward type of its syntax.
    var type: AttributeSchema.ValueType
    /// Whether it lacks `SINGLE-VALUE`.
    var multivalued: Bool
}

extension AttributeTypeDeclaration {
    /// Parses `( 1.2.840.113556.1.4.221 NAME 'sAMAccountName' SYNTAX '1.3.6.1.4.1.1466.115.121.1.15' SINGLE-VALUE )`.
    init?(_ text: String) {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == ")" }).map {
            $0.trimmingCharacters(in: "'")
        }
        guard let nameIndex = words.firstIndex(of: "NAME"), nameIndex + 1 < words.count else { return nil }
        name = words[nameIndex + 1]
        let syntax = words.firstIndex(of: "SYNTAX").flatMap { $0 + 1 < words.count ? words[$0 + 1] : nil }
        // An OID may carry a length bound: 1.3.6.1.4.1.1466.115.121.1.15{64}.
        switch syntax.map({ String($0.prefix { $0 != "{" }) }) {
        case "1.3.6.1.4.1.1466.115.121.1.27", "1.2.840.113556.1.4.906": type = .integer
        case "1.3.6.1.4.1.1466.115.121.1.7": type = .boolean
        case "1.3.6.1.4.1.1466.115.121.1.40", "1.3.6.1.4.1.1466.115.121.1.5": type = .binary
        default: type = .string
        }
        multivalued = !words.contains("SINGLE-VALUE")
    }
}

extension Substring {
    /// Without leading and trailing `character`s.
    fileprivate func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
