import Foundation
import KeywardCore
import KeywardScripting

/// The checks that look past one file: every referenced script through the
/// security checker, and every generate policy against the validate
/// policies it is paired with.
struct ConfigurationChecks {
    let diagnostics: Diagnostics
    let directory: String
    let settings: Settings

    /// Runs the security checker on every script a password attribute
    /// references, once per script and `allowReveal` setting, and reports its
    /// findings at the script's own file, line and column.
    /// - Returns: The scripts checked, in order.
    @discardableResult
    func checkScripts(_ connectors: [DecodedConnector]) -> [String] {
        var checked = Set<String>()
        var scripts: [String] = []
        for connector in connectors {
            for attribute in connector.attributes {
                guard let transform = attribute.transform else { continue }
                let path = ConfigurationPaths.join(directory, transform)
                guard checked.insert("\(attribute.allowReveal) \(path)").inserted else { continue }
                var isFolder: ObjCBool = false
                // A missing script is already reported at its `transform:`.
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
                check(script: path, for: attribute)
                if !scripts.contains(path) { scripts.append(path) }
            }
        }
        return scripts
    }

    private func check(script path: String, for attribute: AttributeMapping) {
        guard let data = FileManager.default.contents(atPath: path) else {
            diagnostics.error(.unreadable, "script `\(path)` cannot be read (check its permissions)", at: attribute.location)
            return
        }
        guard data.count <= 1 << 20 else {
            diagnostics.error(.unreadable, "is larger than 1 MiB; scripts are limited to 1 MiB", at: SourceLocation(file: path, line: 1, column: 1))
            return
        }
        let checker = ScriptChecker(policy: CheckPolicy(allowReveal: attribute.allowReveal))
        let report = checker.check(bytes: Array(data), path: path)
        for finding in report.findings {
            let message = "\(finding.ruleID) \(finding.message); fix: \(finding.fix) "
                + "(the `transform` of `\(attribute.name)` at \(attribute.location))"
            diagnostics.record(
                ConfigurationError(
                    .scriptFinding, message, at: SourceLocation(file: path, line: finding.line, column: finding.column),
                    severity: finding.severity == .error ? .error : .warning))
        }
    }

    /// One generate policy and the validate policies paired with it.
    private struct Pairing: Hashable {
        let generate: String
        let validate: [String]
    }

    /// Checks every generate policy against its pairs: each system's
    /// (its own generate policy, else the default) with its validate
    /// policies and the default ones, and the defaults with each other. Each
    /// distinct pairing is checked once and reported where it is first made.
    func checkFeasibility(_ connectors: [DecodedConnector]) {
        var pairings: [(Pairing, SourceLocation)] = []
        func add(_ generate: String?, _ validate: [String], at location: SourceLocation?) {
            guard let generate, let location, settings.policies[generate] != nil else { return }
            var names: [String] = []
            for name in validate where name != generate && !names.contains(name) && settings.policies[name] != nil {
                names.append(name)
            }
            let pairing = Pairing(generate: generate, validate: names)
            if !pairings.contains(where: { $0.0 == pairing }) {
                pairings.append((pairing, location))
            }
        }
        add(settings.defaults.generate, settings.defaults.validate, at: settings.defaultGenerateLocation)
        for connector in connectors {
            let location = connector.generate?.location ?? connector.validateLocation ?? settings.defaultGenerateLocation
            add(connector.generate?.name ?? settings.defaults.generate, connector.validate + settings.defaults.validate, at: location)
        }
        for (pairing, location) in pairings {
            guard let policy = settings.policies[pairing.generate] else { continue }
            let paired = pairing.validate.compactMap { settings.policies[$0] }
            let together = pairing.validate.isEmpty ? "" : " (paired with \(NameSuggestion.list(pairing.validate)))"
            for problem in feasibilityProblems(of: policy, pairedWith: paired) {
                diagnostics.error(
                    .infeasiblePolicy, "generate policy `\(pairing.generate)`\(together) cannot generate a password: \(problem)",
                    at: location)
            }
        }
    }

    private func feasibilityProblems(of policy: PasswordPolicy, pairedWith paired: [PasswordPolicy]) -> [String] {
        let words: WordList? = if case .passphrase = policy.generation { BundledLists.passphraseWords } else { nil }
        return PolicyFeasibility.problems(of: policy, pairedWith: paired, words: words)
    }
}
