import ArgumentParser
import KeywardCore
import KeywardScripting

/// `keyward dry-run SCRIPT`: one script, run exactly as production would,
/// on a value the author gives, without touching any system.
struct DryRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dry-run",
        abstract: "Run one script on a sample value, exactly as production would.",
        discussion: """
            The security checker reads the script first (its findings go to standard error); a script with \
            error-level findings does not run. Then the sandbox runs it with the production limits on the \
            value you give, in author mode: if the script fails you see the Lua error message and line, which \
            production never shows. The result is masked (bullets, its length in bytes and the first 8 hex \
            digits of its SHA-256) unless you pass --reveal; instructions used, peak memory and time follow.

            Give exactly one input: --value, --value-file, --stdin, --null or --generate. --value-file and \
            --stdin strip one trailing newline. A value typed with --value is visible to other users in the \
            process list: use --value-file or --stdin for a real password.

            Examples:
              keyward dry-run scripts/nt-hash.lua --value 'password' --reveal
              keyward dry-run scripts/ldap-ssha.lua --generate
              keyward dry-run scripts/ad-prefix.lua --value 'Secret1!' \\
                  --context uid=jdoe --context operation=reset
              keyward dry-run scripts/servicenow.lua --null
              keyward dry-run scripts/legacy-upper8.lua --value-file pw.txt --json
              printf '%s' "$PW" | keyward dry-run scripts/nt-hash.lua --stdin
              keyward dry-run odd.lua --value x --skip-check   # a refused script

            --context takes key=value: system, attribute, operation (create, change, reset, initialize) and \
            uid are the fixed facts; any other key is an account attribute (context.mail).

            --json prints exactly one JSON object on standard output:
              {"outcome": "ok|compile|runtime|budget|memory|badReturn|forbidden",
               "result": null | {"kind": "guarded|nil", "length": N,
                                 "sha256Prefix": "…", "value": "…"},
               "findings": [{"id", "severity", "line", "column", "message"}],
               "instructions": N, "memoryBytes": N, "micros": N,
               "error": null | {"code": "…", "message": "…", "line": N}}
            "result" is null when the script failed; "value" is there only with \
            --reveal (a value that is not UTF-8 shows as 0x-prefixed hex); \
            "line" is null when Lua gave none.

            Exit status: 0 the script ran and returned a value or nil, 1 it failed or the checker refused it, \
            2 usage or input error.
            """
    )

    @Argument(help: ArgumentHelp("The script to run.", valueName: "script"))
    var script: String

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("The input value, as typed (a value starting with '-' works too).", valueName: "value"))
    var value: String?

    @Option(help: ArgumentHelp("Read the input value from a file (one trailing newline stripped).", valueName: "file"))
    var valueFile: String?

    @Flag(name: .customLong("stdin"), help: "Read the input value from standard input (one trailing newline stripped).")
    var readsStandardInput = false

    @Flag(help: "Run with attributeValue = nil, as when no password could be generated.")
    var null = false

    @Flag(help: "Run on a random 16-character value.")
    var generate = false

    @Option(
        name: .customLong("context"),
        help: ArgumentHelp("A context fact, repeatable: system, attribute, operation, uid, or any account attribute.",
            valueName: "key=value"))
    var contextFacts: [String] = []

    @Flag(help: "Allow the script to call reveal(), as its configuration can.")
    var allowReveal = false

    @Flag(help: "Show the input and result values instead of masking them.")
    var reveal = false

    @Flag(help: "Run even when the checker finds errors (to study the sandbox; findings are still printed).")
    var skipCheck = false

    @Flag(help: "Print one JSON object on standard output instead of text.")
    var json = false

    func validate() throws {
        let given = [value != nil, valueFile != nil, readsStandardInput, null, generate].count { $0 }
        if given == 0 {
            throw ValidationError("give the input value: one of --value, --value-file, --stdin, --null or --generate")
        }
        if given > 1 {
            throw ValidationError("give only one of --value, --value-file, --stdin, --null and --generate")
        }
        do throws(ContextError) {
            _ = try ScriptContext(arguments: contextFacts)
        } catch {
            throw ValidationError(error.message)
        }
    }

    private var inputSource: SecretInput {
        if let value { return .value(value) }
        if let valueFile { return .file(valueFile) }
        if readsStandardInput { return .standardInput }
        return null ? .null : .generate
    }

    func run() throws {
        let file = try ScriptFile.read(script)
        let context: ScriptContext
        do throws(ContextError) {
            context = try ScriptContext(arguments: contextFacts)
        } catch {
            throw CommandError(error.message)
        }
        let input = try inputSource.read()
        let engine: ScriptEngine
        do {
            engine = try ScriptEngine()
        } catch {
            throw CommandError("the linked Lua (\(ScriptEngine.luaRelease)) is older than 5.4.4; install liblua5.4 5.4.4 or newer")
        }

        let limits = ScriptLimits(allowReveal: allowReveal)
        let report = ScriptChecker(policy: CheckPolicy(allowReveal: allowReveal))
            .check(source: file.source, path: file.path)
        let run: DryRunReport.Run
        do throws(ScriptError) {
            let transform = skipCheck
                ? TransformScript(unchecked: file.path, source: file.source, limits: limits, findings: report.findings)
                : try TransformScript(id: file.path, source: file.source, limits: limits)
            run = .ran(engine.evaluate(transform, input: input, context: context, mode: .author))
        } catch {
            run = .refused(error)
        }

        let dryRun = DryRunReport(path: file.path, input: input, report: report, run: run, reveal: reveal)
        if json {
            Console.outRaw(dryRun.json())
        } else {
            if !report.findings.isEmpty {
                Console.err(CheckReport.text([report]).trimmingSuffixNewlines())
            }
            Console.outRaw(dryRun.text())
            if let problem = dryRun.problemLine() {
                Console.error(problem)
            }
        }
        if dryRun.outcome != "ok" { throw ExitStatus.failure }
    }
}
