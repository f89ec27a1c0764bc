public import KeywardConnectors
public import KeywardCore

extension LDAPDirectoryConnector {
    /// The mapped attributes as the directory's subschema describes them
    /// (best effort): the type from the syntax, single- or multi-valued,
    /// required when a MUST of the mapped object classes (or
    /// `inetOrgPerson`) names it, not updatable when the server forbids
    /// user modification. The uid attribute is required and not updatable
    /// (it names the entry); `__PASSWORD__` and other password attributes
    /// are secrets that are never read back. An attribute the subschema
    /// does not know is listed as a string.
    public func schema() async throws(ConnectorError) -> [AttributeSchema] {
        let root = try await call { () throws(LDAPResultError) in
            try await session.search(
                base: "", scope: .base, filter: "(objectClass=*)", attributes: ["subschemaSubentry"])
        }
        let subschemaDN = root.first?.first("subschemaSubentry") ?? "cn=Subschema"
        let entries = try await call { () throws(LDAPResultError) in
            try await session.search(
                base: subschemaDN, scope: .base, filter: "(objectClass=subschema)",
                attributes: ["attributeTypes", "objectClasses"])
        }
        func values(_ name: String) -> [String] {
            entries.first?.attributes.first { $0.key.lowercased() == name.lowercased() }?.value ?? []
        }
        let subschema = LDAPSubschema(attributeTypes: values("attributeTypes"), objectClasses: values("objectClasses"))
        let required = subschema.required(by: mappedObjectClasses)
        let uidName = settings.uidAttribute.lowercased()

        var schema: [AttributeSchema] = []
        var listed: Set<String> = []
        for mapping in definition.attributes where listed.insert(mapping.name.lowercased()).inserted {
            let name = mapping.name.lowercased()
            if mapping.name == AttributeSchema.passwordName {
                schema.append(.password)
                continue
            }
            let type = subschema.attributeTypes[name]
            if mapping.isPassword {
                schema.append(
                    AttributeSchema(
                        name: mapping.name, type: .guardedString, readable: false,
                        multivalued: type.map { !$0.isSingleValued } ?? false, returnedByDefault: false))
                continue
            }
            schema.append(
                AttributeSchema(
                    name: mapping.name,
                    type: subschema.valueType(of: name) ?? .string,
                    updatable: name != uidName && (type?.isUserModifiable ?? true),
                    multivalued: name == "objectclass" || (type.map { !$0.isSingleValued } ?? false),
                    required: name == uidName || required.contains(name)))
        }
        return schema
    }

    /// The object classes a new entry gets: the mapped `objectClass`
    /// constant's classes, else `inetOrgPerson`.
    var mappedObjectClasses: [String] {
        for mapping in definition.attributes where mapping.name.lowercased() == "objectclass" {
            if case .constant(let text) = mapping.source {
                let classes = Self.values(of: ConnectorAttribute(name: mapping.name, value: .plain(text)))
                return classes.compactMap { if case .text(let name) = $0 { name } else { nil } }
            }
        }
        return ["inetOrgPerson"]
    }
}
