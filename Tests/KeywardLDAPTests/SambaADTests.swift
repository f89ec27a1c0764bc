import KeywardConnectors
import KeywardCore
import KeywardLDAP
import KeywardTestSupport
import Testing

/// The `ad` connector against a real Samba AD DC, in both auth modes.
///
/// Every Samba suite is nested here: the DC's ports are fixed, so the
/// suites run one after another, each with its own copy of the template.
/// Results are proved the way a login would: a simple bind over LDAPS as
/// the person (``SambaServer/bindUser(_:_:)``).
@Suite("Samba AD DC", .offThePool, .serialized)
struct SambaADTests {
    @Suite("Accounts", .sambaDC)
    struct Accounts {
        var server: SambaServer { SambaServer.current! }

        @Test(arguments: ADAuthMode.allCases)
        func createThenThePersonBinds(mode: ADAuthMode) async throws {
            let uid = mode.uid("nova")
            let connector = try server.connector(mode)
            try await connector.create(
                uid: uid, attributes: ADFixtures.person("Nova", "Lee", password: "Nova#Pass-1"),
                options: PasswordOptions())

            #expect(server.bindUser(uid, "Nova#Pass-1") == .success)
            #expect(server.bindUser(uid, "Nova#Pass-2") == .failed(subcode: "52e"))
            #expect(try server.attribute("userAccountControl", of: uid) == "512")
            let account = try await connector.get(uid: uid)
            #expect(account.attributes["givenName"] == "Nova")
            #expect(account.attributes["sAMAccountName"] == uid)
            #expect(account.attributes["userPrincipalName"] == "\(uid)@\(SambaServer.domain)")
            #expect(account.locked == false)
            #expect(account.mustChange == false)
        }

        @Test(arguments: ADAuthMode.allCases)
        func createWithMustChangeForcesAChangeAtFirstLogon(mode: ADAuthMode) async throws {
            let uid = mode.uid("omar")
            let connector = try server.connector(mode)
            try await connector.create(
                uid: uid, attributes: ADFixtures.person("Omar", "Diaz", password: "Omar#Pass-1"),
                options: PasswordOptions(mustChange: true))

            #expect(server.bindUser(uid, "Omar#Pass-1") == .failed(subcode: "773"))
            #expect(try await connector.get(uid: uid).mustChange == true)
        }

        @Test(arguments: ADAuthMode.allCases)
        func createTwiceIsAlreadyExists(mode: ADAuthMode) async throws {
            let uid = mode.uid("pia")
            let connector = try server.connector(mode)
            try await connector.create(
                uid: uid, attributes: ADFixtures.person("Pia", "Ek", password: "Pia#Pass-11"),
                options: PasswordOptions())
            let error = await adError {
                try await connector.create(
                    uid: uid, attributes: ADFixtures.person("Pia", "Ek", password: "Pia#Pass-11"),
                    options: PasswordOptions())
            }
            #expect(error?.kind == .alreadyExists)
            #expect(error?.message.contains("'\(uid)'") == true)

            // Another entry name, the same sAMAccountName.
            let renamed = await adError {
                try await connector.create(
                    uid: uid,
                    attributes: [ConnectorAttribute(name: "cn", value: .plain("Pia Other"))]
                        + ADFixtures.person("Pia", "Ek", password: "Pia#Pass-11"),
                    options: PasswordOptions())
            }
            #expect(renamed?.kind == .alreadyExists)
        }

        @Test(arguments: ADAuthMode.allCases)
        func createNamesTheEntryAfterAnEscapedCN(mode: ADAuthMode) async throws {
            let uid = mode.uid("uma")
            let connector = try server.connector(mode)
            try await connector.create(
                uid: uid,
                attributes: [ConnectorAttribute(name: "cn", value: .plain("Ng, Uma #\(mode.rawValue)"))]
                    + ADFixtures.person("Uma", "Ng", password: "Uma#Pass-11"),
                options: PasswordOptions())

            // Samba writes the DN back with `#` escaped too.
            let dn = try #require(try server.attribute("distinguishedName", of: uid))
            #expect(dn.hasPrefix("CN=Ng\\, Uma ") && dn.hasSuffix("\(mode.rawValue),\(SambaServer.usersDN)"))
            #expect(try await connector.get(uid: uid).attributes["cn"] == "Ng, Uma #\(mode.rawValue)")
            #expect(server.bindUser(uid, "Uma#Pass-11") == .success)
        }

        @Test(arguments: ADAuthMode.allCases)
        func setEnabledFlipsOnlyTheDisabledBit(mode: ADAuthMode) async throws {
            let uid = mode.uid("quinn")
            try server.createUser(uid, password: "Quinn#Pass-1")
            // NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD: the second bit must survive.
            try server.setAttribute("userAccountControl", of: uid, to: "66048")
            let connector = try server.connector(mode)

            try await connector.setEnabled(uid: uid, false)
            #expect(try server.attribute("userAccountControl", of: uid) == "66050")
            #expect(server.bindUser(uid, "Quinn#Pass-1") == .failed(subcode: "533"))
            try await connector.setEnabled(uid: uid, false)
            #expect(try server.attribute("userAccountControl", of: uid) == "66050")

            try await connector.setEnabled(uid: uid, true)
            #expect(try server.attribute("userAccountControl", of: uid) == "66048")
            #expect(server.bindUser(uid, "Quinn#Pass-1") == .success)
        }

        @Test(arguments: ADAuthMode.allCases)
        func deleteRemovesTheAccount(mode: ADAuthMode) async throws {
            let uid = mode.uid("rosa")
            try server.createUser(uid, password: "Rosa#Pass-1")
            let connector = try server.connector(mode)
            try await connector.delete(uid: uid)

            #expect(try server.attribute("cn", of: uid) == nil)
            let error = await adError { _ = try await connector.get(uid: uid) }
            #expect(error?.kind == .notFound)
            let again = await adError { try await connector.delete(uid: uid) }
            #expect(again?.kind == .notFound)
        }

        @Test(arguments: ADAuthMode.allCases)
        func testBindsAndSchemaDescribesTheMappedAttributes(mode: ADAuthMode) async throws {
            let connector = try server.connector(mode)
            try await connector.test()

            let schema = try await connector.schema()
            #expect(schema.first == .password)
            let account = try #require(schema.first { $0.name == "sAMAccountName" })
            #expect(account.required && !account.updatable && !account.multivalued)
            let given = try #require(schema.first { $0.name == "givenName" })
            #expect(given.type == .string && !given.multivalued)

            let wrongBase = try server.connector(mode, baseDN: "OU=Nowhere,\(SambaServer.baseDN)")
            let error = await adError { try await wrongBase.test() }
            #expect(error?.kind == .configuration)
        }

        @Test func aWrongServicePasswordIsCredentialsRejected() async throws {
            let connector = try server.connector(.basic, bindPassword: "Not#The-Password1")
            let error = await adError { try await connector.test() }
            #expect(error?.kind == .credentialsRejected)
            #expect(error?.message.contains("data 52e") == true)
            #expect(error?.message.contains("Not#The-Password1") == false)
        }

        /// `svc-reset` holds only the Reset-Password right: resets and
        /// changes work, the rest is refused as a permission error.
        @Test(arguments: ADAuthMode.allCases)
        func theResetPasswordRightAloneCoversResetAndChangeOnly(mode: ADAuthMode) async throws {
            let uid = mode.uid("sami")
            try server.createUser(uid, password: "Sami#Pass-1")
            let connector = try server.connector(mode, as: .resetOnly)

            try await connector.update(
                uid: uid, attributes: ADFixtures.password("Sami#Pass-2"), options: PasswordOptions())
            #expect(server.bindUser(uid, "Sami#Pass-2") == .success)
            try await connector.changePassword(
                uid: uid, current: GuardedString("Sami#Pass-2"), attributes: ADFixtures.password("Sami#Pass-3"))
            #expect(server.bindUser(uid, "Sami#Pass-3") == .success)

            let mustChange = await adError {
                try await connector.update(
                    uid: uid, attributes: ADFixtures.password("Sami#Pass-4"), options: PasswordOptions(mustChange: true)
                )
            }
            #expect(mustChange?.kind == .permissionDenied)
            // One modify: the refused pwdLastSet took the password with it.
            #expect(server.bindUser(uid, "Sami#Pass-3") == .success)

            let unlock = await adError { try await connector.unlock(uid: uid) }
            #expect(unlock?.kind == .permissionDenied)
            let create = await adError {
                try await connector.create(
                    uid: mode.uid("tara"), attributes: ADFixtures.person("Tara", "Ng", password: "Tara#Pass-1"),
                    options: PasswordOptions())
            }
            #expect(create?.kind == .permissionDenied)
        }
    }
}
