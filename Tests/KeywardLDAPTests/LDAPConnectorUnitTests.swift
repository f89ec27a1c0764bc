import KeywardConnectors
import KeywardCore
import KeywardQueueTestSupport
import KeywardTestSupport
import Synchronization
import Testing

@testable import KeywardLDAP

/// The `ldap` connector's pieces that need no server: error mapping,
/// subschema parsing, entry building, and the roll-back after a refused
/// first password (over a scripted session).
@Suite("ldap connector units", .offThePool)
struct LDAPConnectorUnitTests {
    static func classify(
        _ code: Int32, _ diagnostic: String = "", _ policy: PasswordPolicyError? = nil,
        role: LDAPDirectoryConnector.BindRole = .keyward
    )
        -> ConnectorError.Kind
    {
        LDAPDirectoryConnector.classify(
            LDAPResultError(code: code, diagnostic: diagnostic, policyError: policy, context: "x"), role: role,
            system: "s"
        ).0
    }

    @Test func resultsMapToConnectorErrors() {
        #expect(Self.classify(49) == .credentialsRejected)
        #expect(Self.classify(49, "", .accountLocked) == .credentialsRejected)
        #expect(Self.classify(53, "unwilling to verify old password") == .credentialsRejected)
        #expect(Self.classify(53) == .permissionDenied)
        #expect(Self.classify(19, "Password fails quality checking policy", .passwordTooShort) == .policyRejected)
        #expect(Self.classify(19, "", .insufficientPasswordQuality) == .policyRejected)
        #expect(Self.classify(19, "Password is in history of old passwords") == .policyRejected)
        #expect(Self.classify(19, "", .passwordTooYoung) == .policyRejected)
        #expect(Self.classify(53, "", .mustSupplyOldPassword) == .policyRejected)
        #expect(Self.classify(32) == .notFound)
        #expect(Self.classify(68) == .alreadyExists)
        #expect(Self.classify(50) == .permissionDenied)
        #expect(Self.classify(13) == .configuration)
        #expect(Self.classify(8) == .configuration)
        for code: Int32 in [-1, -11, 51, 52] { #expect(Self.classify(code) == .unreachable) }
        for code: Int32 in [-5, 85, 3] { #expect(Self.classify(code) == .timedOut) }
        #expect(Self.classify(65) == .configuration)
        #expect(Self.classify(80) == .failed)
    }

    @Test func messagesNameTheSystemTheDNAndTheCode() throws {
        let connector = try Self.connector(session: ScriptedSession())
        let error = connector.failure(
            LDAPResultError(
                code: 19, diagnostic: "Password fails quality checking policy", policyError: .passwordTooShort,
                context: "password modify of uid=alice,ou=people,dc=example,dc=org"))
        #expect(error.kind == .policyRejected)
        #expect(
            error.message == "system 'directory': password modify of uid=alice,ou=people,dc=example,dc=org failed: "
                + "the password is too short for the directory's policy "
                + "(LDAP 19 constraintViolation: Password fails quality checking policy, ppolicy passwordTooShort)")
    }

    @Test func subschemaDescriptionsAreParsed() {
        let subschema = LDAPSubschema(
            attributeTypes: [
                "( 2.5.4.41 NAME 'name' DESC 'RFC4519: common supertype of name attributes' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{32768} )",
                "( 2.5.4.3 NAME ( 'cn' 'commonName' ) DESC 'RFC4519: common name(s) for which the entity is known by' SUP name )",
                "( 1.3.6.1.1.1.1.0 NAME 'uidNumber' DESC 'An integer uniquely identifying a user' EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )",
                "( 0.9.2342.19200300.100.1.60 NAME 'jpegPhoto' DESC 'RFC2798: a JPEG image' SYNTAX 1.3.6.1.4.1.1466.115.121.1.28 )",
                "( 1.3.6.1.4.1.42.2.27.8.1.17 NAME 'pwdAccountLockedTime' DESC 'The time an user account was locked' EQUALITY generalizedTimeMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
            ],
            objectClasses: [
                "( 2.5.6.0 NAME 'top' DESC 'top of the superclass chain' ABSTRACT MUST objectClass )",
                "( 2.5.6.6 NAME 'person' DESC 'RFC2256: a person' SUP top STRUCTURAL MUST ( sn $ cn ) MAY ( userPassword $ telephoneNumber ) )",
                "( 2.5.6.7 NAME 'organizationalPerson' SUP person STRUCTURAL MAY title )",
            ])
        #expect(subschema.valueType(of: "CN") == .string)
        #expect(subschema.valueType(of: "commonName") == .string)
        #expect(subschema.valueType(of: "uidNumber") == .integer)
        #expect(subschema.valueType(of: "jpegPhoto") == .binary)
        #expect(subschema.valueType(of: "nothing") == nil)
        #expect(subschema.attributeTypes["uidnumber"]?.isSingleValued == true)
        #expect(subschema.attributeTypes["cn"]?.isSingleValued == false)
        #expect(subschema.attributeTypes["pwdaccountlockedtime"]?.isUserModifiable == false)
        #expect(subschema.required(by: ["organizationalPerson"]) == ["sn", "cn", "objectclass"])
        #expect(LDAPSubschema.fields(of: "( 1.2 NAME 'x' DESC 'A (B) C' X-ORIGIN 'RFC' )")["DESC"] == ["A (B) C"])
    }

    @Test func aNewEntryGetsItsUIDAndAnObjectClass() throws {
        let connector = try Self.connector(session: ScriptedSession())
        let plain = connector.entryAttributes(uid: "alice", [ConnectorAttribute(name: "cn", value: .plain("Alice"))])
        #expect(plain.map(\.0) == ["objectClass", "cn", "uid"])
        let classes = connector.entryAttributes(
            uid: "alice",
            [
                ConnectorAttribute(name: "objectClass", value: .plain("top, person ,inetOrgPerson")),
                ConnectorAttribute(name: "uid", value: .plain("someone-else")),
                ConnectorAttribute(name: "description", value: .plain("Smith, John")),
                ConnectorAttribute(name: "mail", value: nil),
            ])
        #expect(classes.map(\.0) == ["objectClass", "description", "uid"])
        #expect(classes[0].1.count == 3)
        #expect(classes[1].1.count == 1)
        if case .text(let uid) = classes[2].1.first { #expect(uid == "alice") } else { Issue.record("uid") }
    }

    @Test func aRefusedFirstPasswordDeletesTheEntry() async throws {
        let session = ScriptedSession(
            passwordModify: LDAPResultError(
                code: 19, diagnostic: "", policyError: .passwordTooShort,
                context: "password modify of uid=a,ou=people,dc=example,dc=org"))
        let connector = try Self.connector(session: session)
        let error = await LDAPConnectorFixture.expectError(.policyRejected) {
            try await connector.create(
                uid: "a", attributes: [LDAPConnectorFixture.password("Ab#1")], options: PasswordOptions())
        }
        #expect(error?.message.contains("deleted again") == true)
        #expect(
            session.calls == [
                "add uid=a,ou=people,dc=example,dc=org", "passwordModify uid=a,ou=people,dc=example,dc=org",
                "delete uid=a,ou=people,dc=example,dc=org",
            ])

        let stuck = ScriptedSession(
            passwordModify: LDAPResultError(code: -1, diagnostic: "", context: "password modify"),
            delete: LDAPResultError(code: -1, diagnostic: "", context: "delete"))
        let unreachable = await LDAPConnectorFixture.expectError(.unreachable) {
            try await Self.connector(session: stuck).create(
                uid: "a", attributes: [LDAPConnectorFixture.password("Ab#1")], options: PasswordOptions())
        }
        #expect(unreachable?.message.contains("has NO password and could not be deleted again") == true)
    }

    @Test func aResetSetsOrClearsPwdResetAfterThePassword() async throws {
        let session = ScriptedSession()
        let connector = try Self.connector(session: session)
        try await connector.update(
            uid: "a", attributes: [LDAPConnectorFixture.password("Next#Pass-1")],
            options: PasswordOptions(mustChange: true))
        try await connector.update(
            uid: "a", attributes: [LDAPConnectorFixture.password("Next#Pass-2")],
            options: PasswordOptions(mustChange: false))
        try await connector.update(
            uid: "a", attributes: [LDAPConnectorFixture.password("Next#Pass-3")], options: PasswordOptions())
        let dn = "uid=a,ou=people,dc=example,dc=org"
        #expect(
            session.calls == [
                "passwordModify \(dn)", "modify \(dn) replace pwdReset TRUE",
                "passwordModify \(dn)", "modify \(dn) replace pwdReset",
                "passwordModify \(dn)",
            ])
    }

    static func connector(session: ScriptedSession) throws -> LDAPDirectoryConnector {
        let definition = LDAPConnectorSettingsTests.definition()
        let settings = try LDAPConnectorSettingsTests.settings()
        return LDAPDirectoryConnector(definition: definition, settings: settings, session: session)
    }
}

/// A session that records what it is asked and fails where told to.
final class ScriptedSession: LDAPSession {
    private let log = Mutex<[String]>([])
    let passwordModifyError: LDAPResultError?
    let deleteError: LDAPResultError?

    init(passwordModify: LDAPResultError? = nil, delete: LDAPResultError? = nil) {
        passwordModifyError = passwordModify
        deleteError = delete
    }

    var calls: [String] { log.withLock { $0 } }
    var isEncrypted: Bool { true }

    private func record(_ call: String) { log.withLock { $0.append(call) } }

    func add(dn: String, attributes: [(String, [LDAPValue])]) async throws(LDAPResultError) { record("add \(dn)") }

    func modify(dn: String, _ modifications: [LDAPModification]) async throws(LDAPResultError) {
        for modification in modifications {
            let values = modification.values.map { value in
                if case .text(let text) = value { text } else { "?" }
            }
            record(
                (["modify", dn, "\(modification.operation)", modification.attribute] + values).joined(separator: " "))
        }
    }

    func delete(dn: String) async throws(LDAPResultError) {
        record("delete \(dn)")
        if let deleteError { throw deleteError }
    }

    func search(base: String, scope: LDAPScope, filter: String, attributes: [String]) async throws(LDAPResultError)
        -> [LDAPEntry]
    {
        record("search \(base)")
        return [LDAPEntry(dn: base, attributes: [:])]
    }

    func passwordModify(dn: String, old: GuardedString?, new: GuardedString) async throws(LDAPResultError) {
        record("passwordModify \(dn)")
        if let passwordModifyError { throw passwordModifyError }
    }
}
