import KeywardConnectors
import KeywardCore

extension ActiveDirectoryConnector {
    /// Runs `body`, turning a directory error into a ``ConnectorError`` for `action`.
    func perform<Value: Sendable>(
        _ action: String, _ body: () async throws(LDAPResultError) -> Value
    ) async throws(ConnectorError) -> Value {
        do {
            return try await body()
        } catch {
            throw connectorError(error, action)
        }
    }

    /// `error` as a ``ConnectorError`` for `action`.
    func connectorError(_ error: LDAPResultError, _ action: String) -> ConnectorError {
        ActiveDirectoryErrorMapping.connectorError(for: error, system: definition.name, action: action)
    }

    /// The DN of the user whose `sAMAccountName` is `uid`.
    /// - Throws: ``ConnectorError/Kind/notFound`` when there is none.
    func distinguishedName(of uid: String, action: String) async throws(ConnectorError) -> String {
        let entries = try await perform(action) { () throws(LDAPResultError) in
            try await session.search(
                base: settings.baseDN, scope: .sub, filter: ActiveDirectoryFilter.account(uid), attributes: ["1.1"])
        }
        guard let entry = entries.first else {
            throw ConnectorError(
                .notFound,
                "system '\(definition.name)': could not \(action): no user with sAMAccountName '\(uid)' "
                    + "under \(settings.baseDN)")
        }
        return entry.dn
    }

    /// The entry at `dn` with `attributes` (a base search, so that
    /// constructed attributes are computed).
    func read(_ dn: String, attributes: [String], action: String) async throws(ConnectorError) -> LDAPEntry {
        let entries = try await perform(action) { () throws(LDAPResultError) in
            try await session.search(base: dn, scope: .base, filter: "(objectClass=*)", attributes: attributes)
        }
        guard let entry = entries.first else {
            throw ConnectorError(.notFound, "system '\(definition.name)': could not \(action): \(dn) is gone")
        }
        return entry
    }

    /// Refuses to go on when the connection is not encrypted, before
    /// anything is sent: AD must never see a password in clear.
    func requireEncryption(_ action: String) throws(ConnectorError) {
        guard session.isEncrypted else {
            throw ConnectorError(
                .configuration,
                "system '\(definition.name)': refusing to \(action): the connection to \(settings.endpoint.url) is not "
                    + "encrypted, and a password must not cross the network in clear; use ldaps://, startTLS: true, "
                    + "or authentication: gssapi")
        }
    }

    /// The `unicodePwd` value of `password`.
    /// - Throws: ``ConnectorError/Kind/policyRejected`` when it is not valid UTF-8.
    func unicodePassword(_ password: GuardedString, _ action: String) throws(ConnectorError) -> GuardedString {
        guard let value = UnicodePassword.value(of: password) else {
            throw ConnectorError(
                .policyRejected,
                "system '\(definition.name)': could not \(action): the password is not valid UTF-8 text")
        }
        return value
    }

    /// The value of `__PASSWORD__` among `attributes` (the last one wins).
    static func mainPassword(in attributes: [ConnectorAttribute]) -> GuardedString? {
        switch attributes.last(where: \.isMainPassword)?.value {
        case .secret(let secret): secret
        case .plain(let text): GuardedString(text)
        case nil: nil
        }
    }

    /// Whether a simple bind as `dn` with `password` succeeds: how a change
    /// that was already made is recognised. Only over TLS; false otherwise.
    func passwordBinds(_ dn: String, _ password: GuardedString) async -> Bool {
        guard settings.allowsSimpleBind else { return false }
        do {
            _ = try await LDAPConnection.connect(
                to: settings.endpoint, authentication: .simple(bindDN: dn, password: password))
            return true
        } catch {
            return false
        }
    }
}
