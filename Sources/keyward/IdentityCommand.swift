import ArgumentParser
import Foundation
import KeywardConfiguration
import KeywardCore
import KeywardStore

/// `keyward identity import|list`.
struct IdentityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity",
        abstract: "Import and list the people whose accounts Keyward manages.",
        subcommands: [Import.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import people from a CSV or YAML file (insert new, update known usernames).",
            discussion: """
                CSV: a header row with username (required), givenName, familyName, email, managerEmail \
                (snake_case works too); any other column is a free attribute. YAML: a list of mappings \
                with the same keys and an `attributes:` mapping. Identity files carry no passwords: a \
                column that looks like one is refused.

                A bad row is reported with its line and skipped; the good rows are imported. Large \
                files report progress on standard error.

                Examples:
                  keyward identity import people.csv
                  keyward identity import examples/people.yaml
                  keyward identity import people.csv --dry-run    # check the file only

                Exit status: 0 every row imported, 1 some rows were skipped, 2 the file could not be read.
                """)

        @OptionGroup var options: ConfigOption
        @Argument(help: "FILE.csv, FILE.yaml or FILE.yml.")
        var file: String
        @Flag(help: "Read and check the file; store nothing.")
        var dryRun = false

        func run() async throws {
            let showProgress = isatty(STDERR_FILENO) != 0
            let result: IdentityFile.Result
            do {
                result = try IdentityFile.read(path: file) { done, total in
                    if total >= 10_000, showProgress || done == total {
                        Console.err("read \(done) of \(total) rows")
                    }
                }
            } catch {
                throw CommandError(error.description)
            }
            for problem in result.errors { Console.err("error: \(problem)") }
            if dryRun {
                Console.out("\(result.identities.count) people read, \(result.errors.count) row(s) with errors; nothing stored (--dry-run)")
            } else {
                let store = try await QueueCommand.openStore(options)
                let batch = 5_000
                var summary = (inserted: 0, updated: 0)
                var offset = 0
                while offset < result.identities.count {
                    let slice = Array(result.identities[offset..<min(offset + batch, result.identities.count)])
                    let counts = try await store.upsertIdentities(slice)
                    summary.inserted += counts.inserted
                    summary.updated += counts.updated
                    offset += slice.count
                    if result.identities.count > batch {
                        Console.err("stored \(offset) of \(result.identities.count) people")
                    }
                }
                Console.out(
                    "imported \(result.identities.count) people from \(file): \(summary.inserted) new, \(summary.updated) updated"
                        + (result.errors.isEmpty ? "" : "; \(result.errors.count) row(s) skipped"))
            }
            if !result.errors.isEmpty { throw ExitStatus.failure }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the imported people.",
            discussion: "Examples:\n  keyward identity list")

        @OptionGroup var options: ConfigOption

        func run() async throws {
            let store = try await QueueCommand.openStore(options)
            let identities = try await store.identities()
            for identity in identities {
                let name = [identity.givenName, identity.familyName].compactMap { $0 }.joined(separator: " ")
                Console.out("\(identity.username)\(name.isEmpty ? "" : " (\(name))")\(identity.email.map { " <\($0)>" } ?? "")")
            }
            Console.out("\(identities.count) people")
        }
    }
}
