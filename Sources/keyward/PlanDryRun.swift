import Foundation
import KeywardConfiguration
import KeywardCore
import KeywardScripting
import Yams

/// `keyward dry-run --connector NAME --user U --operation OP`: what Keyward
/// would send to each system for a request, with every password attribute
/// transformed by its script, without contacting any system.
struct PlanDryRun {
    let configPath: String
    let includeExamples: Bool
    let connectors: [String]
    let user: String
    let operation: PlanRequest.Kind
    /// nil: generate, as the systems' policies say.
    let input: SecretInput?
    let reveal: Bool
    let json: Bool

    func run() throws {
        let configuration = try Runtime.loadConfiguration(configPath, includeExamples: includeExamples)
        let systems = try connectors.map { name throws(CommandError) -> ConnectorDefinition in
            guard let system = configuration.connectors.first(where: { $0.name == name }) else {
                let known = configuration.connectors.map(\.name).sorted().joined(separator: ", ")
                throw CommandError("no connector named '\(name)' in \(configuration.file) (known: \(known.isEmpty ? "none" : known))")
            }
            return system
        }
        let identity = try Self.identity(from: user)
        let password: PlanRequest.Password
        if let input, let chosen = try input.read() {
            password = .chosen(chosen)
        } else {
            password = .generate
        }
        let planner = try Runtime.planner(for: configuration, systems: systems)
        let request = PlanRequest(kind: operation, identity: identity, systems: systems, password: password)
        let report: PlanReport
        do throws(PlanningError) {
            report = PlanReport(plan: try planner.plan(request), error: nil, reveal: reveal)
        } catch {
            report = PlanReport(plan: nil, error: error, reveal: reveal)
        }
        Console.outRaw(json ? report.json() : report.text())
        if !report.succeeded { throw ExitStatus.failure }
    }

    /// `--user`: a YAML file describing the identity, or else a username.
    static func identity(from user: String) throws(CommandError) -> Identity {
        guard FileManager.default.fileExists(atPath: user) else { return Identity(username: user) }
        let text: String
        do {
            text = try String(contentsOfFile: user, encoding: .utf8)
        } catch {
            throw CommandError("\(user): cannot read the identity file")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw CommandError("\(user): not valid YAML")
        }
        guard let mapping = node?.mapping else {
            throw CommandError("\(user): expected a mapping with username, givenName, familyName, email, managerEmail, attributes")
        }
        func field(_ key: String) -> String? { mapping[Node(key)]?.string }
        let known: Set<String> = ["username", "givenName", "familyName", "email", "managerEmail", "attributes"]
        for key in mapping.keys.compactMap(\.string) where !known.contains(key) {
            throw CommandError("\(user): unknown key '\(key)' (expected one of \(known.sorted().joined(separator: ", ")))")
        }
        guard let username = field("username"), !username.isEmpty else {
            throw CommandError("\(user): 'username' is required")
        }
        var attributes: [String: String] = [:]
        if let extra = mapping[Node("attributes")]?.mapping {
            for (key, value) in extra {
                if let key = key.string, let value = value.string { attributes[key] = value }
            }
        }
        return Identity(
            username: username, givenName: field("givenName"), familyName: field("familyName"),
            email: field("email"), managerEmail: field("managerEmail"), attributes: attributes)
    }
}
