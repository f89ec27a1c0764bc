#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import GRDB
import Synchronization

/// The embedded store: one SQLite file in WAL mode, through GRDB.
///
/// Secrets are bound into SQL only as AES-GCM ciphertext, and
/// `secure_delete` zeroes the pages of deleted rows, so the file, its WAL and
/// its shared-memory index never hold a password.
public final class SQLiteStore: Store {
    /// The database file.
    public let path: String
    let pool: DatabasePool
    /// Every write goes through it; concurrent writes share commits.
    let commits: GroupCommit
    // Every writer reads it inside its transaction; `rotateKey` replaces it there.
    let keys: Mutex<Keyring>

    /// Opens (creating if needed) the store at `path` and brings its schema
    /// up to date.
    ///
    /// A new file is created readable by its owner only. Fails with `.corrupt`
    /// for a file that is not a Keyward store, `.tooNew` for a schema from a
    /// newer Keyward, and `.locked` when another process holds the database
    /// longer than `busyTimeout`.
    public init(path: String, keyring: Keyring, busyTimeout: Duration = .seconds(5)) throws(StoreError) {
        self.path = path
        self.keys = Mutex(keyring)
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(Self.seconds(busyTimeout))
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        let migrator = Self.migrator
        do {
            try Self.createPrivateFile(at: path)
            let pool = try DatabasePool(path: path, configuration: configuration)
            self.pool = pool
            self.commits = GroupCommit(pool: pool)
            try pool.barrierWriteWithoutTransaction { db in
                // GRDB leaves a pool at NORMAL, which may lose the last
                // commits to a power cut: a queued request, an audit entry.
                // FULL syncs the WAL at every commit; group commit shares it.
                try db.execute(sql: "PRAGMA synchronous = FULL")
                if try migrator.hasBeenSuperseded(db) {
                    let known = Set(migrator.migrations)
                    let unknown = try migrator.appliedIdentifiers(db).subtracting(known).sorted()
                    throw StoreError(
                        .tooNew,
                        "\(path) was written by a newer Keyward (schema \(unknown.joined(separator: ", ")), which this build does not know); upgrade Keyward to open it"
                    )
                }
            }
            try migrator.migrate(pool)
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    /// What SQLite's one writer connection has done since the store opened.
    public var writerLoad: WriterLoad { commits.load }

    /// The keyring in force (after ``rotateKey(to:)``, the new key is current).
    public var keyring: Keyring {
        keys.withLock { $0 }
    }

    /// Runs `updates` atomically, in a savepoint of a write transaction that
    /// concurrent writes may share (``GroupCommit``); returns once it has
    /// committed, synced to disk unless `commit` says otherwise (see
    /// ``GroupCommit/Commit``). Errors become ``StoreError``s.
    func write<T: Sendable>(
        _ commit: GroupCommit.Commit = .synced, _ updates: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        do {
            return try await commits.write(commit, updates)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    /// Runs `value` in one read transaction; errors become ``StoreError``s.
    func read<T: Sendable>(_ value: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(value)
        } catch let error as CancellationError {
            throw error
        } catch {
            throw Self.storeError(error, path: path)
        }
    }

    /// Maps SQLite's result codes to store errors. SQLite messages never hold
    /// a secret: secrets reach SQL only as ciphertext, and GRDB keeps
    /// statement arguments out of its errors.
    static func storeError(_ error: any Error, path: String) -> StoreError {
        if let error = error as? StoreError { return error }
        guard let error = error as? DatabaseError else {
            return StoreError(.database, "\(path): \(error)")
        }
        let detail = error.message ?? "error \(error.extendedResultCode.rawValue)"
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return StoreError(.corrupt, "\(path) is not a Keyward store, or it is damaged (SQLite: \(detail))")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError(
                .locked,
                "\(path) is locked: another process holds the database and did not let go in time (SQLite: \(detail)); stop the other Keyward, or try again"
            )
        default:
            return StoreError(.database, "\(path): \(detail)")
        }
    }

    /// Creates a missing database file with mode 0600 so that SQLite, which
    /// gives its WAL and shared-memory files the database's mode, never makes
    /// them readable by others.
    private static func createPrivateFile(at path: String) throws(StoreError) {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            closeDescriptor(descriptor)
            return
        }
        let code = errno
        if code == EEXIST { return }
        throw StoreError(.database, "cannot create \(path): \(String(cString: strerror(code)))")
    }

    private static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}

/// The C library's `close`, which the store's own ``SQLiteStore/close()`` hides inside the type.
private func closeDescriptor(_ descriptor: Int32) {
    close(descriptor)
}
