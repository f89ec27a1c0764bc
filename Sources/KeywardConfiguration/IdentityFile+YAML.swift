import KeywardCore
import Yams

extension IdentityFile {
    /// The keys of one identity in YAML.
    static let yamlKeys = Field.allCases.map(\.rawValue) + ["attributes"]

    /// Reads YAML text: a list of identity mappings, or a mapping whose
    /// `identities:` holds that list.
    static func readYAML(
        _ text: String, file: String, progress: (@Sendable (Int, Int) -> Void)?
    ) throws(RowError) -> Result {
        let rows = try yamlRows(text, file: file)
        try refuseSecretKeys(in: rows, file: file)
        var collector = RowCollector(file: file, total: rows.count, progress: progress)
        for row in rows {
            let line = row.mark?.line ?? 1
            guard case .mapping(let mapping) = row else {
                collector.reject(
                    line: line, "expected a mapping with `username` and the other identity keys, got \(row.kindDescription)")
                continue
            }
            var identity = Identity(username: "")
            var problems: [String] = []
            for (keyNode, value) in mapping {
                guard case .scalar(let key) = keyNode else {
                    problems.append("a key must be plain text, not \(keyNode.kindDescription)")
                    continue
                }
                if let field = Field(rawValue: key.string) {
                    switch scalarText(of: value) {
                    case .text(let text): field.set(text, in: &identity)
                    case .absent: break
                    case .wrongKind(let kind): problems.append("`\(key.string)` must be text, got \(kind)")
                    }
                } else if key.string == "attributes" {
                    identity.attributes = attributes(value, problems: &problems)
                } else {
                    problems.append(
                        "unknown key `\(key.string)`\(NameSuggestion.hint(for: key.string, among: yamlKeys)); "
                            + "an identity has \(NameSuggestion.list(yamlKeys))")
                }
            }
            collector.add(identity, line: line, problems: problems)
        }
        return collector.finish()
    }

    /// The list of identity nodes.
    private static func yamlRows(_ text: String, file: String) throws(RowError) -> [Node] {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            let translated = YAMLSource(file: file, text: text).translate(error)
            throw RowError(file: file, line: translated.location?.line ?? 1, message: translated.message)
        } catch {
            throw RowError(file: file, line: 1, message: "invalid YAML")
        }
        let expected = "a list of identities, or `identities:` holding that list"
        guard let root, !root.isNull else {
            throw RowError(file: file, line: 1, message: "the file is empty; expected \(expected)")
        }
        switch root {
        case .sequence(let sequence):
            return Array(sequence)
        case .mapping(let mapping):
            for (key, _) in mapping where key.string != "identities" {
                throw RowError(
                    file: file, line: key.mark?.line ?? 1,
                    message: "unknown key `\(key.string ?? key.kindDescription)` at the top of the file; expected \(expected)")
            }
            guard let list = mapping["identities"], !list.isNull else { return [] }
            guard case .sequence(let sequence) = list else {
                throw RowError(
                    file: file, line: list.mark?.line ?? 1,
                    message: "`identities` must be a list of identities, got \(list.kindDescription)")
            }
            return Array(sequence)
        default:
            throw RowError(file: file, line: root.mark?.line ?? 1, message: "expected \(expected), got \(root.kindDescription)")
        }
    }

    /// Refuses the file when a key of an identity, or of its attributes,
    /// looks like a secret.
    private static func refuseSecretKeys(in rows: [Node], file: String) throws(RowError) {
        for row in rows {
            guard case .mapping(let mapping) = row else { continue }
            var keys = Array(mapping.keys)
            if case .mapping(let attributes)? = mapping["attributes"] {
                keys += attributes.keys
            }
            for key in keys {
                guard let name = key.string, looksSecret(name) else { continue }
                throw RowError(
                    file: file, line: key.mark?.line ?? 1,
                    message: "key `\(name)` looks like a secret; identity files carry no passwords — remove the key")
            }
        }
    }

    /// A free attribute map: text keys to scalar values, as written.
    private static func attributes(_ node: Node, problems: inout [String]) -> [String: String] {
        if node.isNull { return [:] }
        guard case .mapping(let mapping) = node else {
            problems.append("`attributes` must be a mapping of names to values, got \(node.kindDescription)")
            return [:]
        }
        var attributes: [String: String] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                problems.append("a key in `attributes` must be plain text, not \(keyNode.kindDescription)")
                continue
            }
            switch scalarText(of: value) {
            case .text(let text): attributes[key.string] = text
            case .absent: break
            case .wrongKind(let kind): problems.append("attribute `\(key.string)` must be text, got \(kind)")
            }
        }
        return attributes
    }

    /// What a value holds where text belongs.
    private enum ScalarText {
        /// A scalar, as written.
        case text(String)
        /// A null or an empty text: the value is left out.
        case absent
        /// Something else, described by its kind.
        case wrongKind(String)
    }

    /// A scalar as written (`2024` and `yes` are text here, not a number
    /// and a boolean).
    private static func scalarText(of node: Node) -> ScalarText {
        guard case .scalar(let scalar) = node else { return .wrongKind(node.kindDescription) }
        return node.isNull || scalar.string.isEmpty ? .absent : .text(scalar.string)
    }
}
