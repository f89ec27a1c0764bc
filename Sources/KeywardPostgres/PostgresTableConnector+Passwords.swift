public import KeywardConnectors
public import KeywardCore
import NIOCore
import PostgresNIO

extension PostgresTableConnector {
    /// One column to set and its value.
    struct Assignment: Sendable {
        var column: String
        var value: Value
    }

    /// What a column is set to.
    enum Value: Sendable {
        /// NULL.
        case null
        /// Plain text, bound; the column's type decides how it is read.
        case text(String)
        /// A secret or a hash, sent by COPY and stored as it is.
        case secret(GuardedString)
        /// A password pgcrypto hashes: `crypt(password, gen_salt('bf', cost))`.
        case pgcrypto(GuardedString, cost: Int)
    }

    /// Changes the password of `uid` after checking `current` against the
    /// stored value, with the row locked, and clears the must-change column.
    ///
    /// pgcrypto-bcrypt is checked in the database (`column =
    /// crypt(current, column)`); Keyward's hashes in Keyward, on the stored
    /// value read with the row. When `current` does not verify but the new
    /// `__PASSWORD__` does, an earlier attempt made the change: this
    /// succeeds without writing.
    /// - Throws: ``ConnectorError/Kind/credentialsRejected`` when neither
    ///   verifies; ``ConnectorError/Kind/notFound`` when no row has the key.
    public func changePassword(uid: String, current: GuardedString, attributes: [ConnectorAttribute]) async throws(ConnectorError) {
        let assignments = try self.assignments(
            for: attributes, options: PasswordOptions(mustChange: false), settingFlags: true)
        let newPassword = attributes.last(where: \.isMainPassword).flatMap(\.value).map(Self.secret(of:))
        var secrets = PostgresTableSecrets()
        let check = try verificationQuery(uid: uid, current: current, new: newPassword, secrets: &secrets)
        let update = try updateQuery(uid: uid, assignments, secrets: &secrets)
        let (storage, logger) = (settings.passwordStorage, logger)
        let columns = [settings.layout.passwordColumn] + assignments.map(\.column)
        let changed = try await transaction(columns: columns) { [secrets] connection -> Bool? in
            try await secrets.send(on: connection, logger: logger)
            guard let row = try await connection.query(check, logger: logger).collect().first else { return nil }
            let (currentVerifies, newVerifies) = try Self.verifies(row, storage: storage, current: current, new: newPassword)
            if currentVerifies {
                _ = try await connection.query(update, logger: logger).collect()
                return true
            }
            return newVerifies
        }
        switch changed {
        case nil:
            throw notFound(uid)
        case false:
            throw ConnectorError(
                .credentialsRejected, "the current password of '\(uid)' on system '\(definition.name)' is not correct")
        case true:
            return
        }
    }

    /// Reads the row of `uid` and locks it: for pgcrypto, whether `current`
    /// and `new` verify; for Keyward's hashes, the stored value.
    private func verificationQuery(
        uid: String, current: GuardedString, new: GuardedString?, secrets: inout PostgresTableSecrets
    ) throws(ConnectorError) -> PostgresQuery {
        let column = Self.quoted(settings.layout.passwordColumn)
        var statement = PostgresTableStatement("SELECT ")
        switch settings.passwordStorage {
        case .pgcryptoBcrypt:
            // crypt() fails on a value that is no hash it knows, so only hashes are checked.
            func verifies(_ password: GuardedString?) throws(ConnectorError) -> String {
                guard let password, password.withUnsafeBytes(PostgresTableSecrets.isText) else { return "false" }
                return "CASE WHEN \(column) LIKE '$2a$%' OR \(column) LIKE '$2x$%' OR \(column) LIKE '$1$%' "
                    + "THEN \(column) = crypt(\(try secrets.add(password)), \(column)) ELSE false END"
            }
            statement.append("\(try verifies(current)), \(try verifies(new))")
        case .keyward:
            statement.append(column)
        }
        statement.append(" FROM \(quotedTable) WHERE \(Self.quoted(settings.layout.keyColumn)) = ")
        statement.append(statement.bind(uid) + " FOR UPDATE")
        return statement.query
    }

    /// Whether `current` and `new` verify, from the row of ``verificationQuery(uid:current:new:secrets:)``.
    private static func verifies(
        _ row: PostgresRow, storage: PostgresTablePasswordStorage, current: GuardedString, new: GuardedString?
    ) throws -> (current: Bool, new: Bool) {
        switch storage {
        case .pgcryptoBcrypt:
            let (current, new) = try row.decode((Bool?, Bool?).self)
            return (current == true, new == true)
        case .keyward(let hashing):
            // The stored value (for cleartext, the password itself) is
            // checked where postgres-nio read it, then wiped there.
            guard var stored = try row.decode(ByteBuffer?.self) else { return (false, false) }
            defer { PostgresTableSecrets.wipe(&stored) }
            return stored.withUnsafeReadableBytes { bytes in
                let current = hashing.verify(current, againstStoredBytes: bytes)
                return (current, !current && new.map { hashing.verify($0, againstStoredBytes: bytes) } == true)
            }
        }
    }

    /// The columns and values for `attributes`: `__PASSWORD__` hashed into
    /// the password column, the key column left out, the last value of a
    /// column winning; with `settingFlags`, `options.mustChange` on the
    /// must-change column.
    func assignments(
        for attributes: [ConnectorAttribute], options: PasswordOptions, settingFlags: Bool
    ) throws(ConnectorError) -> [Assignment] {
        var assignments: [Assignment] = []
        func set(_ column: String, _ value: Value) {
            assignments.removeAll { $0.column == column }
            assignments.append(Assignment(column: column, value: value))
        }
        for attribute in attributes {
            if attribute.isMainPassword {
                set(settings.layout.passwordColumn, try passwordValue(attribute.value))
                continue
            }
            guard SQLIdentifier.isValid(attribute.name) else {
                throw ConnectorError(
                    .configuration,
                    "attribute '\(attribute.name)' of system '\(definition.name)' is not a plain column name")
            }
            if attribute.name == settings.layout.keyColumn { continue }
            switch attribute.value {
            case nil: set(attribute.name, .null)
            case .plain(let text): set(attribute.name, .text(text))
            case .secret(let secret): set(attribute.name, .secret(secret))
            }
        }
        if settingFlags, let mustChange = options.mustChange, let column = settings.layout.mustChangeColumn {
            set(column, .text(mustChange ? "1" : "0"))
        }
        return assignments
    }

    /// The SQL for `value` in `statement`: a bound parameter, a secret's slot, or pgcrypto over one.
    func expression(
        _ value: Value, in statement: inout PostgresTableStatement, secrets: inout PostgresTableSecrets
    ) throws(ConnectorError) -> String {
        do throws(ConnectorError) {
            switch value {
            case .null: return "NULL"
            case .text(let text): return statement.bind(text)
            case .secret(let secret): return try secrets.add(secret)
            case .pgcrypto(let password, let cost): return "crypt(\(try secrets.add(password)), gen_salt('bf', \(cost)))"
            }
        } catch {
            throw ConnectorError(error.kind, "system '\(definition.name)': \(error.message)")
        }
    }

    /// The stored form of a `__PASSWORD__` value, hashing errors naming the system.
    private func passwordValue(_ value: PlannedAttribute.Value?) throws(ConnectorError) -> Value {
        guard let password = value.map(Self.secret(of:)) else { return .null }
        do throws(ConnectorError) {
            switch settings.passwordStorage {
            case .pgcryptoBcrypt(let cost):
                // pgcrypto would silently use only the first 72 bytes.
                if password.count > 72 {
                    throw ConnectorError(.policyRejected, "bcrypt takes at most 72 bytes of a password, and this one is longer")
                }
                return .pgcrypto(password, cost: cost)
            case .keyward(.cleartext):
                return .secret(password)
            case .keyward(let hashing):
                return .secret(GuardedString(try hashing.hash(password)))
            }
        } catch {
            throw ConnectorError(error.kind, "system '\(definition.name)': \(error.message)")
        }
    }

    /// The value as a secret; a plain value (not expected for a password) is taken as one.
    static func secret(of value: PlannedAttribute.Value) -> GuardedString {
        switch value {
        case .secret(let secret): secret
        case .plain(let text): GuardedString(text)
        }
    }
}
