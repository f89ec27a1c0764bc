import KeywardTestSupport
import Testing
@testable import KeywardCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// For many random feasible policies, each with random paired validate
/// policies, every generated password satisfies its own policy and every
/// paired one.
///
/// Policies come from a seeded generator so a failure can be replayed: the
/// seed is in every failure message, and `KEYWARD_POLICY_SEED=N` reruns it.
/// Passwords always come from the generator's CSPRNG. No PBKDF2 here.
@Suite("Policy: generator properties", .offThePool)
struct PolicyPropertyTests {
    typealias F = PolicyFixtures

    static let policyCount = 200
    static let passwordsPerPolicy = 30

    /// `KEYWARD_POLICY_SEED` when set; in CI (`CI` set) a fixed seed, so a
    /// landing never depends on luck; elsewhere a fresh one each run, so
    /// developers' runs keep exploring new policies.
    static let seed: UInt64 = {
        if let text = getenv("KEYWARD_POLICY_SEED").map({ String(cString: $0) }), let seed = UInt64(text) { return seed }
        if getenv("CI") != nil { return 116 }
        var system = SystemRandomNumberGenerator()
        return system.next()
    }()

    /// Random syllable words, so passphrases see a list that is not the fixture's.
    static func randomWords(using random: inout SplitMix64) -> WordList {
        let syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ber", "dan", "fel", "gor", "hin", "jul", "pra", "que"]
        return WordList((0..<400).map { _ in
            (0..<Int.random(in: 1...4, using: &random)).map { _ in syllables.randomElement(using: &random)! }.joined()
        })
    }

    @Test func everyGeneratedPasswordSatisfiesItsPolicyAndThePairedOnes() throws {
        let seed = Self.seed
        var random = RandomPolicies(random: SplitMix64(seed: seed))
        var wordRandom = SplitMix64(seed: seed ^ 0x5EED)
        let wordLists = [F.words, Self.randomWords(using: &wordRandom)]
        var feasible = 0
        var infeasible = 0
        var passphrases = 0
        var generated = 0
        var tries = 0
        while feasible < Self.policyCount, tries < 20 * Self.policyCount {
            tries += 1
            let policy = random.policy(name: "gen\(tries)", generating: true)
            let paired = (0..<Int.random(in: 0...2, using: &random.random)).map {
                random.policy(name: "val\(tries).\($0)", generating: false)
            }
            let words = wordLists[tries % 2]
            let problems = PolicyFeasibility.problems(of: policy, pairedWith: paired, words: words)
            guard problems.isEmpty else {
                infeasible += 1
                continue
            }
            feasible += 1
            if case .passphrase = policy.generation { passphrases += 1 }
            let generator = PasswordGenerator(policy: policy, words: words, commonPasswords: F.common)
            let validators = ([policy] + paired).map { PasswordValidator(policy: $0, commonPasswords: F.common) }
            for _ in 0..<Self.passwordsPerPolicy {
                let password: GuardedString
                do {
                    password = try generator.generate(for: F.jane, pairedWith: paired)
                } catch {
                    Issue.record("seed \(seed), policy \(policy.name): \(error) — \(policy) paired with \(paired)")
                    break
                }
                generated += 1
                for validator in validators {
                    let violations = validator.violations(of: password, identity: F.jane)
                    #expect(
                        violations.isEmpty,
                        "seed \(seed), policy \(policy.name): \(violations.map(\.rule)) of \(validator.policy.name) — \(policy) paired with \(paired)"
                    )
                }
            }
        }
        #expect(feasible == Self.policyCount, "seed \(seed): only \(feasible) feasible policies in \(tries) tries")
        #expect(generated >= Self.policyCount * Self.passwordsPerPolicy, "seed \(seed)")
        #expect(passphrases >= 10, "seed \(seed): only \(passphrases) passphrase policies")
        #expect(infeasible > 0, "seed \(seed): the random policies never hit an infeasible one")
    }

    /// What feasibility states as a contradiction between rules, the
    /// generator cannot do either (the trial generation's findings aside).
    @Test func contradictionsFoundByFeasibilityAlsoStopTheGenerator() {
        let seed = Self.seed
        var random = RandomPolicies(random: SplitMix64(seed: seed ^ 0xFEA5))
        var checked = 0
        for index in 0..<250 {
            let policy = random.policy(name: "gen\(index)", generating: true)
            let paired = [random.policy(name: "val\(index)", generating: false)]
            let constraints = CombinedConstraints(policy, pairedWith: paired)
            guard !PolicyFeasibility.staticProblems(of: constraints, words: F.words).isEmpty else { continue }
            checked += 1
            #expect(throws: PolicyError.self, "seed \(seed), policy \(policy.name): \(policy) paired with \(paired)") {
                try PasswordGenerator(policy: policy, words: F.words).generate(pairedWith: paired)
            }
        }
        #expect(checked > 10, "seed \(seed)")
    }
}
