public import KeywardConnectors
public import KeywardCore

extension LDAPDirectoryConnector {
    /// Adds the account's entry with the mapped attributes, then sets its
    /// first password with Password Modify (or puts `userPassword` in the
    /// add, with `passwordReset: userPassword`).
    ///
    /// When the password step fails after the add, the entry is deleted
    /// again, so no account is left without a password; the error says so,
    /// or says that the delete failed too.
    /// `options.mustChange` sets (true) or clears (false) `pwdReset` afterwards.
    /// - Throws: ``ConnectorError/Kind/alreadyExists`` for an existing entry;
    ///   ``ConnectorError/Kind/policyRejected`` for a password the policy refuses.
    public func create(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions)
        async throws(ConnectorError)
    {
        let dn = dn(of: uid)
        let password = try mainPassword(in: attributes)
        var entry = entryAttributes(uid: uid, attributes)
        if settings.passwordReset == .userPassword, let password {
            entry.append(("userPassword", [.secret(password)]))
        }
        try await call { () throws(LDAPResultError) in try await session.add(dn: dn, attributes: entry) }

        guard let password else { return }
        if settings.passwordReset == .passwordModify {
            do {
                try await session.passwordModify(dn: dn, old: nil, new: password)
            } catch {
                throw await rollBack(dn: dn, after: failure(error))
            }
        }
        try await setMustChange(options.mustChange, uid: uid)
    }

    /// Sets `attributes` on the account. A `__PASSWORD__` among them is a
    /// reset: Password Modify without the old password (or a replace of
    /// `userPassword`), sent first, so a refused password changes nothing;
    /// then `options.mustChange` sets or clears `pwdReset`. An attribute
    /// without a value is removed. The uid attribute is not renamed.
    /// - Throws: ``ConnectorError/Kind/notFound`` when there is no such entry;
    ///   ``ConnectorError/Kind/policyRejected`` for a password the policy refuses.
    public func update(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions)
        async throws(ConnectorError)
    {
        let dn = dn(of: uid)
        let resetsPassword = attributes.contains(where: \.isMainPassword)
        if resetsPassword {
            guard let password = try mainPassword(in: attributes) else {
                throw ConnectorError(
                    .failed,
                    "system '\(definition.name)': the reset of '\(uid)' has no password (its script returned nil); "
                        + "nothing was changed")
            }
            try await reset(uid: uid, dn: dn, to: password)
        }
        let changes = modifications(for: attributes)
        if !changes.isEmpty {
            try await call(uid: uid) { () throws(LDAPResultError) in try await session.modify(dn: dn, changes) }
        } else if !resetsPassword {
            _ = try await get(uid: uid)
        }
        if resetsPassword { try await setMustChange(options.mustChange, uid: uid) }
    }

    /// Changes the password as the person: binds as the account's DN with
    /// `current` on a connection of its own, and sends Password Modify with
    /// the old and the new password, so the directory checks both against
    /// its policy. Other attributes among `attributes` are then set as Keyward.
    ///
    /// When the bind with `current` is refused but one with the new
    /// password succeeds, an earlier attempt already made the change (a
    /// retry after a crash): this succeeds. (That check is one more failed
    /// bind toward the lockout when `current` is simply wrong; it is skipped
    /// when the directory says the account is locked.)
    /// - Throws: ``ConnectorError/Kind/credentialsRejected`` when `current` is
    ///   wrong or the account is locked; ``ConnectorError/Kind/notFound``;
    ///   ``ConnectorError/Kind/policyRejected``.
    public func changePassword(uid: String, current: GuardedString, attributes: [ConnectorAttribute])
        async throws(ConnectorError)
    {
        let dn = dn(of: uid)
        guard let new = try mainPassword(in: attributes) else {
            throw ConnectorError(
                .failed, "system '\(definition.name)': the password change of '\(uid)' has no new password")
        }
        do {
            let person = try await LDAPConnection.connect(
                to: settings.endpoint, authentication: .simple(bindDN: dn, password: current))
            try await person.passwordModify(dn: dn, old: current, new: new)
        } catch let error where error.code == 49 && error.policyError != .accountLocked {
            let alreadyChanged = await binds(dn: dn, password: new)
            guard alreadyChanged else {
                _ = try await get(uid: uid)
                throw failure(error, role: .person)
            }
        } catch {
            throw failure(error, role: .person)
        }
        let changes = modifications(for: attributes)
        if !changes.isEmpty {
            try await call(uid: uid) { () throws(LDAPResultError) in try await session.modify(dn: dn, changes) }
        }
    }

    /// A reset as Keyward, the way `passwordReset` says.
    ///
    /// A reset the directory refuses as "in history" while the account
    /// already binds with that very password was made by an earlier attempt
    /// (a retry after a crash, or an answer lost on the way): it counts as
    /// done, so that running an operation twice has its effect once.
    private func reset(uid: String, dn: String, to password: GuardedString) async throws(ConnectorError) {
        do {
            switch settings.passwordReset {
            case .passwordModify:
                try await session.passwordModify(dn: dn, old: nil, new: password)
            case .userPassword:
                try await session.modify(dn: dn, [LDAPModification(.replace, "userPassword", [.secret(password)])])
            }
        } catch where error.policyError == .passwordInHistory {
            guard await binds(dn: dn, password: password) else { throw failure(error) }
        } catch {
            if error.code == 32 { throw notFound(uid, dn) }
            throw failure(error)
        }
    }

    /// `pwdReset: TRUE` for true, no `pwdReset` for false, nothing for nil.
    private func setMustChange(_ mustChange: Bool?, uid: String) async throws(ConnectorError) {
        guard let mustChange else { return }
        let dn = dn(of: uid)
        let change = LDAPModification(.replace, "pwdReset", mustChange ? [.text("TRUE")] : [])
        try await call(uid: uid) { () throws(LDAPResultError) in try await session.modify(dn: dn, [change]) }
    }

    /// Whether a simple bind as `dn` with `password` succeeds.
    private func binds(dn: String, password: GuardedString) async -> Bool {
        do {
            _ = try await LDAPConnection.connect(
                to: settings.endpoint, authentication: .simple(bindDN: dn, password: password))
            return true
        } catch {
            return false
        }
    }

    /// Deletes the entry a failed create left without a password; the
    /// error says what became of it.
    private func rollBack(dn: String, after failure: ConnectorError) async -> ConnectorError {
        do {
            try await session.delete(dn: dn)
            return ConnectorError(
                failure.kind, failure.message + "; the new entry was deleted again, so the account was not created")
        } catch {
            return ConnectorError(
                failure.kind,
                failure.message + "; the new entry has NO password and could not be deleted again "
                    + "(LDAP \(error.code)): delete \(dn) or reset its password")
        }
    }

    /// The value of `__PASSWORD__` (the last one, if it appears twice); nil
    /// when it is absent or has no value.
    func mainPassword(in attributes: [ConnectorAttribute]) throws(ConnectorError) -> GuardedString? {
        guard let attribute = attributes.last(where: \.isMainPassword), let value = attribute.value else { return nil }
        switch value {
        case .secret(let secret): return secret
        case .plain(let text): return GuardedString(text)
        }
    }

    /// The entry of a new account: the mapped attributes with values, the
    /// uid attribute set to `uid`, and `objectClass: inetOrgPerson` when no
    /// class is mapped.
    func entryAttributes(uid: String, _ attributes: [ConnectorAttribute]) -> [(String, [LDAPValue])] {
        var entry: [(String, [LDAPValue])] = []
        let uidName = settings.uidAttribute.lowercased()
        for attribute in attributes where !attribute.isMainPassword && attribute.name.lowercased() != uidName {
            let values = Self.values(of: attribute)
            guard !values.isEmpty else { continue }
            entry.removeAll { $0.0.lowercased() == attribute.name.lowercased() }
            entry.append((attribute.name, values))
        }
        entry.append((settings.uidAttribute, [.text(uid)]))
        if !entry.contains(where: { $0.0.lowercased() == "objectclass" }) {
            entry.insert(("objectClass", [.text("inetOrgPerson")]), at: 0)
        }
        return entry
    }

    /// `replace` of each attribute but `__PASSWORD__` and the uid attribute
    /// (no values: remove the attribute).
    func modifications(for attributes: [ConnectorAttribute]) -> [LDAPModification] {
        var changes: [LDAPModification] = []
        let uidName = settings.uidAttribute.lowercased()
        for attribute in attributes where !attribute.isMainPassword && attribute.name.lowercased() != uidName {
            changes.removeAll { $0.attribute.lowercased() == attribute.name.lowercased() }
            changes.append(LDAPModification(.replace, attribute.name, Self.values(of: attribute)))
        }
        return changes
    }

    /// An attribute's LDAP values: `objectClass` split at commas, a secret
    /// as a secret, no value as none.
    static func values(of attribute: ConnectorAttribute) -> [LDAPValue] {
        switch attribute.value {
        case nil:
            return []
        case .secret(let secret):
            return [.secret(secret)]
        case .plain(let text) where attribute.name.lowercased() == "objectclass":
            return text.split(separator: ",").map { String($0).filter { $0 != " " } }.filter { !$0.isEmpty }.map(
                LDAPValue.text)
        case .plain(let text):
            return [.text(text)]
        }
    }
}
