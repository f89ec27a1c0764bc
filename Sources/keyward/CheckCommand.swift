import ArgumentParser
import KeywardScripting

/// `keyward check PATH…`: the security checker on script files and folders.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check transformation scripts before they ever run.",
        discussion: """
            Reads each script (a file, or every *.lua file below a folder) and reports what the sandbox \
            would refuse or what looks like a mistake: output and logging names, dynamic code, environment \
            tricks, reveal() where it is not allowed, globals the sandbox does not provide, syntax errors, \
            a missing nil check (warning), global assignments (warning). Each finding has a stable rule id \
            (KW001…), a line and column, and a one-line fix; docs/checker-rules.md explains every rule.

            Examples:
              keyward check scripts/
              keyward check scripts/nt-hash.lua scripts/ldap-ssha.lua
              keyward check --format json scripts/ | jq '.errors'
              keyward check --format sarif scripts/ > checker.sarif   # for CI
              keyward check --allow-reveal scripts/export.lua   # reveal() allowed

            Exit status: 0 no error-level findings (warnings allowed), 1 error-level findings, \
            2 a path is missing, a folder has no scripts, or a file cannot be read as a script \
            (not UTF-8, a precompiled chunk, over 1 MiB).
            """
    )

    /// The report formats.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, sarif
    }

    @Option(help: "Output format: text, json or sarif (SARIF 2.1.0, for CI).")
    var format: Format = .text

    @Flag(help: "Check as for scripts whose configuration allows reveal() (KW004 stays silent).")
    var allowReveal = false

    @Argument(help: ArgumentHelp("Script files, or folders searched recursively for *.lua.", valueName: "path"))
    var paths: [String] = []

    func validate() throws {
        if paths.isEmpty {
            throw ValidationError("give at least one script file or folder, as in 'keyward check scripts/'")
        }
    }

    func run() throws {
        let (entries, resolveErrors) = ScriptPaths.resolve(paths)
        var errors = resolveErrors
        let checker = ScriptChecker(policy: CheckPolicy(allowReveal: allowReveal))
        var reports: [CheckReport] = []
        for entry in entries {
            do throws(CommandError) {
                let file = try ScriptFile.read(entry.path)
                reports.append(checker.check(source: file.source, path: file.path))
            } catch {
                errors.append(error)
            }
        }
        if !reports.isEmpty {
            switch format {
            case .text: Console.outRaw(CheckReport.text(reports))
            case .json: Console.outRaw(CheckReport.json(reports))
            case .sarif: Console.outRaw(CheckReport.sarif(reports))
            }
        }
        for error in errors {
            Console.error(error.message)
        }
        if !errors.isEmpty { throw ExitStatus.usage }
        if reports.contains(where: \.hasErrors) { throw ExitStatus.failure }
    }
}
