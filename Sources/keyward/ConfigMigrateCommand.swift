import ArgumentParser
import KeywardConfiguration

/// `keyward config migrate`: upgrades a configuration from before the password flag existed.
struct ConfigMigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Upgrade a configuration written before password attributes were flagged (to version 2).",
        discussion: """
            Sets `password: true` on every `__PASSWORD__` mapping in every connector file (connectors/*.yaml \
            and the *.yaml.example templates) and sets `version: 2` in keyward.yaml, as the seed's \
            migration did. Files are edited as text where the change belongs, so comments, blank lines, \
            quoting and key order stay as written. Before a file changes, its original is copied to \
            FILE.bak (FILE.bak.2, … if that exists). Running it again changes nothing and says so. \
            keyward.yaml's version is bumped only when every connector file could be migrated.

            Examples:
              keyward config migrate --dry-run      # show what would change, write nothing
              keyward config migrate                # migrate, with FILE.bak backups
              keyward config migrate --config /etc/keyward/keyward.yaml
              keyward config migrate && keyward config check

            Exit status: 0 migrated or nothing to do, 1 a file could not be migrated (it is left as it \
            was), 2 keyward.yaml is missing or unreadable, or a usage error.
            """
    )

    @Option(help: ArgumentHelp("The main configuration file; connector files are read beside it.", valueName: "path"))
    var config = "keyward.yaml"

    @Flag(help: "Show what would change; write nothing.")
    var dryRun = false

    func run() throws {
        let report: MigrationReport
        do throws(ConfigurationError) {
            report = try ConfigurationMigrator(path: config).migrate(dryRun: dryRun)
        } catch {
            throw CommandError("\(config): \(error.message) (give the configuration file with --config PATH)")
        }
        var changed = 0
        for file in report.files {
            if file.changesFile {
                changed += 1
                let how = dryRun ? "would change" : "migrated" + (file.backup.map { " (backup: \($0))" } ?? "")
                Console.out("\(file.file): \(how)")
                for change in file.changes {
                    Console.out("  \(change)")
                }
            } else if file.problems.isEmpty {
                Console.out("\(file.file): nothing to change (\(file.unchangedReason ?? "already migrated"))")
            }
            for problem in file.problems {
                Console.out(problem.description)
            }
        }
        let files = "\(changed) \(changed == 1 ? "file" : "files")"
        let failed = report.files.filter { !$0.problems.isEmpty }.count
        if failed > 0 {
            Console.out("\(failed) \(failed == 1 ? "file" : "files") could not be migrated; fix the problems above and run it again")
        } else if changed == 0 {
            Console.out("nothing to change: the configuration is already at version \(KeywardConfiguration.currentVersion)")
        } else if dryRun {
            Console.out("dry run: \(files) would change; nothing was written")
        } else {
            Console.out("\(files) migrated to version \(KeywardConfiguration.currentVersion)")
        }
        if !report.problems.isEmpty { throw ExitStatus.failure }
    }
}
