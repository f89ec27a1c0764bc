import ArgumentParser

/// `keyward config …`: the admin's tools for `keyward.yaml` and `connectors/`.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check or migrate the configuration (keyward.yaml and connectors/*.yaml).",
        discussion: """
            keyward.yaml holds the store, the password policies, the default policies and the script \
            limits; connectors/NAME.yaml enables one target system each. docs/configuration.md describes \
            every key.

            Examples:
              keyward config check                       # everything, all problems at once
              keyward config check --examples            # also the shipped connectors/*.yaml.example
              keyward config check --config /etc/keyward/keyward.yaml --format json
              keyward config migrate --dry-run           # what an upgrade to version 2 would change
              keyward config migrate                     # do it (FILE.bak backups first)
            """,
        subcommands: [ConfigCheckCommand.self, ConfigMigrateCommand.self]
    )
}
