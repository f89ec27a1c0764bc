import KeywardCore
import Yams

/// A declared schema entry with the YAML it came from.
struct DecodedSchemaEntry {
    let schema: AttributeSchema
    let value: YAMLValue
}

extension ConnectorDecoder {
    static let schemaKeys = ["name", "type", "creatable", "updatable", "readable", "multivalued", "required", "returnedByDefault"]

    /// The schema a connector has when its file declares none: `__PASSWORD__`
    /// as the seed defines it (GuardedString, create, edit, read), other
    /// password attributes as write-only GuardedStrings, and every other
    /// mapped attribute as a single-valued string. A connector that reports
    /// its schema (discovery) is checked against the mapping when it connects.
    static func defaultSchema(for attributes: [AttributeMapping]) -> [AttributeSchema] {
        attributes.map { attribute in
            if attribute.name == AttributeSchema.passwordName { return .password }
            if attribute.isPassword {
                return AttributeSchema(name: attribute.name, type: .guardedString, readable: false, returnedByDefault: false)
            }
            return AttributeSchema(name: attribute.name)
        }
    }

    /// Decodes `schema:`, a list of attribute schemas; unset flags take the
    /// defaults of ``AttributeSchema`` (for `__PASSWORD__`, the seed's).
    func decodeSchema(_ value: YAMLValue) -> [DecodedSchemaEntry]? {
        guard let elements = value.list(diagnostics, of: "attribute schemas (each `{ name: …, type: … }`)") else { return nil }
        var entries: [DecodedSchemaEntry] = []
        var seen: [String: Int] = [:]
        for element in elements {
            guard let reader = element.mapping(diagnostics, what: "an attribute schema (`{ name: …, type: … }`)", known: Self.schemaKeys),
                let nameValue = reader.required("name", diagnostics),
                let name = nameValue.string(diagnostics, what: "an attribute name")
            else { continue }
            if let line = seen[name] {
                diagnostics.error(.duplicateName, "attribute `\(name)` is declared twice in `schema` (first at line \(line)); keep one", at: element.location)
                continue
            }
            seen[name] = element.location.line
            var schema = name == AttributeSchema.passwordName ? AttributeSchema.password : AttributeSchema(name: name)
            if let typeValue = reader["type"], let type = typeValue.string(diagnostics, what: "an attribute type") {
                let known = AttributeSchema.ValueType.allCases.map(\.rawValue)
                if let valueType = AttributeSchema.ValueType(rawValue: type) {
                    schema.type = valueType
                } else {
                    diagnostics.error(
                        .invalidValue,
                        "unknown attribute type `\(type)`\(NameSuggestion.hint(for: type, among: known)); the types are \(NameSuggestion.list(known))",
                        at: typeValue.location)
                }
            }
            let flags: [(String, WritableKeyPath<AttributeSchema, Bool>)] = [
                ("creatable", \.creatable), ("updatable", \.updatable), ("readable", \.readable),
                ("multivalued", \.multivalued), ("required", \.required), ("returnedByDefault", \.returnedByDefault),
            ]
            for (key, path) in flags {
                if let flag = reader[key].flatMap({ $0.bool(diagnostics) }) {
                    schema[keyPath: path] = flag
                }
            }
            entries.append(DecodedSchemaEntry(schema: schema, value: element))
        }
        return entries
    }

    /// Checks the mapping against a declared schema.
    func checkSchema(_ entries: [DecodedSchemaEntry], against attributes: [DecodedAttribute]) {
        let names = entries.map(\.schema.name)
        for attribute in attributes {
            let mapping = attribute.mapping
            guard let entry = entries.first(where: { $0.schema.name == mapping.name }) else {
                let hint = NameSuggestion.closest(to: mapping.name, among: names).map { " (did you mean `\($0)`?)" } ?? ""
                let seed = mapping.name == AttributeSchema.passwordName
                    ? "; add `{ name: __PASSWORD__ }` to `schema` (the seed's GuardedString, create, edit, read)" : "; add it to `schema`, or fix the name"
                diagnostics.error(
                    .schemaMismatch, "attribute `\(mapping.name)` is mapped but not in the declared `schema`\(hint)\(seed)",
                    at: attribute.value.location)
                continue
            }
            let schema = entry.schema
            let at = entry.value.location
            if mapping.isPassword, schema.type != .guardedString {
                diagnostics.error(
                    .schemaMismatch,
                    "`schema` declares password attribute `\(mapping.name)` as `\(schema.type.rawValue)`; password attributes are `guardedString`",
                    at: at)
            }
            if !mapping.isPassword, schema.type == .guardedString {
                diagnostics.error(
                    .schemaMismatch,
                    "`schema` declares `\(mapping.name)` as `guardedString`, but the mapping does not flag it `password: true`",
                    at: attribute.value.location)
            }
            if mapping.isPassword, !schema.creatable || !schema.updatable {
                diagnostics.error(
                    .schemaMismatch,
                    "password attribute `\(mapping.name)` must be creatable and updatable in `schema` (passwords are set on create and on every change)",
                    at: at)
            }
            if mapping.isUID, !schema.readable {
                diagnostics.error(
                    .schemaMismatch, "uid attribute `\(mapping.name)` is not `readable` in `schema`; the uid must be read back to find the account",
                    at: at)
            }
        }
        let mapped = Set(attributes.map(\.mapping.name))
        for entry in entries where entry.schema.required && !mapped.contains(entry.schema.name) {
            diagnostics.error(
                .schemaMismatch,
                "`schema` says `\(entry.schema.name)` is required on create, but the mapping does not map it; map it, or declare it `required: false`",
                at: entry.value.location)
        }
    }
}
