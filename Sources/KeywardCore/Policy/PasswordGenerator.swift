/// Makes passwords that satisfy a policy and the validate policies paired
/// with it.
///
/// Randomness comes only from `SystemRandomNumberGenerator` (the operating
/// system's CSPRNG); there is no way to pass a seeded generator.
///
/// **Characters style.** The length is the style's `length`, or
/// max(minLength, 16) capped at maxLength, kept within the range every
/// paired policy accepts (and raised when the class minimums need more). The
/// first and last characters are drawn first when a rule constrains them;
/// then every class minimum (of all the policies) is filled, then every
/// `minClasses` rule, then the rest comes from the alphabet: the generate
/// policy's listed classes (the four built-in ones when it lists none) less
/// every prohibited character, never past a class maximum. The middle is
/// shuffled with the CSPRNG.
///
/// **Passphrase style.** `words` random words from the ``WordList`` (those
/// with no prohibited character), each short enough that the whole still
/// fits the maximum length, joined by the separator. Then the classes are
/// adjusted: words are capitalised for uppercase minimums (the first letter
/// of random words, then other letters), and characters of other classes a
/// rule requires (a digit, a symbol) are appended to random words. Short
/// passphrases get more words, then random alphabet characters; a first- or
/// last-character rule the passphrase breaks is fixed by capitalising the
/// first word or by adding a fitting character at that end.
///
/// Every candidate is checked with ``PasswordValidator`` against the
/// generate policy and each paired policy (personal data of `identity`, the
/// dictionary of `commonPasswords`); a rejected one is wiped and another
/// drawn, up to ``maximumAttempts`` times.
public struct PasswordGenerator: Sendable {
    /// The generate policy.
    public let policy: PasswordPolicy
    /// The word list for the passphrase style.
    public let words: WordList?
    /// The list the dictionary rules of all policies refuse.
    public let commonPasswords: CommonPasswordList

    /// How many candidates one call draws before it gives up.
    public static let maximumAttempts = 200

    /// Creates a generator.
    public init(policy: PasswordPolicy, words: WordList? = nil, commonPasswords: CommonPasswordList = .empty) {
        self.policy = policy
        self.words = words
        self.commonPasswords = commonPasswords
    }

    /// A password that satisfies this policy and every policy in `pairedWith`;
    /// uses SystemRandomNumberGenerator only.
    public func generate(for identity: Identity? = nil, pairedWith: [PasswordPolicy] = []) throws(PolicyError) -> GuardedString {
        let constraints = CombinedConstraints(policy, pairedWith: pairedWith)
        let validators = constraints.policies.map { PasswordValidator(policy: $0, commonPasswords: commonPasswords) }
        var random = SystemRandomNumberGenerator()
        let source: PassphraseSource?
        if case .passphrase(let count, let separator) = policy.generation {
            guard let words, !words.isEmpty else {
                throw PolicyError(
                    policy: policy.name, code: .infeasible,
                    message: "Passphrase generation needs a word list, and none was given.")
            }
            source = PassphraseSource(words: words, count: count, separator: separator, constraints: constraints)
        } else {
            source = nil
        }

        var rejections: [String: Int] = [:]
        var unbuilt = 0
        for _ in 0..<Self.maximumAttempts {
            var candidate = SecretScalars(capacity: constraints.maxLength + 4)
            let built =
                if let source {
                    Self.composePassphrase(source, into: &candidate, using: &random)
                } else {
                    Self.composeCharacters(constraints, into: &candidate, using: &random)
                }
            guard built else {
                unbuilt += 1
                continue
            }
            var accepted = true
            for validator in validators {
                for violation in validator.violations(of: candidate, identity: identity) {
                    accepted = false
                    rejections["\(violation.rule) of policy \(violation.policy)", default: 0] += 1
                }
            }
            if accepted { return candidate.guarded() }
        }
        throw failure(constraints: constraints, rejections: rejections, unbuilt: unbuilt)
    }

    /// The error after every attempt failed: the rules in conflict when the
    /// policies contradict each other, else the rules that rejected most.
    private func failure(constraints: CombinedConstraints, rejections: [String: Int], unbuilt: Int) -> PolicyError {
        let problems = PolicyFeasibility.staticProblems(of: constraints, words: words)
        if !problems.isEmpty {
            return PolicyError(policy: policy.name, code: .infeasible, message: problems.joined(separator: " "))
        }
        var reasons = rejections.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(3).map { "\($0.key) (\($0.value) times)" }
        if unbuilt > 0 {
            reasons.append("no character or word fitting the class, prohibited and length rules was left (\(unbuilt) times)")
        }
        return PolicyError(
            policy: policy.name, code: .exhausted,
            message: "No candidate satisfied every rule in \(Self.maximumAttempts) attempts; "
                + "the rules that rejected most were \(PolicyText.list(reasons, conjunction: "and")). "
                + "Loosen those rules, or check the person's data and the dictionary.")
    }
}
