import ArgumentParser
import Foundation
import KeywardConfiguration
import KeywardCore

/// `keyward config check`: loads the whole configuration and reports every problem at once.
struct ConfigCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Load keyward.yaml and every connector file, and report every problem at once.",
        discussion: """
            Reads keyward.yaml and every connectors/*.yaml beside it, validates each key (unknown keys, \
            wrong types, missing fields, undefined policies, unregistered connector types, duplicate system \
            names, the mapping rules of password attributes, literal secrets), runs the security checker on \
            every script a password attribute references (with that attribute's allowReveal), and checks \
            that every generate policy can produce a password its paired validate policies accept (the \
            system's and the default ones). Each problem is one line, file:line:column: error: message, so \
            editors and CI can jump to it. Secret values are never shown.

            Examples:
              keyward config check
              keyward config check --examples                 # the shipped *.yaml.example connectors too
              keyward config check --config deploy/keyward.yaml
              keyward config check --format json | jq '.problems[] | select(.severity == "error")'

            Exit status: 0 no errors (warnings allowed), 1 errors found, 2 keyward.yaml is missing or \
            unreadable, or a usage error.
            """
    )

    /// The report formats.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: ArgumentHelp("The main configuration file; connector files are read beside it.", valueName: "path"))
    var config = "keyward.yaml"

    @Flag(help: "Also load connectors/*.yaml.example as connectors (to check the shipped examples); a template with a NAME.yaml copy beside it is left to the copy.")
    var examples = false

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    func run() throws {
        let result: ConfigurationLoadResult
        do throws(ConfigurationError) {
            result = try ConfigurationLoader(path: config, includeExamples: examples).load()
        } catch {
            throw CommandError("\(config): \(error.message) (give the configuration file with --config PATH)")
        }
        switch format {
        case .text: Console.outRaw(Self.text(result))
        case .json: Console.outRaw(try Self.json(result))
        }
        if !result.isValid { throw ExitStatus.failure }
    }

    /// One line per problem, then a summary.
    static func text(_ result: ConfigurationLoadResult) -> String {
        var text = ""
        for problem in result.errors + result.warnings {
            text += problem.description + "\n"
        }
        let connectors = result.connectorFiles.count
        let scripts = result.scripts.count
        let checked = "\(result.configuration.file), \(connectors) connector \(connectors == 1 ? "file" : "files") "
            + "and \(scripts) \(scripts == 1 ? "script" : "scripts") checked"
        let errors = result.errors.count
        let warnings = result.warnings.count
        text += "\(checked): \(errors) \(errors == 1 ? "error" : "errors"), \(warnings) \(warnings == 1 ? "warning" : "warnings")\n"
        return text
    }

    private struct Report: Encodable {
        let config: String
        let connectorFiles: [String]
        let connectors: [String]
        let scripts: [String]
        let errors: Int
        let warnings: Int
        let problems: [Problem]
    }

    private struct Problem: Encodable {
        let file: String?
        let line: Int?
        let column: Int?
        let severity: String
        let code: String
        let message: String
    }

    /// One JSON document with the counts and every problem.
    static func json(_ result: ConfigurationLoadResult) throws -> String {
        let problems = (result.errors + result.warnings).map {
            Problem(
                file: $0.location?.file, line: $0.location?.line, column: $0.location?.column,
                severity: $0.severity.rawValue, code: $0.code.description, message: $0.message)
        }
        let report = Report(
            config: result.configuration.file, connectorFiles: result.connectorFiles,
            connectors: result.configuration.connectors.map(\.name), scripts: result.scripts,
            errors: result.errors.count, warnings: result.warnings.count, problems: problems)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }
}
