import ArgumentParser
import Foundation
import KeywardCore
import KeywardScripting

/// `keyward test [PATH…]`: runs every script's cases, like a unit-test runner.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the test cases of transformation scripts (NAME.cases.yaml beside NAME.lua).",
        discussion: """
            Each script is checked and its cases run in one process with one engine, so cases share the \
            pool of Lua states as production calls do. One line per case, then the summary \
            'N passed, N failed'. A failing case shows expected and actual values masked (length and \
            SHA-256 prefix), never a wrong result in plain text. A script without a cases file gets a \
            warning; a script the checker refuses fails its cases (unless they expect that error).

            Case file (NAME.cases.yaml):
              cases:
                - name: adds the legacy prefix
                  input: "Secret1!"        # a string, or null (attributeValue nil)
                  context: { operation: create, system: hr }
                  expect: "XSecret1!"      # a string, or null
                - name: refuses a short value
                  input: "x"
                  expectError: runtime     # compile runtime budget memory
                                           # badReturn forbidden
                - name: hashes with a random salt
                  input: "secret"
                  expectPrefix: "{SSHA}"   # for results that change per run;
                  expectLength: 46         # in bytes; checked outside Lua

            Examples:
              keyward test                     # every script under scripts/
              keyward test scripts/nt-hash.lua
              keyward check scripts/ && keyward test scripts/

            Exit status: 0 every case passed, 1 a case failed, 2 usage or input error (a missing path, \
            a folder without scripts, an unreadable script, a malformed case file: one line with file and line).
            """
    )

    @Flag(help: "Run the scripts as configured with reveal() allowed.")
    var allowReveal = false

    @Argument(help: ArgumentHelp("Script files or folders (default: scripts/).", valueName: "path"))
    var paths: [String] = []

    /// A script and its cases, read and validated before anything runs.
    private struct Suite {
        let entry: ScriptPaths.Entry
        let file: ScriptFile
        let cases: CaseFile?
    }

    func run() throws {
        let suites = try collect()
        let engine: ScriptEngine
        do {
            engine = try ScriptEngine()
        } catch {
            throw CommandError("the linked Lua (\(ScriptEngine.luaRelease)) is older than 5.4.4; install liblua5.4 5.4.4 or newer")
        }
        var passed = 0
        var failed = 0
        let limits = ScriptLimits(allowReveal: allowReveal)
        for suite in suites {
            guard let caseFile = suite.cases else {
                Console.warning("\(suite.file.path): no cases file (\(CaseFile.path(forScript: suite.file.path))); nothing tested")
                continue
            }
            let script: Result<TransformScript, ScriptError>
            do throws(ScriptError) {
                script = .success(try TransformScript(id: suite.file.path, source: suite.file.source, limits: limits))
            } catch {
                script = .failure(error)
                printRefusal(error, of: suite)
            }
            for scriptCase in caseFile.cases {
                let outcome: Result<GuardedString?, ScriptError>
                switch script {
                case .success(let transform):
                    outcome = engine.evaluate(
                        transform, input: scriptCase.input, context: scriptCase.context, mode: .author
                    ).outcome
                case .failure(let error):
                    outcome = .failure(error)
                }
                let title = "\(suite.entry.displayName) › \(scriptCase.name)"
                if let reason = scriptCase.mismatch(outcome) {
                    failed += 1
                    Console.out("FAIL \(title): \(reason)")
                } else {
                    passed += 1
                    Console.out("ok   \(title)")
                }
            }
        }
        Console.out("\(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitStatus.failure }
    }

    /// Every script and case file, read and validated; any problem is a usage
    /// error and nothing runs.
    private func collect() throws -> [Suite] {
        let (entries, resolveErrors) = ScriptPaths.resolve(paths.isEmpty ? ["scripts/"] : paths)
        var errors = resolveErrors
        var suites: [Suite] = []
        for entry in entries {
            do throws(CommandError) {
                let file = try ScriptFile.read(entry.path)
                let casePath = CaseFile.path(forScript: entry.path)
                let cases = FileManager.default.fileExists(atPath: casePath) ? try CaseFile.load(casePath) : nil
                suites.append(Suite(entry: entry, file: file, cases: cases))
            } catch {
                errors.append(error)
            }
        }
        guard errors.isEmpty else {
            for error in errors.dropLast() {
                Console.error(error.message)
            }
            throw errors[errors.count - 1]
        }
        return suites
    }

    /// The checker's error-level findings for a refused script, once, before
    /// its cases.
    private func printRefusal(_ error: ScriptError, of suite: Suite) {
        let what = error.code == .compile ? "does not compile" : "is refused by the security checker"
        Console.out("\(suite.entry.displayName) \(what):")
        for finding in error.findings {
            Console.out(
                "    \(suite.file.path):\(finding.line):\(finding.column): "
                    + "\(finding.severity.rawValue) \(finding.ruleID): \(finding.message)")
        }
    }
}
