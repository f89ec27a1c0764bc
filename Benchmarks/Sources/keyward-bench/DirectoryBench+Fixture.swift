import Foundation
import KeywardConnectors
import KeywardCore
import KeywardEngine
import KeywardLDAP
import KeywardScripting
import KeywardStore
import Logging
import Synchronization

extension DirectoryBench {
    /// What a run works on: the store in a temporary folder, an engine over
    /// the run's slapd with the people's accounts, and the bare connection.
    struct Fixture: Sendable {
        let store: SQLiteStore
        /// The accounts' uids, which are also their people's usernames.
        let uids: [String]
        /// The people, in the order of their uids.
        let identities: [Identity]
        let engine: QueueBench.Engine
        /// The engine's connector, also timed alone.
        let connector: LDAPDirectoryConnector
        /// The baseline's one bound connection.
        let bare: BareDirectory
        /// Wall time of creating the accounts through the engine.
        let setupNanoseconds: UInt64
        /// How many attempts the executor has recorded so far.
        let recorded: Attempts
    }

    /// A count the executor's observer raises at every recorded attempt.
    final class Attempts: Sendable {
        private let count = Atomic<Int>(0)

        var value: Int { count.load(ordering: .acquiring) }

        func add() { count.add(1, ordering: .releasing) }
    }

    /// The target system's name, as its connector file would give it.
    static let system = "directory"
    /// The transformation script every password goes through.
    static let script = "pw.lua"

    /// Creates the store in `folder`, an engine whose `ldap` system is
    /// `slapd`, and `people` accounts through it (createAccounts, then
    /// drain: an add and a Password Modify each); then binds the bare
    /// connection.
    static func makeFixture(in folder: String, slapd: Slapd, people: Int, workers: Int) async throws -> Fixture {
        let store = try SQLiteStore(path: folder + "/keyward.db", keyring: Keyring(current: MasterKey.generate()))
        let uids = (1...people).map { String(format: "person%04d", $0) }
        let identities = uids.enumerated().map { index, uid in
            Identity(username: uid, givenName: "Given\(index + 1)", familyName: "Family\(index + 1)")
        }
        _ = try await store.upsertIdentities(identities)

        let planner = ProvisioningPlanner(
            catalog: PolicyCatalog(
                policies: [PasswordPolicy(name: "bench", minLength: 8, maxLength: 64)],
                commonPasswords: CommonPasswordList([]), words: WordList([])),
            transformer: ScriptTransformer(engine: try ScriptEngine(), loader: { _ in "return attributeValue" }))
        let logger = Logger(label: "keyward-bench") { _ in SwiftLogNoOpLogHandler() }
        let definition = definition(slapd)
        let bindPassword = slapd.adminPassword
        let connector = try LDAPDirectoryConnector(
            definition: definition,
            environment: ConnectorEnvironment(directory: folder) { key in
                key == "bindPassword" ? GuardedString(bindPassword) : nil
            })
        try await connector.test()
        let systems = [TargetSystem(definition: definition, connector: connector)]
        let recorded = Attempts()
        var executor = Executor(store: store, systems: systems, logger: logger, concurrency: workers)
        executor.observer = { _ in recorded.add() }
        let engine = QueueBench.Engine(
            service: ProvisioningService(store: store, systems: systems, planner: planner, actor: "bench:helpdesk"),
            executor: executor)

        // Two resets of one account in a batch could run on two workers at
        // once and finish in either order, and the last-password check would fail.
        guard people >= engine.executor.batchSize else {
            throw Failure(
                "--directory-people must be at least the executor's batch size (\(engine.executor.batchSize)), "
                    + "so that no batch resets one account twice")
        }
        let start = Clock.now()
        for (index, uid) in uids.enumerated() {
            _ = try await engine.service.createAccounts(
                username: uid, systems: [system], password: .chosen(GuardedString("Initial-\(index)-pw")))
        }
        let created = try await engine.executor.drain()
        let setup = Clock.now() - start
        let counts = try await store.operationCounts()
        guard created == people, counts[.executed] == people else {
            throw Failure("creating \(people) accounts ran \(created) operation(s), \(counts[.executed] ?? 0) executed")
        }

        let bare = try BareDirectory(
            url: slapd.url, caCertificate: slapd.certificatePath, bindDN: Slapd.adminDN, password: bindPassword)
        return Fixture(
            store: store, uids: uids, identities: identities, engine: engine, connector: connector, bare: bare,
            setupNanoseconds: setup, recorded: recorded)
    }

    /// The `ldap` system on the run's slapd, as `connectors/directory.yaml`
    /// would define it: LDAPS with the server's certificate as CA, Keyward's
    /// service account, Password Modify for resets, `__PASSWORD__` through
    /// ``script`` and one validate policy.
    private static func definition(_ slapd: Slapd) -> ConnectorDefinition {
        let here = SourceLocation(file: "connectors/directory.yaml", line: 1, column: 1)
        let connection: [String: ConnectionValue] = [
            "url": .plain(slapd.url), "caCertificate": .plain(slapd.certificatePath),
            "bindDN": .plain(Slapd.adminDN), "bindPassword": .environment("KEYWARD_BENCH_LDAP_BIND"),
            "baseDN": .plain(Slapd.people), "passwordReset": .plain("passwordModify"),
            "timeoutSeconds": .plain("10"),
        ]
        return ConnectorDefinition(
            name: system, type: "ldap", connection: connection, validatePolicies: ["bench"],
            attributes: [
                AttributeMapping(name: "uid", source: .identity("username"), isUID: true, location: here),
                AttributeMapping(name: "cn", source: .identity("givenName"), location: here),
                AttributeMapping(name: "sn", source: .identity("familyName"), location: here),
                AttributeMapping(
                    name: AttributeSchema.passwordName, isPassword: true, transform: script, location: here),
            ], location: here)
    }
}
