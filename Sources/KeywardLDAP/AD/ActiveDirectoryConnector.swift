public import KeywardConnectors
public import KeywardCore

/// The `ad` connector: user accounts in Active Directory (or a Samba AD
/// DC), their password in `unicodePwd`.
///
/// Accounts are found by `sAMAccountName` under
/// ``ActiveDirectorySettings/baseDN`` and created at `CN=<cn>,<baseDN>`
/// (`cn` from a mapped attribute, else the uid). Keyward binds as its own
/// service account for everything:
/// - create adds the user with its first password and `userAccountControl: 512`;
/// - a reset replaces `unicodePwd` (and sets `pwdLastSet` 0 or -1 when asked);
/// - a change sends one modify that deletes the current password and adds
///   the new one, which AD checks against the current one; a person who
///   must change their password cannot bind themselves (`data 773`), and
///   any account may send this with the right current password;
/// - unlock sets `lockoutTime` to 0.
///
/// A password never goes over a connection that is not encrypted (TLS, or
/// a sealed Kerberos bind): the connector refuses before sending anything.
/// The service account needs the Reset-Password right for resets, write
/// access to `pwdLastSet`, `lockoutTime` and `userAccountControl` for the
/// must-change flag, unlock and enable, and create/delete rights on user
/// objects for create and delete.
public struct ActiveDirectoryConnector: Connector {
    /// The system's definition, as configured.
    public let definition: ConnectorDefinition
    /// The settings read from the definition.
    public let settings: ActiveDirectorySettings

    /// Connections bound as the service account.
    let session: any LDAPSession

    /// The four password operations: AD supports them all.
    public var capabilities: Set<PasswordOperation> { [.initialize, .change, .reset, .unlock] }

    /// Settings to fix (certificate verification off).
    public var warnings: [String] { settings.warnings }

    /// Reads the settings; connections open on first use.
    /// - Throws: ``ConnectorError/Kind/configuration`` for a wrong setting,
    ///   among others a simple bind over `ldap://` without StartTLS.
    public init(definition: ConnectorDefinition, environment: ConnectorEnvironment) throws(ConnectorError) {
        let settings = try ActiveDirectorySettings(definition: definition, environment: environment)
        self.init(
            definition: definition, settings: settings,
            session: LDAPConnectionPool(endpoint: settings.endpoint, authentication: settings.authentication))
    }

    /// A connector that sends its requests through `session`.
    init(definition: ConnectorDefinition, settings: ActiveDirectorySettings, session: any LDAPSession) {
        self.definition = definition
        self.settings = settings
        self.session = session
    }

    /// Registers this connector for definitions with `type: ad`.
    public static func register(in registry: inout ConnectorRegistry) {
        registry.register(type: "ad") { definition, environment throws(ConnectorError) in
            try ActiveDirectoryConnector(definition: definition, environment: environment)
        }
    }

    /// Binds and reads the root DSE, then checks that the base DN exists.
    /// - Throws: ``ConnectorError/Kind/configuration`` when the base DN does
    ///   not exist; the bind's error otherwise.
    public func test() async throws(ConnectorError) {
        _ = try await perform("read the root DSE") { () throws(LDAPResultError) in
            try await session.search(
                base: "", scope: .base, filter: "(objectClass=*)", attributes: ["defaultNamingContext"])
        }
        do {
            _ = try await perform("read the base DN \(settings.baseDN)") { () throws(LDAPResultError) in
                try await session.search(
                    base: settings.baseDN, scope: .base, filter: "(objectClass=*)", attributes: ["1.1"])
            }
        } catch where error.kind == .notFound {
            throw ConnectorError(
                .configuration,
                "system '\(definition.name)' (\(definition.location)): connection key 'baseDN' names "
                    + "\(settings.baseDN), which does not exist")
        }
    }

    /// Reads the account `uid`: its mapped attributes that are not
    /// passwords and the usual AD ones, whether it is locked out (computed
    /// `LOCKOUT` flag) and whether its password must change (computed
    /// `PASSWORD_EXPIRED` flag, or `pwdLastSet` 0).
    /// - Throws: ``ConnectorError/Kind/notFound`` when no account has that
    ///   `sAMAccountName`.
    public func get(uid: String) async throws(ConnectorError) -> AccountSnapshot {
        let action = "read the account '\(uid)'"
        let dn = try await distinguishedName(of: uid, action: action)
        let names = readableAttributes
        let entry = try await read(dn, attributes: names + [Self.computedControl], action: action)

        var attributes: [String: String] = [:]
        for name in names {
            if let value = entry.first(name) { attributes[name] = value }
        }
        let computed = UserAccountControl(attribute: entry.first(Self.computedControl))
        let locked = computed.map { $0.contains(.lockout) } ?? entry.first("lockoutTime").map { (Int($0) ?? 0) > 0 }
        let expired = computed?.contains(.passwordExpired)
        let mustChange: Bool? =
            switch (expired, entry.first("pwdLastSet")) {
            case (true, _), (_, "0"): true
            case (nil, nil): nil
            default: false
            }
        return AccountSnapshot(uid: uid, attributes: attributes, locked: locked, mustChange: mustChange)
    }

    /// Turns the account `uid` on or off: flips only the `ACCOUNTDISABLE`
    /// bit (0x2) of the `userAccountControl` it reads, and writes nothing
    /// when the bit is already as asked.
    /// - Throws: ``ConnectorError/Kind/notFound`` when no account has that
    ///   `sAMAccountName`; ``ConnectorError/Kind/permissionDenied`` when the
    ///   service account may not write `userAccountControl`.
    public func setEnabled(uid: String, _ enabled: Bool) async throws(ConnectorError) {
        let action = "\(enabled ? "enable" : "disable") the account '\(uid)'"
        let dn = try await distinguishedName(of: uid, action: action)
        let entry = try await read(dn, attributes: ["userAccountControl"], action: action)
        guard var flags = UserAccountControl(attribute: entry.first("userAccountControl")) else {
            throw ConnectorError(
                .protocolError,
                "system '\(definition.name)': could not \(action): it has no userAccountControl to change")
        }
        let original = flags
        if enabled { flags.remove(.accountDisabled) } else { flags.insert(.accountDisabled) }
        guard flags != original else { return }
        try await perform(action) { () throws(LDAPResultError) in
            try await session.modify(
                dn: dn, [LDAPModification(.replace, "userAccountControl", [.text(String(flags.rawValue))])])
        }
    }

    /// Deletes the account `uid`.
    /// - Throws: ``ConnectorError/Kind/notFound`` when no account has that `sAMAccountName`.
    public func delete(uid: String) async throws(ConnectorError) {
        let action = "delete the account '\(uid)'"
        let dn = try await distinguishedName(of: uid, action: action)
        try await perform(action) { () throws(LDAPResultError) in try await session.delete(dn: dn) }
    }

    /// The constructed attribute that holds the lockout and expired-password flags.
    static let computedControl = "msDS-User-Account-Control-Computed"

    /// What ``get(uid:)`` returns: the usual AD attributes, then the mapped
    /// ones that are not passwords.
    var readableAttributes: [String] {
        var names = ["sAMAccountName", "cn", "userPrincipalName", "userAccountControl", "pwdLastSet", "lockoutTime"]
        let secret = Set(definition.passwordAttributes.map { $0.name.lowercased() } + ["unicodepwd", "userpassword"])
        for attribute in definition.attributes where !secret.contains(attribute.name.lowercased()) {
            if !names.contains(where: { $0.lowercased() == attribute.name.lowercased() }) {
                names.append(attribute.name)
            }
        }
        return names
    }
}
