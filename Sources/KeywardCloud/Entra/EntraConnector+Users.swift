public import KeywardConnectors
import Foundation
import KeywardCore

extension EntraConnector {
    /// Creates the user `uid` (its `userPrincipalName`) with its first
    /// password: `POST /users`.
    ///
    /// `forceChangePasswordNextSignIn` is `options.mustChange` when given,
    /// else the `forceChangePasswordNextSignIn` setting (default true).
    /// - Throws: ``ConnectorError/Kind/alreadyExists`` when the UPN is
    ///   taken; ``ConnectorError/Kind/policyRejected`` when the password does
    ///   not meet the tenant's complexity rules;
    ///   ``ConnectorError/Kind/configuration`` when there is no password
    ///   (Graph creates no user without one).
    public func create(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions)
        async throws(ConnectorError)
    {
        let action = "create the account '\(uid)'"
        guard case .secret(let password)? = attributes.first(where: \.isMainPassword)?.value else {
            throw ConnectorError(
                .configuration,
                "system '\(definition.name)': could not \(action): Entra ID creates no user without a password; "
                    + "give the system a generate policy, and make sure its __PASSWORD__ script returns one")
        }
        let members = try withContext(action) { () throws(ConnectorError) in
            try EntraUserFields.members(uid: uid, attributes: attributes, forCreate: true)
        }
        let forceChange = options.mustChange ?? settings.forceChangePasswordNextSignIn
        _ = try await graph(
            .POST, "/users", body: members + [EntraUserFields.passwordProfile(password, forceChange: forceChange)],
            action: action, forbidden: Self.createHint, secrets: [password])
    }

    /// Replaces `attributes` of `uid`: `PATCH /users/{uid}`. A
    /// `__PASSWORD__` among them is a reset, sent as `passwordProfile` with
    /// the password and `forceChangePasswordNextSignIn` (`options.mustChange`,
    /// else the setting). A nil value clears the property.
    /// - Throws: ``ConnectorError/Kind/notFound`` when there is no such
    ///   user; ``ConnectorError/Kind/permissionDenied`` when the app lacks
    ///   `User-PasswordProfile.ReadWrite.All`; ``ConnectorError/Kind/configuration``
    ///   for a `__PASSWORD__` without a value (Graph would ignore the flag alone).
    public func update(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions)
        async throws(ConnectorError)
    {
        let main = attributes.first(where: \.isMainPassword)
        let action = main == nil ? "update the account '\(uid)'" : "reset the password of '\(uid)'"
        var members = try withContext(action) { () throws(ConnectorError) in
            try EntraUserFields.members(uid: uid, attributes: attributes, forCreate: false)
        }
        var secrets: [GuardedString] = []
        if let main {
            guard case .secret(let password)? = main.value else {
                throw ConnectorError(
                    .configuration,
                    "system '\(definition.name)': could not \(action): there is no password to set, and Graph "
                        + "ignores a passwordProfile without one")
            }
            members.append(
                EntraUserFields.passwordProfile(
                    password, forceChange: options.mustChange ?? settings.forceChangePasswordNextSignIn))
            secrets.append(password)
        }
        guard !members.isEmpty else { return }
        _ = try await graph(
            .PATCH, Self.userPath(uid), body: members, action: action, uid: uid,
            forbidden: main == nil ? Self.writeHint : Self.resetHint, secrets: secrets)
    }

    /// Reads the user `uid`: `GET /users/{uid}?$select=…` with the standard
    /// properties and the mapped ones that are not passwords. Graph does not
    /// say whether an account is locked or must change its password: both nil.
    /// - Throws: ``ConnectorError/Kind/notFound`` when there is no such user.
    public func get(uid: String) async throws(ConnectorError) -> AccountSnapshot {
        let action = "read the account '\(uid)'"
        var names = EntraUserFields.standard
        for attribute in definition.attributes where !attribute.isPassword && !names.contains(attribute.name) {
            names.append(attribute.name)
        }
        let response = try await graph(
            .GET, Self.userPath(uid), query: [("$select", names.joined(separator: ","))], action: action, uid: uid,
            forbidden: Self.readHint)
        guard let object = response.jsonObject else {
            throw ConnectorError(
                .protocolError, "system '\(definition.name)': could not \(action): Graph's answer is not a JSON object")
        }
        var attributes: [String: String] = [:]
        for name in names {
            switch object[name] {
            case let text as String: attributes[name] = text
            case let flag as Bool where EntraUserFields.booleans.contains(name): attributes[name] = flag ? "true" : "false"
            case let number as NSNumber: attributes[name] = number.stringValue
            default: continue
            }
        }
        return AccountSnapshot(uid: uid, attributes: attributes)
    }

    /// Deletes the user `uid` (`DELETE /users/{uid}`); Entra keeps it in
    /// its deleted items for 30 days.
    /// - Throws: ``ConnectorError/Kind/notFound`` when there is no such user.
    public func delete(uid: String) async throws(ConnectorError) {
        _ = try await graph(
            .DELETE, Self.userPath(uid), action: "delete the account '\(uid)'", uid: uid, forbidden: Self.writeHint)
    }

    /// Runs `body`, prefixing its error with the system and `action`.
    func withContext<Value>(_ action: String, _ body: () throws(ConnectorError) -> Value) throws(ConnectorError) -> Value {
        do {
            return try body()
        } catch {
            throw error.context(system: definition.name, action: action)
        }
    }

    static let createHint = "grant the app registration User.ReadWrite.All (or User.Create) with admin consent"
    static let writeHint = "grant the app registration User.ReadWrite.All with admin consent"
    static let resetHint =
        "grant the app registration User-PasswordProfile.ReadWrite.All with admin consent (resetting an "
        + "administrator's password also needs the Privileged Authentication Administrator role)"
}
