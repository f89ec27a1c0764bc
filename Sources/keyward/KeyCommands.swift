import ArgumentParser
import Foundation
import KeywardCore
import KeywardStore

/// `keyward keygen`: makes the master key that encrypts queued passwords.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a new master key file (mode 0600) for the queue's confidential storage.",
        discussion: """
            Keyward keeps the passwords a queued operation carries encrypted (AES-256-GCM) under a \
            master key, and will not start without one. The key is read from KEYWARD_MASTER_KEY \
            (base64) if set, else from the file `keyFile:` names in keyward.yaml (default keyward.key, \
            beside keyward.yaml).

            Examples:
              keyward keygen                          # writes keyward.key beside keyward.yaml
              keyward keygen --output /etc/keyward/master.key
              export KEYWARD_MASTER_KEY="$(keyward keygen --output -)"   # for a secret store; prints the key

            An existing key file is never overwritten (--force replaces it: operations queued under \
            the old key can then no longer be decrypted; use `keyward key rotate` instead).
            """)

    @OptionGroup var options: ConfigOption

    @Option(help: ArgumentHelp("Where to write the key (default: keyFile from keyward.yaml); - prints it.", valueName: "path"))
    var output: String?

    @Flag(help: "Replace an existing key file (queued operations under the old key become undecryptable).")
    var force = false

    func run() throws {
        let key = MasterKey.generate()
        if output == "-" {
            guard isatty(STDOUT_FILENO) == 0 else {
                throw CommandError("--output - prints the key; redirect it into a secret store, not a terminal")
            }
            key.encoded().withPlaintext { Console.outRaw($0 + "\n") }
            return
        }
        let path: String
        if let output {
            path = output
        } else {
            let configuration = try Runtime.loadConfiguration(options.config)
            path = Runtime.keyFile(of: configuration)
        }
        try Runtime.createParentFolder(of: path)
        do {
            try MasterKey.write(key, to: path, overwrite: force)
        } catch {
            throw CommandError(error.message)
        }
        Console.out("wrote master key \(key.id) to \(path) (mode 0600); keep a copy where you keep backups of the store")
    }
}

/// `keyward key rotate`: re-encrypts confidential storage under a new key.
struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Manage the master key.",
        subcommands: [RotateCommand.self])

    struct RotateCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate",
            abstract: "Make a new master key and re-encrypt every queued secret under it.",
            discussion: """
                Writes KEYFILE.new, re-encrypts confidential storage in one transaction, then renames \
                the old key to KEYFILE.previous and the new one to KEYFILE. A crash at any step loses \
                nothing: Keyward reads KEYFILE.previous too, and every value names the key it is under. \
                Delete KEYFILE.previous once `keyward key rotate --status` shows no value under it.

                With KEYWARD_MASTER_KEY set, give --new-key-file: the new key is written there, and \
                you set KEYWARD_MASTER_KEY to its content afterwards.

                Examples:
                  keyward key rotate
                  keyward key rotate --status
                """)

        @OptionGroup var options: ConfigOption

        @Option(help: ArgumentHelp("Write the new key here (needed when KEYWARD_MASTER_KEY is set).", valueName: "path"))
        var newKeyFile: String?

        @Flag(help: "Only show how many values are under each key.")
        var status = false

        func run() async throws {
            let configuration = try Runtime.loadConfiguration(options.config)
            let keyring = try Runtime.keyring(for: configuration)
            let store = try await Runtime.openStore(configuration, keyring: keyring)
            if status {
                let counts = try await store.secretCounts()
                Console.out("current key: \(keyring.current.id)")
                if counts.isEmpty { Console.out("confidential storage is empty") }
                for (id, count) in counts.sorted(by: { $0.key < $1.key }) {
                    Console.out("\(id): \(count) value(s)\(id == keyring.current.id ? " (current)" : "")")
                }
                return
            }
            let usesEnvironment = ProcessInfo.processInfo.environment[MasterKey.environmentVariable] != nil
            let keyFile = Runtime.keyFile(of: configuration)
            if usesEnvironment && newKeyFile == nil {
                throw CommandError("the master key comes from \(MasterKey.environmentVariable); give --new-key-file PATH for the new key")
            }
            let newKey = MasterKey.generate()
            let staged = newKeyFile ?? keyFile + ".new"
            do {
                try MasterKey.write(newKey, to: staged, overwrite: newKeyFile == nil)
                let count = try await store.rotateKey(to: newKey)
                if newKeyFile == nil {
                    try FileManager.default.moveItemReplacing(at: keyFile, to: keyFile + ".previous")
                    try FileManager.default.moveItemReplacing(at: staged, to: keyFile)
                    Console.out(
                        "re-encrypted \(count) value(s) under \(newKey.id); \(keyFile) is the new key, "
                            + "the old one (\(keyring.current.id)) is \(keyFile).previous")
                } else {
                    Console.out(
                        "re-encrypted \(count) value(s) under \(newKey.id), written to \(staged); "
                            + "set \(MasterKey.environmentVariable) to its content, then restart Keyward")
                }
            } catch let error as StoreError {
                throw CommandError(error.message)
            }
        }
    }
}

extension FileManager {
    /// Renames `source` to `destination`, replacing it.
    func moveItemReplacing(at source: String, to destination: String) throws {
        guard rename(source, destination) == 0 else {
            throw CommandError("cannot rename \(source) to \(destination): \(String(cString: strerror(errno)))")
        }
    }
}
