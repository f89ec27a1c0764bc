import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardLDAP

/// A real directory the canary is sent to, with what the journey needs of it.
struct QueueDirectory {
    /// The system, its connector talking to the server.
    let system: TargetSystem
    /// Whether the account `uid` binds with `password`, the way a login would.
    let binds: (_ uid: String, _ password: String) async -> Bool
    /// Stops the server: its ports refuse connections.
    let stop: () -> Void
    /// Starts it again on the same ports and data.
    let start: () throws -> Void
}

extension QueueDirectory {
    /// slapd through the `ldap` connector, setting passwords the way `passwordReset` says.
    static func slapd(_ server: SlapdServer, passwordReset: String) throws -> QueueDirectory {
        let definition = QueueEngine.prepare(
            LDAPConnectorFixture.definition(server, ["passwordReset": .plain(passwordReset)]),
            retry: QueueCanaryJourney.retry)
        let connector = try LDAPDirectoryConnector(
            definition: definition, environment: LDAPConnectorFixture.environment())
        return QueueDirectory(
            system: TargetSystem(definition: definition, connector: connector),
            binds: { uid, password in await server.bindResult(SlapdServer.personDN(uid), password) == 0 },
            stop: { server.stop() }, start: { try server.restart() })
    }

    /// Samba through the `ad` connector in `mode`, as Keyward's delegated account.
    static func samba(_ server: SambaServer, mode: ADAuthMode) throws -> QueueDirectory {
        let definition = QueueEngine.prepare(try server.connector(mode).definition, retry: QueueCanaryJourney.retry)
        let connector = try ActiveDirectoryConnector(
            definition: definition,
            environment: ADFixtures.environment(bindPassword: SambaServer.ServiceAccount.keyward.password))
        return QueueDirectory(
            system: TargetSystem(definition: definition, connector: connector),
            binds: { uid, password in server.bindUser(uid, password) == .success },
            stop: { server.stop() }, start: { try server.restart() })
    }
}
