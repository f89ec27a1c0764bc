import KeywardScripting

extension ScriptContext {
    /// The context keys with fields of their own; any other key is an account
    /// attribute.
    static let fixedKeyNames = ["system", "attribute", "operation", "uid"]

    /// A context from `key=value` facts, as `--context` and case files give
    /// them: `system`, `attribute`, `operation` and `uid` fill the fixed
    /// fields, any other key becomes an account attribute. A later pair wins
    /// over an earlier one with the same key.
    ///
    /// - Throws: the reason, when `operation` is not one of the four
    ///   operations or a key is empty.
    init(pairs: [(key: String, value: String)]) throws(ContextError) {
        var system: String?
        var attribute: String?
        var operation: Operation?
        var uid: String?
        var attributes: [String: String] = [:]
        for (key, value) in pairs {
            switch key {
            case "": throw ContextError(message: "a context key must not be empty")
            case "system": system = value
            case "attribute": attribute = value
            case "uid": uid = value
            case "operation":
                guard let named = Operation(rawValue: value) else {
                    let names = Operation.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ContextError(message: "unknown operation '\(value)' (use \(names))")
                }
                operation = named
            default: attributes[key] = value
            }
        }
        // One call of the public initialiser, never assignments after it: the
        // engine caches the context's C encoding, and property observers do
        // not run inside an initialiser, so later assignments here would be
        // lost (reported on issue 2).
        self.init(system: system, attribute: attribute, operation: operation, uid: uid, attributes: attributes)
    }

    /// A context from `--context key=value` arguments.
    init(arguments: [String]) throws(ContextError) {
        var pairs: [(key: String, value: String)] = []
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                throw ContextError(message: "--context takes key=value, as in --context operation=reset; got '\(argument)'")
            }
            pairs.append((String(argument[..<equals]), String(argument[argument.index(after: equals)...])))
        }
        try self.init(pairs: pairs)
    }
}

/// Why a context could not be built; the message holds no secret (context
/// facts are not secret).
struct ContextError: Error {
    let message: String
}
