import ArgumentParser

/// `--config PATH`: the main configuration, shared by every command that
/// touches the store or the systems.
struct ConfigOption: ParsableArguments {
    @Option(help: ArgumentHelp("The main configuration file; connector files are read beside it.", valueName: "path"))
    var config = "keyward.yaml"
}
