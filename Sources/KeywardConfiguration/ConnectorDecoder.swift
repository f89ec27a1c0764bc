import Foundation
import KeywardCore
import Yams

/// Turns one connector file's YAML into a ``ConnectorDefinition``, reporting
/// every problem with its line and column.
struct ConnectorDecoder {
    let diagnostics: Diagnostics
    /// The names `policies:` in `keyward.yaml` defines; nil when it could
    /// not be read (then no name is reported as undefined).
    let policyNames: [String]?
    /// `keyward.yaml`'s folder: scripts are relative to it.
    let directory: String
    /// The registered connector types.
    let types: [ConnectorType]

    static let keys = [
        "type", "enabled", "name", "description", "connection", "properties", "passwordPolicy", "mapping", "schema",
        "retry", "maxConcurrent", "notifications",
    ]

    /// System names: letters, digits, `.`, `_` and `-`, starting with a letter or digit.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIIAlphanumeric else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || "._-".unicodeScalars.contains($0) }
    }

    /// Decodes `root`. The result holds the definition only when the file
    /// has no errors (all of them reported), and what could be read either way,
    /// so that the loader can still check names, scripts and policies.
    /// - Parameter defaultName: the system name from the file name.
    func decode(_ root: YAMLValue, defaultName: String) -> DecodedConnector {
        let errorsBefore = diagnostics.errorCount
        var result = DecodedConnector(name: defaultName, nameLocation: root.location)
        guard let reader = root.mapping(diagnostics, what: "a mapping (a connector definition)", known: Self.keys)
        else { return result }

        let type = decodeType(reader)
        let spec = type == nil ? ConnectionSpec(fields: [], isOpen: true) : type.flatMap { ConnectionSpec.forType($0.name) }
        if let nameValue = reader["name"] {
            result.name = decodeName(nameValue, defaultName: defaultName)
            result.nameLocation = nameValue.location
        }
        let enabled = reader["enabled"].flatMap { $0.bool(diagnostics) } ?? true
        // A note for people: only its type is checked.
        _ = reader["description"].flatMap { $0.string(diagnostics) }
        let connection = decodeConnection(reader["connection"], spec: spec, type: type, at: root)
        let together = decodeProperties(reader["properties"])
        let retry = reader["retry"].flatMap(decodeRetry) ?? RetryPolicy()
        let maxConcurrent = reader["maxConcurrent"].flatMap { $0.int(atLeast: 1, diagnostics) }
        result.notifications = decodeNotifications(reader["notifications"], description: reader["description"])
        decodePolicies(reader["passwordPolicy"], into: &result)
        let mappingValue = reader.required(
            "mapping", diagnostics, hint: " (`mapping.attributes` lists the attributes, with `__PASSWORD__`)")
        let (objectClass, attributes) = mappingValue.map(decodeMapping) ?? ("__ACCOUNT__", [])
        result.attributes = attributes.map(\.mapping)
        let declaredSchema = reader["schema"].flatMap(decodeSchema)
        if let declaredSchema {
            checkSchema(declaredSchema, against: attributes)
        }

        guard diagnostics.errorCount == errorsBefore, let type else { return result }
        result.definition = ConnectorDefinition(
            name: result.name,
            type: type.name,
            enabled: enabled,
            connection: connection,
            sendPasswordAttributesTogether: together,
            generatePolicy: result.generate?.name,
            validatePolicies: result.validate,
            objectClass: objectClass,
            attributes: result.attributes,
            schema: declaredSchema?.map(\.schema) ?? Self.defaultSchema(for: result.attributes),
            retry: retry,
            maxConcurrent: maxConcurrent,
            location: root.location)
        return result
    }

    private func decodeType(_ reader: MappingReader) -> ConnectorType? {
        let known = types.map(\.name)
        guard let value = reader.required("type", diagnostics, hint: " (one of \(NameSuggestion.list(known)))"),
            let name = value.string(diagnostics, what: "a connector type name")
        else { return nil }
        guard let type = types.first(where: { $0.name == name }) else {
            let suggestion = NameSuggestion.closest(to: name, among: known).map { "did you mean `\($0)`? " } ?? ""
            diagnostics.error(
                .unknownConnectorType,
                "connector type `\(name)` is not registered; \(suggestion)the known types are \(NameSuggestion.list(known))",
                at: value.location)
            return nil
        }
        return type
    }

    private func decodeName(_ value: YAMLValue, defaultName: String) -> String {
        guard let name = value.string(diagnostics, what: "a system name") else { return defaultName }
        guard Self.isValidName(name) else {
            diagnostics.error(
                .invalidValue,
                "`name` must be letters, digits, `.`, `_` and `-`, starting with a letter or digit (it names the system in "
                    + "URLs, logs and the store)",
                at: value.location)
            return defaultName
        }
        return name
    }

    private func decodeProperties(_ value: YAMLValue?) -> Bool {
        guard let value,
            let reader = value.mapping(diagnostics, what: "a mapping of properties", known: ["sendPasswordAttributesTogether"])
        else { return false }
        return reader["sendPasswordAttributesTogether"].flatMap { $0.bool(diagnostics) } ?? false
    }

    private func decodePolicies(_ value: YAMLValue?, into result: inout DecodedConnector) {
        guard let value,
            let reader = value.mapping(diagnostics, what: "a mapping with `generate` and `validate`", known: ["generate", "validate"])
        else { return }
        if let value = reader["generate"], let name = value.string(diagnostics, what: "a policy name"), checkPolicyName(name, at: value) {
            result.generate = (name, value.location)
        }
        if let value = reader["validate"],
            let names = value.strings(
                diagnostics, of: "policy names",
                hint: value.node.scalar != nil ? "; write a list, as in `validate: [corporate]`" : "")
        {
            result.validate = names.filter { checkPolicyName($0.0, at: $0.1) }.map(\.0)
            result.validateLocation = value.location
        }
    }

    /// Reports `name` if `policies:` does not define it.
    func checkPolicyName(_ name: String, at value: YAMLValue) -> Bool {
        guard let policyNames else { return true }
        return PolicyNames(diagnostics: diagnostics, defined: policyNames).check(name, at: value)
    }
}

/// What the loader learns from one connector file.
struct DecodedConnector {
    /// The definition; nil when the file has errors.
    var definition: ConnectorDefinition?
    /// The system name: the file's, unless `name:` says otherwise.
    var name: String
    /// Where the name comes from (`name:`, or the top of the file).
    var nameLocation: SourceLocation
    /// The attributes that could be read.
    var attributes: [AttributeMapping] = []
    /// `passwordPolicy.generate` and where it is written.
    var generate: (name: String, location: SourceLocation)?
    /// `passwordPolicy.validate` (the defined names only).
    var validate: [String] = []
    /// Where `passwordPolicy.validate` is written.
    var validateLocation: SourceLocation?
    /// `notifications:` and `description`, when the file has either.
    var notifications: ConnectorNotifications?

    init(name: String, nameLocation: SourceLocation) {
        self.name = name
        self.nameLocation = nameLocation
    }
}
