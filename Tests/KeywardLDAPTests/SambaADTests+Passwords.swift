import KeywardConnectors
import KeywardCore
import KeywardLDAP
import KeywardTestSupport
import Testing

extension SambaADTests {
    /// Resets, changes and the domain's password policy.
    @Suite("Passwords", .sambaDC)
    struct Passwords {
        var server: SambaServer { SambaServer.current! }

        @Test(arguments: ADAuthMode.allCases)
        func resetWithMustChangeThenWithout(mode: ADAuthMode) async throws {
            let uid = mode.uid("ada")
            try server.createUser(uid, password: "Ada#Pass-1")
            let connector = try server.connector(mode)

            try await connector.update(
                uid: uid, attributes: ADFixtures.password("Ada#Pass-2"), options: PasswordOptions(mustChange: true))
            #expect(server.bindUser(uid, "Ada#Pass-2") == .failed(subcode: "773"))
            #expect(server.bindUser(uid, "Ada#Pass-1") == .failed(subcode: "52e"))
            #expect(try await connector.get(uid: uid).mustChange == true)

            try await connector.update(
                uid: uid, attributes: ADFixtures.password("Ada#Pass-3"), options: PasswordOptions(mustChange: false))
            #expect(server.bindUser(uid, "Ada#Pass-3") == .success)
            #expect(try await connector.get(uid: uid).mustChange == false)
        }

        @Test(arguments: ADAuthMode.allCases)
        func changeWithTheRightCurrentPassword(mode: ADAuthMode) async throws {
            let uid = mode.uid("ben")
            try server.createUser(uid, password: "Ben#Pass-11")
            let connector = try server.connector(mode)

            try await connector.changePassword(
                uid: uid, current: GuardedString("Ben#Pass-11"), attributes: ADFixtures.password("Ben#Pass-22"))
            #expect(server.bindUser(uid, "Ben#Pass-22") == .success)
            #expect(server.bindUser(uid, "Ben#Pass-11") == .failed(subcode: "52e"))
        }

        @Test(arguments: ADAuthMode.allCases)
        func changeWithAWrongCurrentPasswordIsCredentialsRejected(mode: ADAuthMode) async throws {
            let uid = mode.uid("cai")
            try server.createUser(uid, password: "Cai#Pass-11")
            let connector = try server.connector(mode)

            let error = await adError {
                try await connector.changePassword(
                    uid: uid, current: GuardedString("Cai#Wrong-99"), attributes: ADFixtures.password("Cai#Pass-22"))
            }
            #expect(error?.kind == .credentialsRejected)
            #expect(error?.message.contains("00000056") == true)
            #expect(error?.message.contains("'\(uid)'") == true)
            #expect(server.bindUser(uid, "Cai#Pass-11") == .success)
        }

        /// A person who must change cannot bind (773); the service account
        /// sends the change with their current password.
        @Test(arguments: ADAuthMode.allCases)
        func changeWhenThePersonMustChange(mode: ADAuthMode) async throws {
            let uid = mode.uid("dee")
            try server.createUser(uid, password: "Dee#Pass-11", mustChangeAtNextLogin: true)
            #expect(server.bindUser(uid, "Dee#Pass-11") == .failed(subcode: "773"))
            let connector = try server.connector(mode)

            try await connector.changePassword(
                uid: uid, current: GuardedString("Dee#Pass-11"), attributes: ADFixtures.password("Dee#Pass-22"))
            #expect(server.bindUser(uid, "Dee#Pass-22") == .success)
            #expect(try await connector.get(uid: uid).mustChange == false)
        }

        /// A retry of a change that went through: the current password no
        /// longer verifies, the new one binds. Only a TLS setup can bind as
        /// the person to see that.
        @Test(arguments: ADAuthMode.allCases)
        func aRetriedChangeThatWasAlreadyMade(mode: ADAuthMode) async throws {
            let uid = mode.uid("eli")
            try server.createUser(uid, password: "Eli#Pass-11")
            let connector = try server.connector(mode)
            try await connector.changePassword(
                uid: uid, current: GuardedString("Eli#Pass-11"), attributes: ADFixtures.password("Eli#Pass-22"))

            switch mode {
            case .basic:
                try await connector.changePassword(
                    uid: uid, current: GuardedString("Eli#Pass-11"), attributes: ADFixtures.password("Eli#Pass-22"))
            case .negotiate:
                let error = await adError {
                    try await connector.changePassword(
                        uid: uid, current: GuardedString("Eli#Pass-11"), attributes: ADFixtures.password("Eli#Pass-22"))
                }
                #expect(error?.kind == .credentialsRejected)
            }
            #expect(server.bindUser(uid, "Eli#Pass-22") == .success)
        }

        @Test(arguments: ADAuthMode.allCases)
        func tooShortAndInHistoryArePolicyRejected(mode: ADAuthMode) async throws {
            let uid = mode.uid("fay")
            try server.createUser(uid, password: "Fay#Pass-11")
            let connector = try server.connector(mode)

            let short = await adError {
                try await connector.update(
                    uid: uid, attributes: ADFixtures.password("Fy#1"), options: PasswordOptions())
            }
            #expect(short?.kind == .policyRejected)
            #expect(short?.message.contains("0000052D") == true)

            try await connector.changePassword(
                uid: uid, current: GuardedString("Fay#Pass-11"), attributes: ADFixtures.password("Fay#Pass-22"))
            let history = await adError {
                try await connector.changePassword(
                    uid: uid, current: GuardedString("Fay#Pass-22"), attributes: ADFixtures.password("Fay#Pass-11"))
            }
            #expect(history?.kind == .policyRejected)
            #expect(server.bindUser(uid, "Fay#Pass-22") == .success)
        }

        /// The canary password goes through create, reset and change, and
        /// through the errors a wrong current password and the history
        /// give; no error's text holds it.
        @Test(arguments: ADAuthMode.allCases)
        func theCanaryNeverAppearsInAnError(mode: ADAuthMode) async throws {
            let uid = mode.uid("gus")
            let canary = Canary.password
            let connector = try server.connector(mode)
            var errors: [ConnectorError] = []

            try await connector.create(
                uid: uid, attributes: ADFixtures.person("Gus", "Ho", password: canary), options: PasswordOptions())
            #expect(server.bindUser(uid, canary) == .success)
            try await connector.update(
                uid: uid, attributes: ADFixtures.password("Gus#Pass-22"), options: PasswordOptions())
            errors += await [
                adError {
                    try await connector.changePassword(
                        uid: uid, current: GuardedString(canary), attributes: ADFixtures.password("Gus#Pass-33"))
                }
            ].compactMap(\.self)
            try await connector.update(uid: uid, attributes: ADFixtures.password(canary), options: PasswordOptions())
            #expect(server.bindUser(uid, canary) == .success)
            try await connector.changePassword(
                uid: uid, current: GuardedString(canary), attributes: ADFixtures.password("Gus#Pass-44"))
            errors += await [
                adError {
                    try await connector.changePassword(
                        uid: uid, current: GuardedString("Gus#Pass-44"), attributes: ADFixtures.password(canary))
                },
                adError {
                    try await connector.create(
                        uid: uid, attributes: ADFixtures.person("Gus", "Ho", password: canary),
                        options: PasswordOptions())
                },
            ].compactMap(\.self)

            #expect(errors.map(\.kind) == [.credentialsRejected, .policyRejected, .alreadyExists])
            for error in errors {
                #expect(!error.message.contains(canary))
                #expect(!String(describing: error).contains(canary))
                #expect(!String(reflecting: error).contains(canary))
            }
        }
    }
}
