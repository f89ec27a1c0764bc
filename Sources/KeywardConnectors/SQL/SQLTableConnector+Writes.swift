import GRDB
import GRDBSQLite
public import KeywardCore

extension SQLTableConnector {
    /// One column to set and its value.
    struct Assignment: Sendable {
        var column: String
        var value: SQLValue
    }

    /// Inserts the row of `uid`.
    ///
    /// The key column takes `uid` (an attribute of the same name is
    /// ignored); `options.mustChange` sets the must-change column when
    /// there is one.
    /// - Throws: ``ConnectorError/Kind/alreadyExists`` when the key (or
    ///   another unique column) is taken; ``ConnectorError/Kind/configuration``
    ///   for an attribute with no column.
    public func create(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions) async throws(ConnectorError) {
        let assignments =
            [Assignment(column: settings.keyColumn, value: .text(uid))]
            + (try self.assignments(for: attributes, options: options, settingFlags: true))
        let columns = assignments.map { SQLIdentifier.quoted($0.column) }.joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: assignments.count).joined(separator: ", ")
        let sql = "INSERT INTO \(quotedTable) (\(columns)) VALUES (\(placeholders))"
        try await write { db in
            try self.checkColumns(assignments.map(\.column), db)
            do {
                try SQLValue.execute(sql, assignments.map(\.value), in: db)
            } catch let error as DatabaseError
                where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
                || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
            {
                throw self.alreadyExists(uid, error)
            }
        }
    }

    /// Sets `attributes` on the row of `uid`. With a password among them,
    /// `options.mustChange` (when not nil) sets the must-change column.
    /// - Throws: ``ConnectorError/Kind/notFound`` when no row has the key.
    public func update(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions) async throws(ConnectorError) {
        let setsPassword = attributes.contains(where: \.isMainPassword)
        let assignments = try self.assignments(for: attributes, options: options, settingFlags: setsPassword)
        try await write { db in
            try self.update(uid: uid, assignments, db)
        }
    }

    /// Deletes the row of `uid`.
    /// - Throws: ``ConnectorError/Kind/notFound`` when no row has the key.
    public func delete(uid: String) async throws(ConnectorError) {
        let sql = "DELETE FROM \(quotedTable) WHERE \(SQLIdentifier.quoted(settings.keyColumn)) = ?"
        try await write { db in
            _ = try self.columns(db)
            try SQLValue.execute(sql, [.text(uid)], in: db)
            if db.changesCount == 0 { throw self.notFound(uid) }
        }
    }

    /// Changes the password of `uid` after checking `current` against the
    /// stored value, in one transaction, and clears the must-change column.
    ///
    /// When `current` does not verify but the new `__PASSWORD__` does, an
    /// earlier attempt already made the change: this succeeds without
    /// writing.
    /// - Throws: ``ConnectorError/Kind/credentialsRejected`` when neither
    ///   verifies; ``ConnectorError/Kind/notFound`` when no row has the key.
    public func changePassword(uid: String, current: GuardedString, attributes: [ConnectorAttribute]) async throws(ConnectorError) {
        // A changed password no longer has to change: clear the flag.
        let assignments = try self.assignments(
            for: attributes, options: PasswordOptions(mustChange: false), settingFlags: true)
        let newPassword = attributes.last(where: \.isMainPassword).flatMap(\.value).flatMap(Self.secret(of:))
        let storage = settings.passwordStorage
        let sql = "SELECT \(SQLIdentifier.quoted(settings.passwordColumn)) FROM \(quotedTable) "
            + "WHERE \(SQLIdentifier.quoted(settings.keyColumn)) = ? LIMIT 1"
        try await write { db in
            try self.checkColumns([self.settings.passwordColumn], db)
            let statement = try db.makeStatement(sql: sql)
            let rows = try Row.fetchCursor(statement, arguments: [uid])
            guard try rows.next() != nil else { throw self.notFound(uid) }
            // Checked in SQLite's own buffer for the row, so the stored value
            // (the password itself, for cleartext storage) is never copied.
            func verifies(_ password: GuardedString) -> Bool {
                let row = statement.sqliteStatement
                guard sqlite3_column_type(row, 0) != SQLITE_NULL else { return false }
                let bytes = sqlite3_column_blob(row, 0)
                let count = Int(sqlite3_column_bytes(row, 0))
                return storage.verify(password, againstStoredBytes: UnsafeRawBufferPointer(start: bytes, count: count))
            }
            let currentVerifies = verifies(current)
            let alreadyChanged = !currentVerifies && newPassword.map(verifies) == true
            while try rows.next() != nil {}

            if currentVerifies {
                try self.update(uid: uid, assignments, db)
            } else if alreadyChanged {
                return
            } else {
                throw ConnectorError(
                    .credentialsRejected,
                    "the current password of '\(uid)' on system '\(self.definition.name)' is not correct")
            }
        }
    }

    /// Sets the locked column of `uid` to 0; an unlocked account stays so.
    /// - Throws: ``ConnectorError/Kind/unsupported`` without `lockedColumn`;
    ///   ``ConnectorError/Kind/notFound`` when no row has the key.
    public func unlock(uid: String) async throws(ConnectorError) {
        guard let column = settings.lockedColumn else {
            throw ConnectorError(
                .unsupported, "system '\(definition.name)' has no lockedColumn, so Keyward cannot unlock accounts there")
        }
        let assignments = [Assignment(column: column, value: .integer(0))]
        try await write { db in try self.update(uid: uid, assignments, db) }
    }

    /// `UPDATE … WHERE key = ?`, or a check that the row exists when there
    /// is nothing to set.
    private func update(uid: String, _ assignments: [Assignment], _ db: Database) throws {
        let key = SQLIdentifier.quoted(settings.keyColumn)
        try checkColumns(assignments.map(\.column) + [settings.keyColumn], db)
        guard !assignments.isEmpty else {
            let exists = try Bool.fetchOne(db, sql: "SELECT 1 FROM \(quotedTable) WHERE \(key) = ?", arguments: [uid])
            if exists == nil { throw notFound(uid) }
            return
        }
        let set = assignments.map { "\(SQLIdentifier.quoted($0.column)) = ?" }
        let sql = "UPDATE \(quotedTable) SET \(set.joined(separator: ", ")) WHERE \(key) = ?"
        try SQLValue.execute(sql, assignments.map(\.value) + [.text(uid)], in: db)
        if db.changesCount == 0 { throw notFound(uid) }
    }

    /// The columns and values for `attributes`: `__PASSWORD__` hashed into
    /// the password column, the key column left out, the last value of a
    /// column winning; with `settingFlags`, `options.mustChange` on the
    /// must-change column.
    private func assignments(
        for attributes: [ConnectorAttribute], options: PasswordOptions, settingFlags: Bool
    ) throws(ConnectorError) -> [Assignment] {
        var assignments: [Assignment] = []
        func set(_ column: String, _ value: SQLValue) {
            assignments.removeAll { $0.column.lowercased() == column.lowercased() }
            assignments.append(Assignment(column: column, value: value))
        }
        for attribute in attributes {
            if attribute.isMainPassword {
                set(settings.passwordColumn, try passwordValue(attribute.value))
                continue
            }
            guard SQLIdentifier.isValid(attribute.name) else {
                throw ConnectorError(
                    .configuration,
                    "attribute '\(attribute.name)' of system '\(definition.name)' is not a plain column name")
            }
            if attribute.name.lowercased() == settings.keyColumn.lowercased() { continue }
            switch attribute.value {
            case nil: set(attribute.name, .null)
            case .plain(let text): set(attribute.name, .text(text))
            case .secret(let secret): set(attribute.name, .secret(secret))
            }
        }
        if settingFlags, let mustChange = options.mustChange, let column = settings.mustChangeColumn {
            set(column, .integer(mustChange ? 1 : 0))
        }
        return assignments
    }

    /// The stored form of a `__PASSWORD__` value, hashing errors naming the system.
    private func passwordValue(_ value: PlannedAttribute.Value?) throws(ConnectorError) -> SQLValue {
        guard let password = value.flatMap(Self.secret(of:)) else { return .null }
        do {
            return try settings.passwordStorage.storedValue(for: password)
        } catch {
            throw ConnectorError(error.kind, "system '\(definition.name)': \(error.message)")
        }
    }

    /// The value as a secret; a plain value (not expected for a password)
    /// is taken as one.
    private static func secret(of value: PlannedAttribute.Value) -> GuardedString {
        switch value {
        case .secret(let secret): secret
        case .plain(let text): GuardedString(text)
        }
    }

    private func alreadyExists(_ uid: String, _ error: DatabaseError) -> ConnectorError {
        let keyConstraint = "\(settings.table).\(settings.keyColumn)".lowercased()
        if let message = error.message, !message.lowercased().contains(keyConstraint) {
            return ConnectorError(
                .alreadyExists,
                "the account '\(uid)' cannot be added to table \(settings.table) of system '\(definition.name)': "
                    + "another row has the same value in a unique column (\(message))")
        }
        return ConnectorError(
            .alreadyExists,
            "an account with key '\(uid)' exists in table \(settings.table) of system '\(definition.name)'")
    }
}
