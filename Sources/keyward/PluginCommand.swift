import ArgumentParser
import KeywardConnectors
import KeywardPlugins

/// `keyward plugin test`: the plugin author's tools.
struct PluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Check a connector plugin (type: external) against the plugin protocol.",
        subcommands: [Test.self])

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Run the plugin conformance suite against a plugin's command.",
            discussion: """
                Starts the plugin the way Keyward does (its own process group; only PATH, HOME and LANG \
                from this environment) and runs it through the protocol of docs/plugin-protocol.md: the \
                hello; every operation it declares, on a throwaway account kw-conformance-…; the error \
                shapes not-found (an unknown uid) and already-exists (a duplicate); a change with the right \
                current password, the same change again (a retry must succeed) and a wrong current password \
                (credentials-rejected); an unknown operation (unsupported); secret handling, with canary \
                passwords holding a quote, a backslash and non-ASCII letters: none may come back in an \
                answer or appear on stderr (only whether one did is printed, never the text); and a clean \
                exit when stdin closes. One PASS, FAIL or SKIP line per check, then a summary.

                Examples:
                  keyward plugin test -- connectors/plugins/accounts.py --database /tmp/accounts.db
                  keyward plugin test --timeout 30 -- java -jar my-plugin.jar

                Exit status: 0 every check passed (or was skipped: not declared), 1 a check failed, \
                2 usage error (no command after --, a program that cannot be found).
                """)

        @Option(help: ArgumentHelp("Seconds the plugin may take to start, and to answer each request.", valueName: "seconds"))
        var timeout = 10

        @Argument(
            parsing: .postTerminator,
            help: ArgumentHelp("The plugin's program and its arguments, after --.", valueName: "command"))
        var command: [String] = []

        func validate() throws {
            guard !command.isEmpty else {
                throw ValidationError("give the plugin's command after --, e.g. keyward plugin test -- ./my-plugin")
            }
            guard (1...3600).contains(timeout) else { throw ValidationError("--timeout must be 1 to 3600 seconds") }
        }

        func run() async throws {
            let suite: ConformanceSuite
            do {
                suite = try ConformanceSuite(command: command, timeout: .seconds(timeout))
            } catch {
                throw CommandError(error.message)
            }
            Console.out("plugin test: \(suite.launch.executable) (timeout \(timeout) s)")
            let checks = await suite.run { check in Console.out(check.line) }
            let failed = checks.filter { $0.outcome == .failed }.count
            let passed = checks.filter { $0.outcome == .passed }.count
            let skipped = checks.count - failed - passed
            Console.out("\(checks.count) checks: \(passed) passed, \(failed) failed, \(skipped) skipped")
            if failed > 0 { throw ExitStatus.failure }
        }
    }
}
