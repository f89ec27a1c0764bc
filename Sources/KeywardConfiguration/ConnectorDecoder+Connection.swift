import Foundation
import KeywardCore
import Yams

extension ConnectorDecoder {
    /// Decodes `connection:`: plain values and references, checked against
    /// the type's settings. A literal in a secret field is an error that
    /// never repeats the literal, and the literal is dropped.
    func decodeConnection(
        _ value: YAMLValue?, spec: ConnectionSpec?, type: ConnectorType?, at root: YAMLValue
    ) -> [String: ConnectionValue] {
        guard let value else {
            if let spec, !spec.fields.filter(\.required).isEmpty {
                diagnostics.error(
                    .missingField,
                    "missing required key `connection` (this type needs \(NameSuggestion.list(spec.fields.filter(\.required).map(\.name))))",
                    at: root.location)
            }
            return [:]
        }
        guard let reader = value.mapping(diagnostics, what: "a mapping of connection settings") else { return [:] }
        var settings: [String: ConnectionValue] = [:]
        for entry in reader.entries {
            let field = spec?.field(entry.key)
            if let spec, field == nil, !spec.isOpen, entry.key == "operations", let type {
                // The seeds' matrix is fixed for this type; only sql and external declare theirs.
                let operations = PasswordOperation.allCases.filter(type.operations.contains).map(\.rawValue)
                diagnostics.error(
                    .unknownKey,
                    "`operations` cannot be set for type \(type.name): its password operations are fixed "
                        + "(\(operations.joined(separator: ", "))); only sql and external connectors declare theirs",
                    at: entry.keyNode.location(in: value.file))
            } else if let spec, field == nil, !spec.isOpen {
                let known = spec.fields.map(\.name)
                let hint = NameSuggestion.closest(to: entry.key, among: known).map { "; did you mean `\($0)`?" }
                    ?? "; this type's settings are \(NameSuggestion.list(known))"
                diagnostics.error(
                    .unknownKey, "unknown key `\(entry.key)` in `connection`\(hint)",
                    at: entry.keyNode.location(in: value.file))
            }
            if field?.kind == .environment {
                settings.merge(decodeEnvironment(entry.value)) { _, new in new }
                continue
            }
            if field?.kind == .command, case .sequence = entry.value.node {
                if let words = decodeWords(entry.value) { settings[entry.key] = .plain(words) }
                continue
            }
            let isSecret = field?.kind == .secret || ConnectionSpec.isSecretName(entry.key)
            if let setting = decodeSetting(entry.value, kind: isSecret ? .secret : field?.kind ?? .text) {
                settings[entry.key] = setting
            }
        }
        if let spec {
            checkRequired(spec, settings, reader)
            checkTransportSecurity(settings, reader)
        }
        return settings
    }

    private func decodeSetting(_ value: YAMLValue, kind: ConnectionSpec.Kind) -> ConnectionValue? {
        guard case .scalar(let scalar) = value.node, !value.node.isNull else {
            let what = kind == .secret ? "a reference, `${env:NAME}` or `${file:PATH}`" : "a single value"
            value.wrongType(what, diagnostics)
            return nil
        }
        let text = scalar.string
        switch SecretReference.classify(text) {
        case .reference(let source):
            return SecretReference(source).connectionValue
        case .malformed(let reason):
            diagnostics.error(
                .badSecretReference, "\(value.quotedPath) is not a valid reference: \(reason) (the value is not repeated here)",
                at: value.location)
            return nil
        case .plain:
            break
        }
        if kind == .secret {
            diagnostics.error(
                .literalSecret,
                "\(value.quotedPath) is a secret field and holds a literal value (not repeated here); "
                    + "secret fields take a reference only: put the secret in an environment variable or a file "
                    + "and write `${env:NAME}` or `${file:PATH}`",
                at: value.location)
            return nil
        }
        if Self.hasPasswordInURL(text) {
            diagnostics.error(
                .literalSecret,
                "\(value.quotedPath) is a URL with a password in it (not repeated here); "
                    + "remove the password from the URL and give it in the type's secret field as a reference",
                at: value.location)
            return nil
        }
        switch kind {
        case .boolean:
            guard value.bool(diagnostics) != nil else { return nil }
        case .number:
            guard value.int(atLeast: 1, diagnostics) != nil else { return nil }
        case .url(let schemes):
            let scheme = text.split(separator: ":", maxSplits: 1).first.map { String($0).lowercased() }
            guard let scheme, schemes.contains(scheme), text.contains("://") else {
                diagnostics.error(
                    .invalidValue, "\(value.quotedPath) must be a URL starting with \(NameSuggestion.list(schemes.map { "\($0)://" }))",
                    at: value.location)
                return nil
            }
        case .choice(let words):
            guard words.contains(text) else {
                diagnostics.error(
                    .invalidValue,
                    "\(value.quotedPath) must be one of \(NameSuggestion.list(words))\(NameSuggestion.hint(for: text, among: words))",
                    at: value.location)
                return nil
            }
        case .text, .secret, .command, .environment:
            break
        }
        return .plain(text)
    }

    /// `command: [program, arg, …]`: the words joined into one command
    /// line, each single-quoted, so that splitting it gives them back.
    private func decodeWords(_ value: YAMLValue) -> String? {
        guard let items = value.list(diagnostics, of: "words") else { return nil }
        var words: [String] = []
        for item in items {
            guard case .scalar(let scalar) = item.node, !item.node.isNull, !scalar.string.isEmpty else {
                item.wrongType("a word (a non-empty string)", diagnostics)
                return nil
            }
            words.append("'" + scalar.string.replacingOccurrences(of: "'", with: #"'\''"#) + "'")
        }
        guard !words.isEmpty else {
            diagnostics.error(.invalidValue, "\(value.quotedPath) is an empty list; name the program at least", at: value.location)
            return nil
        }
        return words.joined(separator: " ")
    }

    /// `env: {NAME: value, …}` as the `env.NAME` settings the external
    /// connector reads.
    private func decodeEnvironment(_ value: YAMLValue) -> [String: ConnectionValue] {
        guard let reader = value.mapping(diagnostics, what: "a mapping of variable names to values") else { return [:] }
        var settings: [String: ConnectionValue] = [:]
        for entry in reader.entries {
            guard entry.key.range(of: #"^[A-Za-z_][A-Za-z0-9_]*$"#, options: .regularExpression) != nil else {
                diagnostics.error(
                    .invalidValue, "`\(entry.key)` in \(value.quotedPath) is not a variable name (letters, digits, _)",
                    at: entry.keyNode.location(in: value.file))
                continue
            }
            let name = "env." + entry.key
            // A variable named like a secret (…TOKEN, …PASSWORD) takes a reference only.
            let kind: ConnectionSpec.Kind = ConnectionSpec.isSecretName(name) ? .secret : .text
            if let setting = decodeSetting(entry.value, kind: kind) { settings[name] = setting }
        }
        return settings
    }

    private func checkRequired(_ spec: ConnectionSpec, _ settings: [String: ConnectionValue], _ reader: MappingReader) {
        let usesKerberos = settings["authentication"] == .plain("gssapi")
        for field in spec.fields where !reader.has(field.name) {
            let needed = field.required || (!usesKerberos && ["bindDN", "bindPassword"].contains(field.name) && spec.field("baseDN") != nil)
            if needed {
                diagnostics.error(
                    .missingField, "missing required key `\(field.name)` in `connection` (\(field.summary.sentenceFragment))",
                    at: reader.value.location)
            }
        }
    }

    /// LDAP and AD need an encrypted, authenticated connection: ldaps://,
    /// StartTLS, or Kerberos (DESIGN.md, "Password operations per system").
    private func checkTransportSecurity(_ settings: [String: ConnectionValue], _ reader: MappingReader) {
        guard case .plain(let url) = settings["url"], url.lowercased().hasPrefix("ldap://"),
            let location = reader["url"]?.location
        else { return }
        let startTLS = reader["startTLS"]?.node.bool == true
        let kerberos = settings["authentication"] == .plain("gssapi")
        if !startTLS && !kerberos {
            diagnostics.error(
                .invalidValue,
                "`connection.url` is ldap:// without `startTLS: true`: the bind and every password would cross the "
                    + "network in clear; use ldaps://, set `startTLS: true`, or `authentication: gssapi`",
                at: location)
        }
    }

    /// `scheme://user:password@host`: a URL that carries a password.
    static func hasPasswordInURL(_ text: String) -> Bool {
        guard let schemeEnd = text.range(of: "://") else { return false }
        let rest = text[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@") else { return false }
        return authority[..<at].contains(":")
    }
}

extension String {
    /// A sentence as a fragment for parentheses: first letter lowered, final period dropped.
    var sentenceFragment: String {
        var text = Substring(self)
        if text.last == "." { text = text.dropLast() }
        guard let first = text.first else { return "" }
        return first.lowercased() + text.dropFirst()
    }
}
