public import KeywardConnectors
import KeywardCore
import PostgresNIO

extension PostgresTableConnector {
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
            [Assignment(column: settings.layout.keyColumn, value: .text(uid))]
            + (try self.assignments(for: attributes, options: options, settingFlags: true))
        var statement = PostgresTableStatement(
            "INSERT INTO \(quotedTable) (\(assignments.map { Self.quoted($0.column) }.joined(separator: ", "))) VALUES (")
        var secrets = PostgresTableSecrets()
        var values: [String] = []
        for assignment in assignments {
            values.append(try expression(assignment.value, in: &statement, secrets: &secrets))
        }
        statement.append(values.joined(separator: ", ") + ")")
        let (query, logger) = (statement.query, logger)
        do {
            try await transaction(columns: assignments.map(\.column)) { [secrets] connection in
                try await secrets.send(on: connection, logger: logger)
                _ = try await connection.query(query, logger: logger).collect()
            }
        } catch where error.kind == .alreadyExists {
            throw await alreadyExists(uid, error)
        }
    }

    /// Sets `attributes` on the row of `uid`. With a password among them,
    /// `options.mustChange` (when not nil) sets the must-change column.
    /// - Throws: ``ConnectorError/Kind/notFound`` when no row has the key.
    public func update(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions) async throws(ConnectorError) {
        let setsPassword = attributes.contains(where: \.isMainPassword)
        try await update(uid: uid, try assignments(for: attributes, options: options, settingFlags: setsPassword))
    }

    /// Deletes the row of `uid`.
    /// - Throws: ``ConnectorError/Kind/notFound`` when no row has the key.
    public func delete(uid: String) async throws(ConnectorError) {
        var statement = PostgresTableStatement("DELETE FROM \(quotedTable) WHERE \(Self.quoted(settings.layout.keyColumn)) = ")
        statement.append(statement.bind(uid) + " RETURNING 1")
        let (query, logger) = (statement.query, logger)
        let deleted = try await transaction(columns: [settings.layout.keyColumn]) { connection in
            try await !connection.query(query, logger: logger).collect().isEmpty
        }
        if !deleted { throw notFound(uid) }
    }

    /// Sets the locked column of `uid` to 0 (false); an unlocked account stays so.
    /// - Throws: ``ConnectorError/Kind/unsupported`` without `lockedColumn`;
    ///   ``ConnectorError/Kind/notFound`` when no row has the key.
    public func unlock(uid: String) async throws(ConnectorError) {
        guard let column = settings.layout.lockedColumn else {
            throw ConnectorError(
                .unsupported, "system '\(definition.name)' has no lockedColumn, so Keyward cannot unlock accounts there")
        }
        try await update(uid: uid, [Assignment(column: column, value: .text("0"))])
    }

    /// `UPDATE … SET … WHERE key = $n RETURNING 1`, or `SELECT 1 … WHERE
    /// key = $1` when there is nothing to set: a row back means the account exists.
    func updateQuery(
        uid: String, _ assignments: [Assignment], secrets: inout PostgresTableSecrets
    ) throws(ConnectorError) -> PostgresQuery {
        let key = Self.quoted(settings.layout.keyColumn)
        guard !assignments.isEmpty else {
            var statement = PostgresTableStatement("SELECT 1 FROM \(quotedTable) WHERE \(key) = ")
            statement.append(statement.bind(uid))
            return statement.query
        }
        var statement = PostgresTableStatement("UPDATE \(quotedTable) SET ")
        var sets: [String] = []
        for assignment in assignments {
            sets.append("\(Self.quoted(assignment.column)) = \(try expression(assignment.value, in: &statement, secrets: &secrets))")
        }
        statement.append(sets.joined(separator: ", ") + " WHERE \(key) = ")
        statement.append(statement.bind(uid) + " RETURNING 1")
        return statement.query
    }

    /// Runs ``updateQuery(uid:_:secrets:)`` in a transaction of its own.
    private func update(uid: String, _ assignments: [Assignment]) async throws(ConnectorError) {
        var secrets = PostgresTableSecrets()
        let query = try updateQuery(uid: uid, assignments, secrets: &secrets)
        let logger = logger
        let updated = try await transaction(columns: assignments.map(\.column)) { [secrets] connection in
            try await secrets.send(on: connection, logger: logger)
            return try await !connection.query(query, logger: logger).collect().isEmpty
        }
        if !updated { throw notFound(uid) }
    }

    /// A taken key, or another unique column's value taken: the message
    /// says which (by asking whether the key is there).
    private func alreadyExists(_ uid: String, _ error: ConnectorError) async -> ConnectorError {
        var statement = PostgresTableStatement(
            "SELECT 1 FROM \(quotedTable) WHERE \(Self.quoted(settings.layout.keyColumn)) = ")
        statement.append(statement.bind(uid))
        let (query, logger) = (statement.query, logger)
        let keyTaken = try? await session { connection in
            try await !connection.query(query, logger: logger).collect().isEmpty
        }
        if keyTaken == false {
            let said = error.message.trimmingPrefix("\(failure.system): ")
            return ConnectorError(
                .alreadyExists,
                "the account '\(uid)' cannot be added to table \(settings.layout.table) of system "
                    + "'\(definition.name)': another row has the same value in a unique column (\(said))")
        }
        return ConnectorError(
            .alreadyExists,
            "an account with key '\(uid)' exists in table \(settings.layout.table) of system '\(definition.name)'")
    }
}
