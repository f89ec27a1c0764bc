import KeywardCore
import Yams

extension Node {
    /// Where the node starts in `file` (line 1, column 1 when Yams gave no mark).
    func location(in file: String) -> SourceLocation {
        guard let mark else { return SourceLocation(file: file, line: 1, column: 1) }
        return SourceLocation(file: file, line: mark.line, column: mark.column)
    }

    /// The scalar, if the node is one written without quotes (only those
    /// can be booleans, numbers or null).
    var plainScalar: Scalar? {
        guard case .scalar(let scalar) = self, scalar.style == .plain else { return nil }
        return scalar
    }

    /// Whether the node is a null (`~`, `null`, or nothing after the colon).
    var isNull: Bool { plainScalar != nil && self.null != nil }

    /// What kind of value the node is, for "expected …, got …" messages.
    /// It names the kind only, never the value.
    var kindDescription: String {
        switch self {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar:
            guard plainScalar != nil else { return "a string" }
            if self.null != nil { return "nothing (null)" }
            if self.bool != nil { return "a boolean" }
            if self.int != nil || self.float != nil { return "a number" }
            return "a string"
        }
    }
}

/// A node with the file it is in and its path from the document's root
/// (`mapping.attributes[2].name`), so that every message can say where.
struct YAMLValue {
    let node: Node
    let file: String
    let path: String

    /// Where the value starts.
    var location: SourceLocation { node.location(in: file) }

    /// The value's path in backticks, for messages: `` `mapping.objectClass` ``.
    var quotedPath: String { "`\(path)`" }

    /// A value under this one's key `key`.
    func child(_ key: String, _ node: Node) -> YAMLValue {
        YAMLValue(node: node, file: file, path: path.isEmpty ? key : path + "." + key)
    }

    /// The list element at `index` (0-based).
    func element(_ index: Int, _ node: Node) -> YAMLValue {
        YAMLValue(node: node, file: file, path: path + "[\(index)]")
    }

    /// Reports "expected `what`, got …" at this value.
    func wrongType(_ what: String, _ diagnostics: Diagnostics, hint: String = "") {
        diagnostics.error(
            .wrongType, "\(quotedPath): expected \(what), got \(node.kindDescription)\(hint)", at: location)
    }

    /// The value as text: a scalar that is not null or a boolean. Numbers
    /// are taken as written (`name: 2024` is the text `2024`).
    func string(_ diagnostics: Diagnostics, what: String = "a string") -> String? {
        guard case .scalar(let scalar) = node, !node.isNull, !(node.plainScalar != nil && node.bool != nil) else {
            wrongType(what, diagnostics)
            return nil
        }
        return scalar.string
    }

    /// The value as written, whatever scalar it is (text, number or
    /// boolean), for constants; nil (reported) for null, lists and mappings.
    func scalarText(_ diagnostics: Diagnostics, what: String) -> String? {
        guard case .scalar(let scalar) = node, !node.isNull else {
            wrongType(what, diagnostics)
            return nil
        }
        return scalar.string
    }

    /// The value as `true` or `false`.
    func bool(_ diagnostics: Diagnostics) -> Bool? {
        guard node.plainScalar != nil, let value = node.bool else {
            wrongType("true or false", diagnostics)
            return nil
        }
        return value
    }

    /// The value as a whole number.
    func int(_ diagnostics: Diagnostics, what: String = "a whole number") -> Int? {
        guard node.plainScalar != nil, let value = node.int else {
            wrongType(what, diagnostics)
            return nil
        }
        return value
    }

    /// The value as a whole number of at least `minimum`.
    func int(atLeast minimum: Int, _ diagnostics: Diagnostics) -> Int? {
        guard let value = int(diagnostics) else { return nil }
        guard value >= minimum else {
            let what = minimum == 0 ? "not be negative" : "be at least \(minimum)"
            diagnostics.error(.invalidValue, "\(quotedPath) must \(what) (it is \(value))", at: location)
            return nil
        }
        return value
    }

    /// The value's elements, if it is a list.
    func list(_ diagnostics: Diagnostics, of what: String, hint: String = "") -> [YAMLValue]? {
        guard case .sequence(let sequence) = node else {
            wrongType("a list of \(what)", diagnostics, hint: hint)
            return nil
        }
        return sequence.enumerated().map { element($0.offset, $0.element) }
    }

    /// A list of strings (each reported where it is wrong).
    func strings(_ diagnostics: Diagnostics, of what: String, hint: String = "") -> [(String, YAMLValue)]? {
        guard let elements = list(diagnostics, of: what, hint: hint) else { return nil }
        return elements.compactMap { element in element.string(diagnostics, what: "a string").map { ($0, element) } }
    }

    /// The value as a mapping whose keys are checked against `known`.
    func mapping(_ diagnostics: Diagnostics, what: String, known: [String]? = nil) -> MappingReader? {
        MappingReader(self, what: what, known: known, diagnostics)
    }
}

/// A YAML mapping read key by key: reports keys it does not know (with a
/// "did you mean"), keys that are not plain text, and missing required keys.
struct MappingReader {
    /// The mapping itself.
    let value: YAMLValue
    /// The entries in file order, keyed by their text.
    let entries: [(key: String, keyNode: Node, value: YAMLValue)]

    /// Reads `value` as a mapping; reports and returns nil when it is not one.
    /// With `known`, every other key is reported as unknown.
    init?(_ value: YAMLValue, what: String, known: [String]?, _ diagnostics: Diagnostics) {
        guard case .mapping(let mapping) = value.node else {
            value.wrongType(what, diagnostics)
            return nil
        }
        self.value = value
        var entries: [(key: String, keyNode: Node, value: YAMLValue)] = []
        for (keyNode, child) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                diagnostics.error(
                    .wrongType, "\(value.quotedPath.isEmpty ? "a key" : "a key in \(value.quotedPath)") "
                        + "must be plain text, not \(keyNode.kindDescription)",
                    at: keyNode.location(in: value.file))
                continue
            }
            entries.append((scalar.string, keyNode, value.child(scalar.string, child)))
        }
        self.entries = entries
        if let known {
            reportUnknownKeys(known: known, diagnostics)
        }
    }

    /// Reports every key not in `known`.
    func reportUnknownKeys(known: [String], _ diagnostics: Diagnostics) {
        for entry in entries where !known.contains(entry.key) {
            let place = value.path.isEmpty ? "" : " in \(value.quotedPath)"
            let hint: String
            if entry.key == "<<" {
                hint = "; YAML merge keys are not supported here, write the keys out"
            } else if let close = NameSuggestion.closest(to: entry.key, among: known) {
                hint = "; did you mean `\(close)`?"
            } else {
                hint = "; the keys here are \(NameSuggestion.list(known))"
            }
            diagnostics.error(
                .unknownKey, "unknown key `\(entry.key)`\(place)\(hint)", at: entry.keyNode.location(in: value.file))
        }
    }

    /// The value under `key`, if present.
    subscript(key: String) -> YAMLValue? {
        entries.first { $0.key == key }?.value
    }

    /// Where the key `key` itself is written.
    func keyLocation(_ key: String) -> SourceLocation? {
        entries.first { $0.key == key }?.keyNode.location(in: value.file)
    }

    /// The value under `key`; reports it missing (at the mapping) when it is not there.
    func required(_ key: String, _ diagnostics: Diagnostics, hint: String = "") -> YAMLValue? {
        if let found = self[key] { return found }
        let place = value.path.isEmpty ? "" : " in \(value.quotedPath)"
        diagnostics.error(.missingField, "missing required key `\(key)`\(place)\(hint)", at: value.location)
        return nil
    }

    /// Whether the mapping has `key`.
    func has(_ key: String) -> Bool { self[key] != nil }
}
