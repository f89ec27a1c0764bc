public import KeywardConnectors
public import KeywardCore

/// The `ldap` connector: accounts are entries `<uidAttribute>=<uid>,<baseDN>`
/// of an LDAP directory with the password policy overlay (OpenLDAP's
/// ppolicy, or a server that speaks the same controls).
///
/// - A first password and a reset go through the Password Modify extended
///   operation (RFC 3062) as Keyward, so the server hashes the password and
///   applies its policy (or, with `passwordReset: userPassword`, through
///   `userPassword` in the add or a replace of it).
/// - A change is the same extended operation with the old and new password,
///   sent over a connection bound **as the person**, so the directory checks
///   the current password and the person's own policy.
/// - Unlock removes `pwdAccountLockedTime`; "must change" is `pwdReset`.
///
/// Attribute names are LDAP attribute names, except `__PASSWORD__`. Values
/// of an attribute named `objectClass` are split at commas (a constant
/// `top,person,inetOrgPerson` gives three classes; no class name holds a
/// comma); every other value is one value. Without a mapped `objectClass`
/// an account is an `inetOrgPerson`, which requires `cn` and `sn`.
///
/// Keyward's own operations share a small pool of connections bound as
/// `bindDN` (or by GSSAPI). Every request carries the ppolicy control, and
/// its answer decides the error: "too short", "in history", "locked".
public struct LDAPDirectoryConnector: Connector {
    /// The system's definition, as configured.
    public let definition: ConnectorDefinition
    /// The settings read from the definition.
    public let settings: LDAPDirectorySettings
    /// Keyward's connections.
    let session: any LDAPSession

    /// `initialize`, `change`, `reset` and `unlock`: the fixed matrix for `ldap`.
    public var capabilities: Set<PasswordOperation> { [.initialize, .change, .reset, .unlock] }

    /// Things that work but should change (`tlsVerify: false`, `passwordReset: userPassword`).
    public var warnings: [String] { settings.warnings }

    /// Reads and checks the settings; nothing is sent until the first operation.
    /// - Throws: ``ConnectorError/Kind/configuration`` for a wrong or missing
    ///   setting, and for a plain `ldap://` URL without StartTLS or GSSAPI.
    public init(definition: ConnectorDefinition, environment: ConnectorEnvironment) throws(ConnectorError) {
        let settings = try LDAPDirectorySettings(definition: definition, environment: environment)
        self.init(
            definition: definition, settings: settings,
            session: LDAPConnectionPool(endpoint: settings.endpoint, authentication: settings.authentication))
    }

    /// A connector over a given session (tests use one of their own).
    init(definition: ConnectorDefinition, settings: LDAPDirectorySettings, session: any LDAPSession) {
        self.definition = definition
        self.settings = settings
        self.session = session
    }

    /// Registers this connector for definitions with `type: ldap`.
    public static func register(in registry: inout ConnectorRegistry) {
        registry.register(type: "ldap") { definition, environment throws(ConnectorError) in
            try LDAPDirectoryConnector(definition: definition, environment: environment)
        }
    }

    /// The DN of the account `uid`: `<uidAttribute>=<uid, escaped>,<baseDN>`.
    public func dn(of uid: String) -> String {
        LDAPDistinguishedName.child(settings.uidAttribute, uid, of: settings.baseDN)
    }

    /// Binds, reads the root DSE and checks that `baseDN` exists and, for
    /// `passwordReset: passwordModify`, that the server offers the Password
    /// Modify operation.
    public func test() async throws(ConnectorError) {
        let root = try await call { () throws(LDAPResultError) in
            try await session.search(
                base: "", scope: .base, filter: "(objectClass=*)", attributes: ["supportedExtension"])
        }
        let extensions = root.first?.attributes.first { $0.key.lowercased() == "supportedextension" }?.value ?? []
        if settings.passwordReset == .passwordModify, !extensions.contains(Self.passwordModifyOID) {
            throw ConnectorError(
                .configuration,
                "system '\(definition.name)': the server does not offer the Password Modify operation "
                    + "(\(Self.passwordModifyOID)); set passwordReset: userPassword")
        }
        do {
            _ = try await session.search(
                base: settings.baseDN, scope: .base, filter: "(objectClass=*)", attributes: ["1.1"])
        } catch let error where error.code == 32 {
            throw ConnectorError(
                .configuration, "system '\(definition.name)': baseDN \(settings.baseDN) does not exist (LDAP 32)")
        } catch {
            throw failure(error)
        }
    }

    /// Reads the account: its mapped, non-secret attributes, whether it is
    /// locked (`pwdAccountLockedTime` present) and whether the password must
    /// change (`pwdReset: TRUE`). Several values of one attribute are
    /// joined with commas.
    /// - Throws: ``ConnectorError/Kind/notFound`` when there is no such entry.
    public func get(uid: String) async throws(ConnectorError) -> AccountSnapshot {
        let dn = dn(of: uid)
        let names = readableAttributes
        let entries = try await call(uid: uid) { () throws(LDAPResultError) in
            try await session.search(
                base: dn, scope: .base, filter: "(objectClass=*)", attributes: names + Self.stateAttributes)
        }
        guard let entry = entries.first else { throw notFound(uid, dn) }

        var attributes: [String: String] = [:]
        for (name, values) in entry.attributes {
            let lowered = name.lowercased()
            guard !Self.stateAttributes.contains(where: { $0.lowercased() == lowered }),
                !Self.secretAttributes.contains(lowered),
                !passwordAttributeNames.contains(lowered)
            else { continue }
            let mapped = names.first { $0.lowercased() == lowered } ?? name
            attributes[mapped] = values.joined(separator: ",")
        }
        let locked = entry.first("pwdAccountLockedTime") != nil
        let mustChange = entry.first("pwdReset")?.uppercased() == "TRUE"
        return AccountSnapshot(uid: uid, attributes: attributes, locked: locked, mustChange: mustChange)
    }

    /// Deletes the account's entry.
    /// - Throws: ``ConnectorError/Kind/notFound`` when there is none.
    public func delete(uid: String) async throws(ConnectorError) {
        let dn = dn(of: uid)
        try await call(uid: uid) { () throws(LDAPResultError) in try await session.delete(dn: dn) }
    }

    /// Unlocks the account: `replace: pwdAccountLockedTime` with no value,
    /// which also succeeds on an account that is not locked.
    /// - Throws: ``ConnectorError/Kind/notFound`` when there is no such entry.
    public func unlock(uid: String) async throws(ConnectorError) {
        let dn = dn(of: uid)
        try await call(uid: uid) { () throws(LDAPResultError) in
            try await session.modify(dn: dn, [LDAPModification(.replace, "pwdAccountLockedTime")])
        }
    }

    /// The Password Modify extended operation's OID (RFC 3062).
    static let passwordModifyOID = "1.3.6.1.4.1.4203.1.11.1"
    /// The ppolicy attributes `get` reads for `locked` and `mustChange`.
    static let stateAttributes = ["pwdAccountLockedTime", "pwdReset"]
    /// Attributes that hold passwords or their hashes, never read back (lowercased).
    static let secretAttributes: Set<String> = [
        "userpassword", "authpassword", "pwdhistory", "sambantpassword", "sambalmpassword", "unicodepwd",
        "userpkcs12", "krbprincipalkey",
    ]

    /// The lowercased names of the mapped password attributes.
    var passwordAttributeNames: Set<String> {
        Set(definition.passwordAttributes.map { $0.name.lowercased() })
    }

    /// The mapped attributes `get` asks for: the uid attribute, the object
    /// classes, and every mapped attribute that is not a password.
    var readableAttributes: [String] {
        var names = [settings.uidAttribute, "objectClass"]
        for attribute in definition.attributes where !attribute.isPassword {
            let lowered = attribute.name.lowercased()
            if Self.secretAttributes.contains(lowered) || names.contains(where: { $0.lowercased() == lowered }) {
                continue
            }
            names.append(attribute.name)
        }
        return names
    }
}
