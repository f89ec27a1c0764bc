import KeywardConnectors
import KeywardCore
import KeywardLDAP
import KeywardTestSupport
import Testing

extension SambaADTests {
    /// Lockouts made by real failed binds, and unlock.
    @Suite("Lockout", .sambaDC)
    struct Lockout {
        var server: SambaServer { SambaServer.current! }

        @Test(arguments: ADAuthMode.allCases)
        func threeFailedBindsLockAndUnlockLetsThePersonIn(mode: ADAuthMode) async throws {
            let uid = mode.uid("hal")
            try server.createUser(uid, password: "Hal#Pass-11")
            let connector = try server.connector(mode)
            #expect(try await connector.get(uid: uid).locked == false)

            for _ in 1...3 { #expect(server.bindUser(uid, "Hal#Wrong-99") == .failed(subcode: "52e")) }
            #expect(server.bindUser(uid, "Hal#Pass-11") == .failed(subcode: "775"))
            #expect(try await connector.get(uid: uid).locked == true)

            try await connector.unlock(uid: uid)
            #expect(try await connector.get(uid: uid).locked == false)
            #expect(server.bindUser(uid, "Hal#Pass-11") == .success)
        }

        @Test(arguments: ADAuthMode.allCases)
        func unlockingAnAccountThatIsNotLockedSucceeds(mode: ADAuthMode) async throws {
            let uid = mode.uid("ivy")
            try server.createUser(uid, password: "Ivy#Pass-11")
            let connector = try server.connector(mode)

            try await connector.unlock(uid: uid)
            try await connector.unlock(uid: uid)
            #expect(try await connector.get(uid: uid).locked == false)
            #expect(server.bindUser(uid, "Ivy#Pass-11") == .success)
            let missing = await adError { try await connector.unlock(uid: mode.uid("nobody")) }
            #expect(missing?.kind == .notFound)
        }
    }
}
