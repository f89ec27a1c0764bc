import KeywardCore
import Yams
import KeywardScripting

/// What `keyward.yaml` says, before the connector files are read.
struct Settings {
    var version = KeywardConfiguration.currentVersion
    var store = StoreSetting.sqlite(path: "keyward.db")
    var keyFile = "keyward.key"
    /// The `connectorsDirectory:` value and where it is written, when given.
    var connectorsDirectory: (path: String, location: SourceLocation)?
    var limits = ScriptLimits()
    var defaults = DefaultPolicies()
    /// Where `defaults.generate` is written.
    var defaultGenerateLocation: SourceLocation?
    /// The policies that decoded without errors.
    var policies: [String: PasswordPolicy] = [:]
    /// Every name `policies:` defines, valid or not (so that references to a
    /// broken policy are not also reported as undefined); nil when
    /// keyward.yaml could not be read, so that no name can be judged.
    var policyNames: [String]? = []
    /// `mail:`, when given and valid.
    var mail: MailSettings?
}

/// Turns `keyward.yaml` into ``Settings``.
struct SettingsDecoder {
    let diagnostics: Diagnostics
    let directory: String

    static let keys = ["version", "store", "keyFile", "connectorsDirectory", "limits", "defaults", "policies", "mail"]

    func decode(_ root: YAMLValue) -> Settings {
        var settings = Settings()
        guard let reader = root.mapping(diagnostics, what: "a mapping (the main configuration)", known: Self.keys) else { return settings }
        decodeVersion(reader, into: &settings)
        if let value = reader["store"], let store = decodeStore(value) { settings.store = store }
        if let value = reader["keyFile"], let path = value.string(diagnostics, what: "a file path") {
            settings.keyFile = path
        }
        if let value = reader["connectorsDirectory"], let path = value.string(diagnostics, what: "a folder path") {
            settings.connectorsDirectory = (path, value.location)
        }
        if let value = reader["limits"] { settings.limits = decodeLimits(value) }
        if let value = reader["policies"], let policies = value.mapping(diagnostics, what: "a mapping of policy names to policies") {
            settings.policyNames = policies.entries.map(\.key)
            let decoder = PolicyDecoder(diagnostics: diagnostics, directory: directory)
            for entry in policies.entries {
                guard ConnectorDecoder.isValidName(entry.key) else {
                    diagnostics.error(
                        .invalidValue, "policy name `\(entry.key)` must be letters, digits, `.`, `_` and `-`, starting with a letter or digit",
                        at: entry.keyNode.location(in: root.file))
                    continue
                }
                if let policy = decoder.decode(entry.value, name: entry.key) {
                    settings.policies[entry.key] = policy
                }
            }
        }
        if let value = reader["defaults"] { decodeDefaults(value, into: &settings) }
        if let value = reader["mail"] { settings.mail = decodeMail(value) }
        return settings
    }

    private func decodeVersion(_ reader: MappingReader, into settings: inout Settings) {
        let current = KeywardConfiguration.currentVersion
        guard let value = reader.required(
            "version", diagnostics,
            hint: " (write `version: \(current)`; a configuration from before version \(current) is upgraded by `keyward config migrate`)"),
            let version = value.int(diagnostics, what: "a version number")
        else { return }
        settings.version = version
        if version < current {
            diagnostics.error(
                .unsupportedVersion,
                "keyward.yaml is version \(version), from before password attributes were flagged `password: true`; "
                    + "run `keyward config migrate` to upgrade it to version \(current)",
                at: value.location)
        } else if version > current {
            diagnostics.error(
                .unsupportedVersion, "keyward.yaml is version \(version); this Keyward understands version \(current) and older, upgrade Keyward",
                at: value.location)
        }
    }

    private func decodeStore(_ value: YAMLValue) -> StoreSetting? {
        guard let text = value.string(diagnostics, what: "`sqlite:PATH` or a `postgres://` URL") else { return nil }
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else {
                diagnostics.error(.invalidValue, "`store` needs a file after `sqlite:`, as in `sqlite:keyward.db`", at: value.location)
                return nil
            }
            return .sqlite(path: path)
        }
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            if ConnectorDecoder.hasPasswordInURL(text) {
                diagnostics.error(
                    .literalSecret,
                    "`store` is a URL with a password in it (not repeated here); remove it from the URL and give it to "
                        + "PostgreSQL through the environment (`PGPASSWORD`) or a `.pgpass` file",
                    at: value.location)
                return nil
            }
            return .postgres(url: text)
        }
        diagnostics.error(
            .invalidValue, "`store` is `sqlite:PATH` (one file, the default `sqlite:keyward.db`) or `postgres://user@host:5432/database`",
            at: value.location)
        return nil
    }

    private func decodeLimits(_ value: YAMLValue) -> ScriptLimits {
        var limits = ScriptLimits()
        guard let reader = value.mapping(diagnostics, what: "a mapping of script limits", known: ["instructions", "memoryBytes", "timeLimitMs"])
        else { return limits }
        if let instructions = limit(reader["instructions"], 1_000...1_000_000_000, "instructions") { limits.instructions = instructions }
        if let memory = limit(reader["memoryBytes"], 262_144...(1 << 30), "bytes") { limits.memoryBytes = memory }
        if let milliseconds = limit(reader["timeLimitMs"], 1...10_000, "milliseconds") { limits.timeLimit = .milliseconds(milliseconds) }
        return limits
    }

    private func limit(_ value: YAMLValue?, _ range: ClosedRange<Int>, _ unit: String) -> Int? {
        guard let value, let number = value.int(diagnostics) else { return nil }
        guard range.contains(number) else {
            diagnostics.error(
                .invalidValue, "\(value.quotedPath) must be between \(range.lowerBound) and \(range.upperBound) \(unit) (it is \(number))",
                at: value.location)
            return nil
        }
        return number
    }

    private func decodeDefaults(_ value: YAMLValue, into settings: inout Settings) {
        guard let reader = value.mapping(diagnostics, what: "a mapping with `generate` and `validate`", known: ["generate", "validate"]) else { return }
        let names = PolicyNames(diagnostics: diagnostics, defined: settings.policyNames ?? [])
        if let value = reader["generate"], let name = value.string(diagnostics, what: "a policy name"), names.check(name, at: value) {
            settings.defaults.generate = name
            settings.defaultGenerateLocation = value.location
        }
        if let value = reader["validate"],
            let list = value.strings(diagnostics, of: "policy names", hint: value.node.scalar != nil ? "; write a list, as in `validate: [corporate]`" : "")
        {
            settings.defaults.validate = list.filter { names.check($0.0, at: $0.1) }.map(\.0)
        }
    }
}

/// Checks that a policy name is defined, with a "did you mean".
struct PolicyNames {
    let diagnostics: Diagnostics
    let defined: [String]

    /// Whether `name` is defined; reports it when not.
    func check(_ name: String, at value: YAMLValue) -> Bool {
        guard !defined.contains(name) else { return true }
        let hint = NameSuggestion.closest(to: name, among: defined).map { "; did you mean `\($0)`?" }
            ?? (defined.isEmpty ? "; keyward.yaml defines no policies" : "; keyward.yaml defines \(NameSuggestion.list(defined.sorted()))")
        diagnostics.error(.undefinedPolicy, "policy `\(name)` is not defined in `policies:` of keyward.yaml\(hint)", at: value.location)
        return false
    }
}
