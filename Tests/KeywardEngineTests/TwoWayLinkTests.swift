import Crypto
import Foundation
import KeywardCore
import KeywardEngine
import KeywardStore
import KeywardTestSupport
import Synchronization
import Testing

/// Two-way initialization: the link's token properties (256 random bits,
/// hash-only storage, single use, expiry, revocation by a later password
/// operation) and the password it sets, down to the target table.
@Suite("Two-way initialization links", .offThePool)
struct TwoWayLinkTests {
    /// A service whose clock the test moves.
    final class Clock: Sendable {
        let time = Mutex(Date())
        func advance(hours: Double) { time.withLock { $0 = $0.addingTimeInterval(hours * 3600) } }
    }

    func service(_ fixture: EngineFixture, clock: Clock = Clock()) -> PasswordService {
        PasswordService(provisioning: fixture.service, now: { clock.time.withLock { $0 } })
    }

    @Test func theLinkCreatesTheAccountWithThePasswordThePersonChoseAndWorksOnce() async throws {
        let fixture = try await EngineFixture()
        let passwords = service(fixture)
        let invitation = try await passwords.initializeTwoWay(username: "jdoe", system: "hr")

        #expect(invitation.token.count == 43)
        #expect(invitation.token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(try await fixture.queueIsEmpty(), "nothing is provisioned before the person sets the password")

        let chosen = Canary.password + "-Aa1"
        let receipt = try await passwords.completeTwoWay(token: invitation.token, password: GuardedString(chosen))
        #expect(receipt.generatedPassword == nil)
        #expect(try await fixture.executor.drain() == 1)
        #expect(try fixture.holds(chosen))

        let again = await refusal { _ = try await passwords.completeTwoWay(token: invitation.token, password: GuardedString(chosen)) }
        #expect(again?.kind == .link)
        #expect(again?.message.contains("used already") == true)
        #expect(try await fixture.executor.drain() == 0)
    }

    @Test func theStoreKeepsOnlyTheHashAndTwoLinksDiffer() async throws {
        let fixture = try await EngineFixture()
        let passwords = service(fixture)
        let first = try await passwords.initializeTwoWay(username: "jdoe", system: "hr")
        let second = try await passwords.initializeTwoWay(username: "asmith", system: "hr")
        #expect(first.token != second.token)

        let record = try #require(try await fixture.store.setPasswordToken(hash: Data(SHA256.hash(data: Data(first.token.utf8)))))
        #expect(record.username == "jdoe" && record.system == "hr" && record.usedAt == nil)
        for path in [fixture.store.path, fixture.store.path + "-wal"] {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
            #expect(bytes.range(of: Data(first.token.utf8)) == nil, "the token itself is in \(path)")
        }
    }

    @Test func aPasswordThePolicyRefusesLeavesTheLinkUsable() async throws {
        let fixture = try await EngineFixture()
        let passwords = service(fixture)
        let invitation = try await passwords.initializeTwoWay(username: "jdoe", system: "hr")

        let weak = await refusal { _ = try await passwords.completeTwoWay(token: invitation.token, password: GuardedString("short")) }
        #expect(weak?.kind == .planning)
        #expect(try await fixture.queueIsEmpty())
        _ = try await passwords.openLink(token: invitation.token)
        _ = try await passwords.completeTwoWay(token: invitation.token, password: GuardedString("Good-Enough-Pass-42"))
    }

    @Test func theLinkExpires() async throws {
        let fixture = try await EngineFixture()
        let clock = Clock()
        let passwords = service(fixture, clock: clock)
        let invitation = try await passwords.initializeTwoWay(username: "jdoe", system: "hr")
        clock.advance(hours: 71.9)
        _ = try await passwords.openLink(token: invitation.token)
        clock.advance(hours: 0.2)
        let expired = await refusal { _ = try await passwords.openLink(token: invitation.token) }
        #expect(expired?.kind == .link)
        #expect(expired?.message.contains("expired") == true)
    }

    @Test func aLaterPasswordOperationOrANewerLinkRevokesIt() async throws {
        let fixture = try await EngineFixture()
        let passwords = service(fixture)
        try await fixture.recordAccount("jdoe", on: "hr")
        let first = try await passwords.initializeTwoWay(username: "jdoe", system: "hr")
        let second = try await passwords.initializeTwoWay(username: "jdoe", system: "hr")
        let replaced = await refusal { _ = try await passwords.openLink(token: first.token) }
        #expect(replaced?.message.contains("replaced") == true)

        let reset = try await passwords.reset(
            username: "jdoe", system: "hr", password: .chosen(GuardedString("Helpdesk-Chose-It-7")))
        let revoked = await refusal {
            _ = try await passwords.completeTwoWay(token: second.token, password: GuardedString("Too-Late-Pass-99"))
        }
        #expect(revoked?.kind == .link)
        #expect(revoked?.message.contains("replaced") == true)
        // Only the helpdesk's reset was queued.
        #expect(try await fixture.operations().allSatisfy { $0.requestID == reset.requestID })
    }

    @Test func anUnknownTokenIsRefusedWithoutSayingMore() async throws {
        let fixture = try await EngineFixture()
        let unknown = await refusal { _ = try await service(fixture).openLink(token: "not-a-token") }
        #expect(unknown?.kind == .link)
        #expect(unknown?.message == "this link is not valid; ask for a new one")
    }

    @Test func aSystemThatCannotInitializeIsRefusedBeforeALinkIsIssued() async throws {
        let fixture = try await EngineFixture()
        let refused = await refusal { _ = try await service(fixture).initializeTwoWay(username: "jdoe", system: "archive") }
        #expect(refused?.kind == .unknownSystem)
        #expect(try await fixture.store.audit(AuditFilter(username: "jdoe")).filter { $0.outcome == "link-issued" }.isEmpty)
    }

    /// The service error `body` threw.
    private func refusal(_ body: () async throws -> Void) async -> ServiceError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? ServiceError
        }
    }
}
