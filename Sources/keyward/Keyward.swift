import ArgumentParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The `keyward` command-line tool: the script author's tools (`check`,
/// `dry-run`, `test`), the admin's configuration tools (`config`), and the
/// operator's: people, accounts, passwords, the queue and its workers.
///
/// Exit statuses are those of ``ExitStatus``: 0 success, 1 the scripts
/// failed, 2 usage or input error (argument-parser's own usage errors, which
/// it would exit with 64, are mapped to 2 as well).
@main
struct Keyward: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keyward",
        abstract: "Keyward provisions passwords to many systems, each through a sandboxed Lua transformation script.",
        discussion: """
            Script authors check, try and test transformation scripts: Lua 5.4 chunks that get the \
            password as an opaque handle `attributeValue` (or nil) and a read-only table `context`, and \
            return a handle or nil. Admins check and migrate the configuration (keyward.yaml and \
            connectors/*.yaml) and see what a request would send to each system. Operators import \
            people, create accounts, change, reset and unlock passwords through the provisioning \
            queue, which `keyward run` executes.

            Examples:
              keyward check scripts/          # the security checker on every script
              keyward test                    # run the cases in scripts/*.cases.yaml
              keyward dry-run scripts/nt-hash.lua --value 'password' --reveal
              keyward dry-run scripts/ad-prefix.lua --generate --context uid=jdoe
              keyward config check            # keyward.yaml, every connector, every script, every policy
              keyward config migrate --dry-run
              keyward dry-run --connector ldap --user jdoe --operation change --value 'Correct-Horse-9'
              keyward keygen                  # the master key that encrypts queued passwords
              keyward identity import examples/people.csv
              keyward account create --user jdoe --system demo-hr
              keyward password reset --user jdoe --system demo-hr --must-change
              keyward queue list; keyward audit --user jdoe
              keyward serve                   # the API, the pages and the workers: http://127.0.0.1:8080
              keyward help dry-run            # more on one command

            Exit status: 0 success, 1 the scripts failed (findings, a failed run or case) or an \
            operation failed on a system, 2 usage or input error (a missing or unreadable file, a \
            malformed case file, an unknown flag, a request refused before anything ran).
            """,
        subcommands: [
            CheckCommand.self, DryRunCommand.self, TestCommand.self, ConfigCommand.self,
            IdentityCommand.self, AccountCommand.self, PasswordCommand.self, QueueCommand.self, AuditCommand.self,
            RunCommand.self, ServeCommand.self, TokenCommand.self, KeygenCommand.self, KeyCommand.self, StoreCommand.self, PluginCommand.self,
        ]
    )

    /// Parses, runs, and exits with a status scripts can trust.
    static func main() async {
        let status: Int32
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            status = ExitStatus.success.rawValue
        } catch let error as CommandError {
            Console.error(error.message)
            status = ExitStatus.usage.rawValue
        } catch {
            status = report(error)
        }
        terminate(status)
    }

    /// Prints what argument-parser has to say about `error` and returns the
    /// exit status: help goes to standard output with 0; a usage error is one
    /// line on standard error with 2.
    private static func report(_ error: any Error) -> Int32 {
        let code = exitCode(for: error)
        if code == .success {
            Console.outRaw(fullMessage(for: error).trimmingSuffixNewlines() + "\n")
            return ExitStatus.success.rawValue
        }
        if error is ExitCode {
            return code.rawValue
        }
        let message = message(for: error).trimmingSuffixNewlines()
            .split(whereSeparator: \.isNewline).joined(separator: " ")
        if code == .validationFailure {
            let message = Self.withoutStrayArguments(message)
            let help = subcommandName().map { "keyward \($0) --help" } ?? "keyward --help"
            Console.error("\(message) (see '\(help)')")
            return ExitStatus.usage.rawValue
        }
        Console.error(message.isEmpty ? "\(error)" : message)
        return ExitStatus.usage.rawValue
    }

    /// argument-parser quotes stray arguments back ("Unexpected argument
    /// 'hunter2'"), and a stray argument is often a password typed without
    /// its `--value`: never repeat it.
    private static func withoutStrayArguments(_ message: String) -> String {
        guard message.hasPrefix("Unexpected argument") else { return message }
        return "unexpected extra argument (not repeated here: it may be a password; "
            + "give a value with --value, --value-file or --stdin)"
    }

    /// The subcommand named on the command line, for the hint after a usage error.
    private static func subcommandName() -> String? {
        let names = configuration.subcommands.compactMap { $0.configuration.commandName }
        return CommandLine.arguments.dropFirst().first { names.contains($0) }
    }
}

/// Ends the process; outside ``Keyward`` because argument-parser's
/// `exit(withError:)` hides the C function there.
private func terminate(_ status: Int32) -> Never {
    exit(status)
}

extension String {
    /// The string without trailing newlines, so that messages print as one line.
    func trimmingSuffixNewlines() -> String {
        var text = Substring(self)
        while text.last?.isNewline == true { text = text.dropLast() }
        return String(text)
    }
}
