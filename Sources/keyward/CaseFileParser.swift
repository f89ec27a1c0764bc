import KeywardCore
import KeywardScripting
import Yams

/// Turns the YAML tree of a case file into ``ScriptCase`` values, refusing
/// anything but the documented format with an error that names the file,
/// line and column.
struct CaseFileParser {
    let path: String

    func parse(_ root: Node?) throws(CommandError) -> CaseFile {
        guard let root, case .mapping(let mapping) = root else {
            throw failure(at: root, "expected a mapping with the key 'cases' (a list of cases)")
        }
        var casesNode: Node?
        for (key, value) in mapping {
            let name = try keyName(key)
            guard name == "cases" else {
                throw failure(at: key, "unknown top-level key '\(name)' (the only one is 'cases')")
            }
            casesNode = value
        }
        guard let casesNode else {
            throw failure(at: root, "missing the key 'cases' (a list of cases)")
        }
        guard case .sequence(let sequence) = casesNode else {
            throw failure(at: casesNode, "'cases' must be a list of cases, found \(kind(of: casesNode))")
        }
        var cases: [ScriptCase] = []
        var names = Set<String>()
        for item in sequence {
            let scriptCase = try parseCase(item)
            guard names.insert(scriptCase.name).inserted else {
                throw failure(at: item, "a second case named '\(scriptCase.name)' (case names must be unique)")
            }
            cases.append(scriptCase)
        }
        return CaseFile(path: path, cases: cases)
    }

    private func parseCase(_ node: Node) throws(CommandError) -> ScriptCase {
        guard case .mapping(let mapping) = node else {
            throw failure(at: node, "a case must be a mapping (name, input, expect…), found \(kind(of: node))")
        }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            let name = try keyName(key)
            guard CaseFile.caseKeys.contains(name) else {
                throw failure(
                    at: key,
                    "unknown key '\(name)' in a case (use \(CaseFile.caseKeys.joined(separator: ", ")))")
            }
            fields[name] = value
        }
        guard let nameNode = fields["name"] else {
            throw failure(at: node, "a case needs a 'name'")
        }
        guard let name = try text(nameNode, key: "name"), !name.isEmpty else {
            throw failure(at: nameNode, "'name' must be a non-empty string")
        }
        guard let inputNode = fields["input"] else {
            throw failure(at: node, "case '\(name)' needs an 'input' (a string, or null for a nil attributeValue)")
        }
        let input = try text(inputNode, key: "input").map(GuardedString.init)
        var context = ScriptContext()
        if let contextNode = fields["context"] {
            context = try parseContext(contextNode)
        }
        let expectation = try parseExpectation(fields, caseNode: node, name: name)
        return ScriptCase(name: name, input: input, context: context, expectation: expectation)
    }

    private func parseExpectation(
        _ fields: [String: Node],
        caseNode: Node,
        name: String
    ) throws(CommandError) -> ScriptCase.Expectation {
        let shapeNodes = [fields["expectLength"], fields["expectPrefix"]].compactMap { $0 }
        if let errorNode = fields["expectError"] {
            if let other = fields["expect"] ?? shapeNodes.first {
                throw failure(at: other, "case '\(name)' gives both 'expectError' and a value to expect; keep one")
            }
            guard let code = try text(errorNode, key: "expectError"),
                CaseFile.errorCodes.contains(code), let parsed = ScriptError.Code(name: code)
            else {
                throw failure(
                    at: errorNode,
                    "'expectError' must be one of \(CaseFile.errorCodes.joined(separator: ", "))"
                        + (errorNode.scalar.map { ", not '\($0.string)'" } ?? ""))
            }
            return .error(parsed)
        }
        if let expectNode = fields["expect"] {
            if let other = shapeNodes.first {
                throw failure(at: other, "case '\(name)' gives both 'expect' and 'expectLength'/'expectPrefix'; keep one")
            }
            return .value(try text(expectNode, key: "expect").map(GuardedString.init))
        }
        if shapeNodes.isEmpty {
            throw failure(
                at: caseNode, "case '\(name)' expects nothing: add 'expect', 'expectError', 'expectLength' or 'expectPrefix'")
        }
        var length: Int?
        if let lengthNode = fields["expectLength"] {
            guard let scalar = lengthNode.scalar, scalar.style == .plain, let value = Int(scalar.string), value >= 0 else {
                throw failure(at: lengthNode, "'expectLength' must be a whole number of bytes, 0 or more")
            }
            length = value
        }
        var prefix: GuardedString?
        if let prefixNode = fields["expectPrefix"] {
            guard let value = try text(prefixNode, key: "expectPrefix") else {
                throw failure(at: prefixNode, "'expectPrefix' must be a string, not null")
            }
            prefix = GuardedString(value)
        }
        return .shape(length: length, prefix: prefix)
    }

    private func parseContext(_ node: Node) throws(CommandError) -> ScriptContext {
        guard case .mapping(let mapping) = node else {
            throw failure(at: node, "'context' must be a mapping of facts, as in { operation: reset, uid: jdoe }")
        }
        var pairs: [(key: String, value: String)] = []
        for (key, value) in mapping {
            let name = try keyName(key)
            guard let text = try text(value, key: "context.\(name)") else {
                throw failure(at: value, "'context.\(name)' must be a string, not null (leave the key out instead)")
            }
            pairs.append((name, text))
        }
        do throws(ContextError) {
            return try ScriptContext(pairs: pairs)
        } catch {
            throw failure(at: node, "'context': \(error.message)")
        }
    }

    /// A scalar's text, or nil for a plain `null`, `~` or nothing; a list or
    /// mapping is an error.
    private func text(_ node: Node, key: String) throws(CommandError) -> String? {
        guard let scalar = node.scalar else {
            throw failure(at: node, "'\(key)' must be a string or null, found \(kind(of: node))")
        }
        if scalar.style == .plain, ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return nil }
        return scalar.string
    }

    private func keyName(_ node: Node) throws(CommandError) -> String {
        guard let scalar = node.scalar else {
            throw failure(at: node, "a key must be a plain name, found \(kind(of: node))")
        }
        return scalar.string
    }

    private func kind(of node: Node) -> String {
        switch node {
        case .scalar: "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    private func failure(at node: Node?, _ message: String) -> CommandError {
        let place = node?.mark.map { "\(path):\($0.line):\($0.column)" } ?? "\(path):1"
        return CommandError("\(place): \(message)")
    }
}
