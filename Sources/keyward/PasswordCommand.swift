import ArgumentParser
import KeywardCore
import KeywardEngine

/// `keyward password change|reset`.
struct PasswordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "password",
        abstract: "Change or reset passwords on target systems.",
        subcommands: [Change.self, Reset.self])

    struct Change: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "change",
            abstract: "A person changes their own password, on all or some of their accounts.",
            discussion: """
                Asks for the current password and the new one (twice) on the terminal, echo off; or \
                reads two lines from standard input with --stdin: the current password, then the new \
                one. Never from the command line. The new password is checked against the validate \
                policies of every system it reaches before anything is queued; each system verifies \
                the current one.

                Examples:
                  keyward password change --user jdoe
                  keyward password change --user jdoe --system hr
                  printf '%s\\n%s\\n' "$OLD" "$NEW" | keyward password change --user jdoe --stdin

                Exit status: 0 changed, 1 a system refused (wrong current password, its own policy), \
                2 refused before anything ran (policy violation, unknown person or system, no account).
                """)

        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("The person's username.", valueName: "username"))
        var user: String
        @Option(help: ArgumentHelp("Only this system (repeatable; default: every account that supports change).", valueName: "name"))
        var system: [String] = []
        @Flag(help: "Read the current and the new password, one per line, from standard input.")
        var stdin = false
        @OptionGroup var outcome: RequestOutcome.Options

        func run() async throws {
            let current: GuardedString
            let new: GuardedString
            if stdin {
                let lines = try PasswordPrompt.standardInputLines(2, naming: ["the current password", "the new password"])
                (current, new) = (lines[0], lines[1])
            } else {
                current = try PasswordPrompt.ask("Current password: ")
                new = try PasswordPrompt.askNew("New password: ")
            }
            try await RequestOutcome.submit(try await Runtime.open(configPath: options.config), wait: !outcome.noWait) { service throws(ServiceError) in
                try await service.changePassword(
                    username: user, systems: system.isEmpty ? nil : system, current: current, new: new)
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset",
            abstract: "The helpdesk resets a person's password on one system.",
            discussion: """
                Generates the new password by the system's generate policy (--generate, the default), \
                or takes the one typed at the prompt or given on standard input (--stdin, one line). \
                --must-change makes the person change it at next login, where the system supports it.

                Examples:
                  keyward password reset --user jdoe --system hr --must-change
                  keyward password reset --user jdoe --system hr --show-password
                  keyward password reset --user jdoe --system hr --stdin < new-password.txt

                Exit status: 0 reset, 1 the system refused, 2 refused before anything ran.
                """)

        @OptionGroup var options: ConfigOption
        @Option(help: ArgumentHelp("The person's username.", valueName: "username"))
        var user: String
        @Option(help: ArgumentHelp("The target system's name.", valueName: "name"))
        var system: String
        @Flag(help: "Generate the password (the default).")
        var generate = false
        @Flag(help: "Ask for the new password on the terminal.")
        var prompt = false
        @Flag(help: "Read the new password from standard input (one line).")
        var stdin = false
        @Flag(help: "Make the person change it at next login.")
        var mustChange = false
        @Flag(help: "Print the generated password (only to a terminal).")
        var showPassword = false
        @OptionGroup var outcome: RequestOutcome.Options

        func validate() throws {
            guard [generate, prompt, stdin].filter({ $0 }).count <= 1 else {
                throw ValidationError("give one of --generate, --prompt, --stdin")
            }
        }

        func run() async throws {
            try RequestOutcome.checkShowPassword(showPassword)
            let password: PlanRequest.Password
            if stdin {
                password = .chosen(try PasswordPrompt.standardInputLines(1, naming: ["the new password"])[0])
            } else if prompt {
                password = .chosen(try PasswordPrompt.askNew("New password for \(user) on \(system): "))
            } else {
                password = .generate
            }
            try await RequestOutcome.submit(
                try await Runtime.open(configPath: options.config), wait: !outcome.noWait, showPassword: showPassword
            ) { service throws(ServiceError) in
                try await service.resetPassword(
                    username: user, system: system, password: password, mustChange: mustChange ? true : nil)
            }
        }
    }
}
