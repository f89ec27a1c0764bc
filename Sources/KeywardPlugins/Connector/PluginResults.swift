import KeywardConnectors
import KeywardCore

/// Reads the results of `schema` and `get`.
enum PluginResults {
    /// `{"attributes":[{"name":…,"type":…,"required":…,…}]}`.
    static func schema(_ value: JSONValue, subject: String) throws(ConnectorError) -> [AttributeSchema] {
        guard case .array(let entries)? = value["attributes"] else {
            throw malformed(subject, "schema", "has no `attributes` list")
        }
        var schema: [AttributeSchema] = []
        for entry in entries {
            guard let name = entry["name"]?.string, !name.isEmpty else {
                throw malformed(subject, "schema", "has an attribute without a `name`")
            }
            let typeName = entry["type"]?.string ?? AttributeSchema.ValueType.string.rawValue
            guard let type = AttributeSchema.ValueType(rawValue: typeName) else {
                throw malformed(
                    subject, "schema",
                    "gives attribute '\(name)' the type '\(PluginErrorReport.clean(String(typeName.prefix(40))))' "
                        + "(the types are \(AttributeSchema.ValueType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let defaults = AttributeSchema(name: name, type: type)
            func flag(_ key: String, _ fallback: Bool) -> Bool { entry[key]?.bool ?? fallback }
            schema.append(
                AttributeSchema(
                    name: name, type: type, creatable: flag("creatable", defaults.creatable),
                    updatable: flag("updatable", defaults.updatable), readable: flag("readable", defaults.readable),
                    multivalued: flag("multivalued", defaults.multivalued), required: flag("required", defaults.required),
                    returnedByDefault: flag("returnedByDefault", defaults.returnedByDefault)))
        }
        return schema
    }

    /// `{"uid":…,"attributes":{"mail":"…"},"locked":false,"mustChange":false}`;
    /// the attributes named in `hiding` are dropped.
    static func account(_ value: JSONValue, uid: String, hiding: Set<String>, subject: String) throws(ConnectorError) -> AccountSnapshot {
        var attributes: [String: String] = [:]
        switch value["attributes"] {
        case nil, .null?:
            break
        case .object(let members)?:
            for (name, member) in members where !hiding.contains(name) {
                if member == .null { continue }
                guard let text = member.scalarText else {
                    throw malformed(subject, "get", "gives attribute '\(name)' a list or an object; values are strings, numbers or booleans")
                }
                attributes[name] = text
            }
        default:
            throw malformed(subject, "get", "has `attributes` that are not an object")
        }
        return AccountSnapshot(
            uid: value["uid"]?.string ?? uid, attributes: attributes, locked: value["locked"]?.bool,
            mustChange: value["mustChange"]?.bool)
    }

    private static func malformed(_ subject: String, _ operation: String, _ problem: String) -> ConnectorError {
        ConnectorError(.protocolError, "\(subject): the plugin's answer to \(operation) \(problem)")
    }
}
