import ArgumentParser
import Foundation
import KeywardConfiguration
import KeywardPostgres
import KeywardStore

/// `keyward store`: the store itself, as opposed to what it holds.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Work on the store itself: move it from SQLite to PostgreSQL.",
        subcommands: [StoreMigrateCommand.self])
}

/// `keyward store migrate --to postgres://…`: copies the SQLite store into
/// an empty PostgreSQL database, all or nothing.
struct StoreMigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy the SQLite store into an empty PostgreSQL database, for several nodes (docs/scale-out.md).",
        discussion: """
            Copies everything the store keyward.yaml names holds: people, accounts, queued operations \
            with their sealed passwords (as they are: the same master key opens them), the audit log, \
            set-password links, API tokens and waiting mail. Ids are kept. One transaction: on any \
            error nothing is left in PostgreSQL. The SQLite file is only read.

            Before: stop every `keyward run` and `keyward serve` that uses the store (a running \
            operation is refused). The database must exist and be empty; Keyward creates its tables. \
            The password comes from PGPASSWORD or ~/.pgpass, never from the URL.

            After: set `store:` in keyward.yaml to the same URL and start the workers, on as many \
            machines as you like. Keep the SQLite file until you have checked the copy.

            Examples:
              PGPASSWORD=… keyward store migrate --to postgres://keyward@db.example.com:5432/keyward
              keyward store migrate --to 'postgres://keyward@db:5432/keyward?sslrootcert=/etc/keyward/db-ca.pem'
            """)

    @OptionGroup var options: ConfigOption

    @Option(name: .customLong("to"), help: ArgumentHelp("The PostgreSQL store to fill (postgres://user@host:port/database).", valueName: "url"))
    var target: String

    func validate() throws {
        guard target.hasPrefix("postgres://") || target.hasPrefix("postgresql://") else {
            throw ValidationError("--to takes a postgres:// URL, as in postgres://keyward@db.example.com:5432/keyward")
        }
    }

    func run() async throws {
        let configuration = try Runtime.loadConfiguration(options.config)
        guard case .sqlite(path: let path) = configuration.store else {
            throw CommandError("\(configuration.file): the store is PostgreSQL already; `store migrate` copies a SQLite store")
        }
        let keyring = try Runtime.keyring(for: configuration)
        let file = configuration.path(for: path)
        guard FileManager.default.fileExists(atPath: file) else {
            throw CommandError("\(file) does not exist: there is no SQLite store to copy (see `store:` in \(configuration.file))")
        }
        let source: SQLiteStore
        do {
            source = try SQLiteStore(path: file, keyring: keyring)
        } catch {
            throw CommandError(error.message)
        }
        let running = try await storeCall { try await source.operationCounts()[.running] ?? 0 }
        guard running == 0 else {
            throw CommandError(
                "\(running) operation(s) are running in \(file): stop every `keyward run` and `keyward serve` on it first "
                    + "(after a crash, `keyward run --drain` once resumes them)")
        }
        let destination: PostgresStore
        do {
            destination = try await PostgresStore.open(
                url: target, keyring: keyring, environment: ProcessInfo.processInfo.environment, logger: Runtime.storeLogger)
        } catch {
            throw CommandError(error.message)
        }
        let settings = destination.settings
        Console.err("copying \(file) into \(settings.database) on \(settings.host):\(settings.port) as \(settings.user) …")
        let copied: [String: Int]
        let counts: [String: Int]
        do {
            copied = try await storeCall {
                try await destination.importAll(from: source, tables: storeTransferTables, pageSize: 500)
            }
            counts = try await storeCall { try await destination.rowCounts(tables: storeTransferTables) }
        } catch {
            await destination.close()
            throw error
        }
        await destination.close()
        for table in storeTransferTables {
            Console.out("\(table.padding(toLength: 22, withPad: " ", startingAt: 0)) \(copied[table] ?? 0)")
        }
        guard storeTransferTables.allSatisfy({ (copied[$0] ?? 0) == (counts[$0] ?? 0) }) else {
            throw CommandError("the copy's row counts differ from what PostgreSQL holds now; check the database before using it")
        }
        Console.err("done: set `store: \(target)` in \(configuration.file) and start the workers")
    }

    /// Runs a store call, its failure as a one-line error.
    private func storeCall<T>(_ body: () async throws -> T) async throws(CommandError) -> T {
        do {
            return try await body()
        } catch let error as StoreError {
            throw CommandError(error.message)
        } catch {
            throw CommandError("the store call failed (\(type(of: error)))")
        }
    }
}
