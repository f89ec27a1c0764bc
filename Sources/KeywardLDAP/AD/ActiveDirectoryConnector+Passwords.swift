public import KeywardConnectors
public import KeywardCore

extension ActiveDirectoryConnector {
    /// Adds the user `uid` at `CN=<cn>,<baseDN>` with `sAMAccountName: uid`,
    /// the mapped attributes and its first password.
    ///
    /// With a password the account is enabled (`userAccountControl: 512`),
    /// without one it is created disabled (514) unless a mapped attribute
    /// sets `userAccountControl`. `options.mustChange == true` adds
    /// `pwdLastSet: 0`. With ``ActiveDirectorySettings/domain`` set and no
    /// mapped `userPrincipalName`, that is `<uid>@<domain>`.
    /// - Throws: ``ConnectorError/Kind/alreadyExists`` when the DN or the
    ///   `sAMAccountName` is taken; ``ConnectorError/Kind/policyRejected``
    ///   when the password does not meet the domain's policy.
    public func create(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions)
        async throws(ConnectorError)
    {
        let action = "create the account '\(uid)'"
        let password = try Self.mainPassword(in: attributes).map { password throws(ConnectorError) in
            try unicodePassword(password, action)
        }
        if password != nil { try requireEncryption(action) }

        var cn = uid
        var entry: [(String, [LDAPValue])] = [("objectClass", [.text("user")]), ("sAMAccountName", [.text(uid)])]
        for attribute in attributes where !attribute.isMainPassword {
            let name = attribute.name.lowercased()
            if name == "cn" {
                if case .plain(let text)? = attribute.value, !text.isEmpty { cn = text }
                continue
            }
            guard !Self.managedAttributes.contains(name), let value = attribute.value else { continue }
            entry.append((attribute.name, [Self.value(value)]))
        }
        func has(_ name: String) -> Bool { entry.contains { $0.0.lowercased() == name.lowercased() } }
        if let domain = settings.domain, !has("userPrincipalName") {
            entry.append(("userPrincipalName", [.text("\(uid)@\(domain)")]))
        }
        if let password { entry.append(("unicodePwd", [.secret(password)])) }
        if !has("userAccountControl") {
            let flags: UserAccountControl = password == nil ? [.normalAccount, .accountDisabled] : .normalAccount
            entry.append(("userAccountControl", [.text(String(flags.rawValue))]))
        }
        if options.mustChange == true { entry.append(("pwdLastSet", [.text("0")])) }

        let dn = LDAPDistinguishedName.child("CN", cn, of: settings.baseDN)
        try await perform(action) { () throws(LDAPResultError) in try await session.add(dn: dn, attributes: entry) }
    }

    /// Replaces `attributes` of the account `uid` in one modify; a
    /// `__PASSWORD__` among them is a reset (`replace: unicodePwd`), and
    /// then `options.mustChange` true sets `pwdLastSet` to 0 (change at
    /// next logon), false to -1 (now).
    ///
    /// `cn` names the entry and `sAMAccountName` is the uid: neither is
    /// changed here.
    /// - Throws: ``ConnectorError/Kind/notFound`` when no account has that
    ///   `sAMAccountName`; ``ConnectorError/Kind/policyRejected`` when the
    ///   password does not meet the domain's policy.
    public func update(uid: String, attributes: [ConnectorAttribute], options: PasswordOptions)
        async throws(ConnectorError)
    {
        let password = Self.mainPassword(in: attributes)
        let action = password == nil ? "update the account '\(uid)'" : "reset the password of '\(uid)'"
        var modifications: [LDAPModification] = []
        for attribute in attributes where !attribute.isMainPassword {
            let name = attribute.name.lowercased()
            guard name != "cn", !Self.managedAttributes.contains(name) else { continue }
            modifications.append(
                LDAPModification(.replace, attribute.name, attribute.value.map { [Self.value($0)] } ?? []))
        }
        if let password {
            let value = try unicodePassword(password, action)
            try requireEncryption(action)
            modifications.append(LDAPModification(.replace, "unicodePwd", [.secret(value)]))
            if let mustChange = options.mustChange {
                modifications.append(LDAPModification(.replace, "pwdLastSet", [.text(mustChange ? "0" : "-1")]))
            }
        }
        let dn = try await distinguishedName(of: uid, action: action)
        guard !modifications.isEmpty else { return }
        try await perform(action) { () throws(LDAPResultError) in try await session.modify(dn: dn, modifications) }
    }

    /// Changes the password of `uid` from `current` to the new
    /// `__PASSWORD__`: one modify, sent as the service account, that
    /// deletes `unicodePwd` with the current value and adds the new one, so
    /// AD checks the current password and the history.
    ///
    /// When AD says the current password is wrong but a simple bind as the
    /// account with the new password succeeds, an earlier attempt already
    /// made the change and this succeeds. That check needs TLS
    /// (`ldaps://` or StartTLS); over a Kerberos-sealed `ldap://` it is
    /// skipped. Like the modify, a check bind with a wrong password counts
    /// as a failed logon towards the lockout threshold. Other attributes are
    /// replaced afterwards.
    /// - Throws: ``ConnectorError/Kind/credentialsRejected`` when the current
    ///   password is wrong; ``ConnectorError/Kind/policyRejected`` when the
    ///   new one does not meet the domain's policy.
    public func changePassword(uid: String, current: GuardedString, attributes: [ConnectorAttribute])
        async throws(ConnectorError)
    {
        let action = "change the password of '\(uid)'"
        guard let newPassword = Self.mainPassword(in: attributes) else {
            throw ConnectorError(
                .configuration, "system '\(definition.name)': could not \(action): no new __PASSWORD__ was given")
        }
        let old = try unicodePassword(current, action)
        let new = try unicodePassword(newPassword, action)
        try requireEncryption(action)
        let dn = try await distinguishedName(of: uid, action: action)
        do {
            try await session.modify(
                dn: dn,
                [
                    LDAPModification(.delete, "unicodePwd", [.secret(old)]),
                    LDAPModification(.add, "unicodePwd", [.secret(new)]),
                ])
        } catch {
            let mapped = connectorError(error, action)
            let wrongCurrent =
                error.code == 19 && ActiveDirectoryErrorMapping.leadingCode(in: error.diagnostic) == "00000056"
            guard wrongCurrent, await passwordBinds(dn, newPassword) else { throw mapped }
        }
        let others = attributes.filter { !$0.isMainPassword }
        if !others.isEmpty { try await update(uid: uid, attributes: others, options: PasswordOptions()) }
    }

    /// Clears the lockout of `uid` (`lockoutTime: 0`); an account that is not
    /// locked stays as it is.
    /// - Throws: ``ConnectorError/Kind/notFound`` when no account has that
    ///   `sAMAccountName`; ``ConnectorError/Kind/permissionDenied`` when the
    ///   service account may not write `lockoutTime`.
    public func unlock(uid: String) async throws(ConnectorError) {
        let action = "unlock the account '\(uid)'"
        let dn = try await distinguishedName(of: uid, action: action)
        try await perform(action) { () throws(LDAPResultError) in
            try await session.modify(dn: dn, [LDAPModification(.replace, "lockoutTime", [.text("0")])])
        }
    }

    /// Attributes the connector sets itself; mapped ones of these names are
    /// ignored (lowercased).
    static let managedAttributes: Set<String> = ["objectclass", "samaccountname", "unicodepwd", "distinguishedname"]

    /// A mapped value as an LDAP value.
    static func value(_ value: PlannedAttribute.Value) -> LDAPValue {
        switch value {
        case .plain(let text): .text(text)
        case .secret(let secret): .secret(secret)
        }
    }
}
