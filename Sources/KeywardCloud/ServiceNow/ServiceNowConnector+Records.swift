public import KeywardConnectors
import Foundation
import KeywardCore

extension ServiceNowConnector {
    /// Creates the record of `uid` with its fields, `user_password` and
    /// `password_needs_reset` (`options.mustChange`, else the
    /// `passwordNeedsReset` setting): `POST /api/now/table/{table}` with
    /// `sysparm_input_display_value=true`, so the password is hashed.
    /// - Throws: ``ConnectorError/Kind/alreadyExists`` when a record has the uid.
    public func create(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions)
        async throws(ConnectorError)
    {
        let action = "create the account '\(uid)'"
        if try await record(uid, fields: ["sys_id", settings.keyField], action: action) != nil {
            throw ConnectorError(
                .alreadyExists,
                "system '\(definition.name)': could not \(action): \(settings.table) has a record with "
                    + "\(settings.keyField) '\(uid)' already")
        }
        var members = fields(attributes, forCreate: true)
        if !attributes.contains(where: { $0.name == settings.keyField }) {
            members.insert((settings.keyField, .string(uid)), at: 0)
        }
        let secrets = try passwordFields(attributes, options: options, forCreate: true, into: &members, action: action)
        let response = try await table(.POST, query: writeQuery, body: members, action: action, secrets: secrets)
        guard let result = response.jsonObject?["result"] as? [String: Any], result["sys_id"] is String else {
            throw ConnectorError(
                .protocolError, "system '\(definition.name)': could not \(action): the answer has no created record")
        }
    }

    /// Replaces `attributes` of `uid`'s record: `PATCH /api/now/table/{table}/{sys_id}`
    /// with `sysparm_input_display_value=true`. A `__PASSWORD__` among them
    /// sets `user_password` (a first password on a record that exists: the
    /// fixed matrix refuses resets before they are queued). A nil value
    /// empties the field.
    /// - Throws: ``ConnectorError/Kind/notFound`` when there is no such record.
    public func update(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions)
        async throws(ConnectorError)
    {
        let action = "update the account '\(uid)'"
        var members = fields(attributes, forCreate: false)
        let secrets = try passwordFields(attributes, options: options, forCreate: false, into: &members, action: action)
        guard !members.isEmpty else { return }
        let id = try await sysID(of: uid, action: action)
        _ = try await table(
            .PATCH, "/\(id)", query: writeQuery, body: members, action: action, uid: uid, secrets: secrets)
    }

    /// Reads `uid`'s record: its key field, `active`, `locked_out`,
    /// `password_needs_reset` and the mapped fields that are not passwords.
    /// - Throws: ``ConnectorError/Kind/notFound`` when there is no such record.
    public func get(uid: String) async throws(ConnectorError) -> AccountSnapshot {
        let action = "read the account '\(uid)'"
        var names = ["sys_id", settings.keyField, "active", "locked_out", "password_needs_reset"]
        for attribute in definition.attributes where !attribute.isPassword && !names.contains(attribute.name) {
            names.append(attribute.name)
        }
        names.removeAll { $0 == "user_password" }
        guard let found = try await record(uid, fields: names, action: action) else {
            throw ConnectorError(
                .notFound,
                "system '\(definition.name)': could not \(action): there is no account '\(uid)' in \(settings.table)")
        }
        var attributes: [String: String] = [:]
        for name in names {
            if let text = found[name] as? String { attributes[name] = text }
        }
        return AccountSnapshot(
            uid: uid, attributes: attributes, locked: attributes["locked_out"].map { $0 == "true" },
            mustChange: attributes["password_needs_reset"].map { $0 == "true" })
    }

    /// Deletes `uid`'s record.
    /// - Throws: ``ConnectorError/Kind/notFound`` when there is no such record.
    public func delete(uid: String) async throws(ConnectorError) {
        let action = "delete the account '\(uid)'"
        let id = try await sysID(of: uid, action: action)
        _ = try await table(.DELETE, "/\(id)", query: [], action: action, uid: uid)
    }

    /// The plain fields of a create or update body; nil values are left out
    /// of a create and empty a field on an update.
    private func fields(_ attributes: [ConnectorAttribute], forCreate: Bool) -> [(String, JSONValue)] {
        attributes.compactMap { attribute in
            switch attribute.value {
            case .plain(let text) where !attribute.isMainPassword: (attribute.name, .string(text))
            case nil where !forCreate && !attribute.isMainPassword: (attribute.name, .string(""))
            default: nil
            }
        }
    }

    /// Adds `user_password` and `password_needs_reset` when `attributes`
    /// carry a `__PASSWORD__`; returns the secrets sent.
    /// - Throws: ``ConnectorError/Kind/configuration`` for a `__PASSWORD__`
    ///   without a value on an update (a create without one leaves the
    ///   password unset, as the shipped script intends).
    private func passwordFields(
        _ attributes: [ConnectorAttribute], options: PasswordOptions, forCreate: Bool,
        into members: inout [(String, JSONValue)], action: String
    ) throws(ConnectorError) -> [GuardedString] {
        guard let main = attributes.first(where: \.isMainPassword) else { return [] }
        guard case .secret(let password)? = main.value else {
            if forCreate { return [] }
            throw ConnectorError(
                .configuration, "system '\(definition.name)': could not \(action): there is no password to set")
        }
        members.append(("user_password", .secret(password)))
        members.append(("password_needs_reset", .string((options.mustChange ?? settings.passwordNeedsReset) ? "true" : "false")))
        return [password]
    }
}
