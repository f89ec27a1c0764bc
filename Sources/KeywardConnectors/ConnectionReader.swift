public import KeywardCore

/// Reads a definition's plain connection values for a connector, with
/// errors that name the system, the file position and the key.
public struct ConnectionReader: Sendable {
    /// The definition read.
    public let definition: ConnectorDefinition

    /// Creates a reader.
    public init(definition: ConnectorDefinition) {
        self.definition = definition
    }

    /// `system 'NAME' (FILE:LINE:COL): connection key 'KEY' PROBLEM`.
    public func error(_ key: String, _ problem: String) -> ConnectorError {
        ConnectorError(
            .configuration,
            "system '\(definition.name)' (\(definition.location)): connection key '\(key)' \(problem)")
    }

    /// The plain text of `key`, nil when absent; a secret reference is refused.
    public func plain(_ key: String) throws(ConnectorError) -> String? {
        switch definition.connection[key] {
        case nil: return nil
        case .plain(let text): return text
        case .environment, .file: throw error(key, "takes plain text, not a secret reference")
        }
    }

    /// `true` or `false` (also `yes`/`no`, `on`/`off`), nil when absent.
    public func boolean(_ key: String) throws(ConnectorError) -> Bool? {
        guard let text = try plain(key) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(key, "must be true or false, not '\(text)'")
        }
    }

    /// A whole number in `range`, nil when absent.
    public func integer(_ key: String, in range: ClosedRange<Int>) throws(ConnectorError) -> Int? {
        guard let text = try plain(key) else { return nil }
        guard let number = Int(text.filter { !$0.isWhitespace }), range.contains(number) else {
            let bounds =
                range.upperBound >= Int(UInt32.max)
                ? "of at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            throw error(key, "must be a whole number \(bounds), not '\(text)'")
        }
        return number
    }
}
