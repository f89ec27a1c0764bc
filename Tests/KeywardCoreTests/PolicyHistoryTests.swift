import KeywardCore
import KeywardTestSupport
import Testing

/// Password history with salted PBKDF2 hashes (a low iteration count here),
/// and the minimum and maximum age.
@Suite("Policy: history and age", .offThePool)
struct PolicyHistoryTests {
    typealias F = PolicyFixtures
    static let iterations = 1_000

    @Test func defaultIterationsFollowOWASP() {
        #expect(PasswordHistory.defaultIterations >= 210_000)
        #expect(PasswordHistory().iterations == PasswordHistory.defaultIterations)
    }

    @Test func recordedPasswordsAreFoundAndOthersAreNot() {
        var history = PasswordHistory(iterations: Self.iterations)
        #expect(!history.contains(GuardedString("first")))
        history.record(GuardedString("first"), keeping: 3)
        history.record(GuardedString("second"), keeping: 3)
        #expect(history.contains(GuardedString("first")))
        #expect(history.contains(GuardedString("second")))
        #expect(!history.contains(GuardedString("First")))
        #expect(!history.contains(GuardedString("third")))
        #expect(!history.contains(GuardedString("")))
        #expect(history.contains(GuardedString("second"), inLast: 1))
        #expect(!history.contains(GuardedString("first"), inLast: 1))
    }

    @Test func recordKeepsOnlyTheLastN() {
        var history = PasswordHistory(iterations: Self.iterations)
        for index in 1...5 { history.record(GuardedString("password-\(index)"), keeping: 3) }
        #expect(history.count == 3)
        #expect(!history.contains(GuardedString("password-2")))
        #expect(history.contains(GuardedString("password-3")))
        #expect(history.contains(GuardedString("password-5")))
        history.record(GuardedString("password-6"), keeping: 0)
        #expect(history.count == 0)
    }

    @Test func saltsDifferAndEntriesHoldNoPlaintext() {
        var history = PasswordHistory(iterations: Self.iterations)
        history.record(GuardedString(Canary.password), keeping: 5)
        history.record(GuardedString(Canary.password), keeping: 5)
        let entries = history.entries
        #expect(entries.count == 2)
        #expect(entries[0].salt != entries[1].salt)
        #expect(entries[0].hash != entries[1].hash)
        let plaintext = Array(Canary.password.utf8)
        for entry in entries {
            #expect(entry.salt.count == PasswordHistory.saltByteCount)
            #expect(entry.hash.count == PasswordHistory.hashByteCount)
            #expect(entry.iterations == Self.iterations)
            for bytes in [entry.salt, entry.hash] {
                #expect(!bytes.starts(with: plaintext.prefix(4)))
                #expect(!String(decoding: bytes, as: UTF8.self).contains("CANARY"))
            }
        }
        var dumped = ""
        dump(history, to: &dumped)
        for text in [dumped, String(reflecting: history), "\(history)"] {
            #expect(!text.contains(Canary.password) && !text.contains("CANARY"))
        }
    }

    @Test func storedEntriesRoundTripAndKeepTheirIterationCount() {
        var old = PasswordHistory(iterations: 500)
        old.record(GuardedString("kept"), keeping: 5)
        var restored = PasswordHistory(entries: old.entries, iterations: 800)
        restored.record(GuardedString("newer"), keeping: 5)
        #expect(restored.entries.map(\.iterations) == [500, 800])
        #expect(restored.contains(GuardedString("kept")))
        #expect(restored.contains(GuardedString("newer")))
        let damaged = PasswordHistory.Entry(salt: [1, 2, 3], hash: [4, 5, 6], iterations: 0)
        #expect(!damaged.matches(GuardedString("kept")))
    }

    @Test func theValidatorRefusesARecentPassword() {
        var history = PasswordHistory(iterations: Self.iterations)
        history.record(GuardedString("Older-Pass-1"), keeping: 5)
        history.record(GuardedString("Recent-Pass-2"), keeping: 5)
        let policy = PasswordPolicy(name: "p", minLength: 8, history: 1)
        let validator = PasswordValidator(policy: policy)
        let now = PasswordTimestamp(secondsSince1970: 1_700_000_000)
        func rules(_ password: String) -> [String] {
            validator.violations(of: GuardedString(password), history: history, lastChanged: nil, now: now).map(\.rule)
        }
        #expect(rules("Recent-Pass-2") == ["history"])
        #expect(rules("Older-Pass-1") == [])  // only the last one is remembered by this policy
        #expect(rules("Brand-New-3") == [])
        let two = PasswordValidator(policy: PasswordPolicy(name: "p", minLength: 8, history: 2))
        let violations = two.violations(of: GuardedString("Older-Pass-1"), history: history, lastChanged: nil, now: now)
        #expect(violations.map(\.rule) == ["history"])
        #expect(violations.first?.message == "Choose a password you have not used recently; it may not be any of your last 2 passwords.")
        // No history given, or a policy without the rule: not checked.
        #expect(two.violations(of: GuardedString("Older-Pass-1"), history: nil, lastChanged: nil, now: now) == [])
        let none = PasswordValidator(policy: PasswordPolicy(name: "p", minLength: 8))
        #expect(none.violations(of: GuardedString("Older-Pass-1"), history: history, lastChanged: nil, now: now) == [])
    }

    @Test func theValidatorRefusesAChangeBeforeTheMinimumAge() {
        let policy = PasswordPolicy(name: "p", minLength: 1, minAgeSeconds: 86_400, maxAgeSeconds: 90 * 86_400)
        let validator = PasswordValidator(policy: policy)
        let changed = PasswordTimestamp(secondsSince1970: 1_700_000_000)
        let soon = changed.adding(seconds: 3_600)
        let violations = validator.violations(of: GuardedString("x"), history: nil, lastChanged: changed, now: soon)
        #expect(violations.map(\.rule) == ["minAge"])
        #expect(violations.first?.message == "Your password was changed too recently; you can change it again in 23 hours.")
        #expect(validator.violations(of: GuardedString("x"), history: nil, lastChanged: changed, now: changed.adding(seconds: 86_400)) == [])
        #expect(validator.violations(of: GuardedString("x"), history: nil, lastChanged: nil, now: soon) == [])
    }

    @Test func ageQueries() {
        let policy = PasswordPolicy(name: "p", minAgeSeconds: 86_400, maxAgeSeconds: 90 * 86_400)
        let changed = PasswordTimestamp(secondsSince1970: 1_700_000_000)
        #expect(PasswordAge.earliestChange(lastChanged: changed, policy: policy) == changed.adding(seconds: 86_400))
        #expect(PasswordAge.expiry(lastChanged: changed, policy: policy) == changed.adding(seconds: 90 * 86_400))
        #expect(!PasswordAge.canChange(lastChanged: changed, policy: policy, now: changed.adding(seconds: 60)))
        #expect(PasswordAge.canChange(lastChanged: changed, policy: policy, now: changed.adding(seconds: 86_400)))
        #expect(!PasswordAge.isExpired(lastChanged: changed, policy: policy, now: changed.adding(seconds: 89 * 86_400)))
        #expect(PasswordAge.isExpired(lastChanged: changed, policy: policy, now: changed.adding(seconds: 90 * 86_400)))
        let open = PasswordPolicy(name: "open")
        #expect(PasswordAge.expiry(lastChanged: changed, policy: open) == nil)
        #expect(PasswordAge.canChange(lastChanged: changed, policy: open, now: changed))
        #expect(!PasswordAge.isExpired(lastChanged: changed, policy: open, now: changed.adding(seconds: 1 << 40)))
    }
}
