/// Whether a generate policy can make a password at all, alone and together
/// with the validate policies paired with it: a configuration error to
/// report at load time, not at 3 a.m.
///
/// The checks that can be stated exactly come first, each as a sentence that
/// names the policies and rules in conflict: a minimum above a maximum
/// (lengths, class counts, ages), class minimums that need more characters
/// than the maximum length, a required class whose every character is
/// prohibited, an alphabet that is entirely prohibited, `minClasses` above the
/// usable classes, first- or last-character rules no allowed character
/// satisfies, class maximums that cap the password below its minimum length,
/// custom characters made of several Unicode scalars, and for passphrases a
/// missing word list, a prohibited separator, or words that cannot fit the
/// maximum length. When none applies, three trial generations run (with no
/// person and no dictionary) and the first error, if any, is the problem:
/// that catches the combinations no single rule explains.
public enum PolicyFeasibility {
    /// How many trial generations a policy without stated problems must pass.
    static let trialGenerations = 3

    /// Problems that make `policy` unable to generate a password that also
    /// satisfies `pairedWith` (empty = fine). Each a sentence naming the
    /// rule(s) in conflict.
    public static func problems(of policy: PasswordPolicy, pairedWith: [PasswordPolicy] = [], words: WordList? = nil) -> [String] {
        let constraints = CombinedConstraints(policy, pairedWith: pairedWith)
        let problems = staticProblems(of: constraints, words: words)
        guard problems.isEmpty else { return problems }
        // A few trials: a policy that only sometimes generates fails at 3 a.m. too.
        let generator = PasswordGenerator(policy: policy, words: words)
        for _ in 0..<trialGenerations {
            do {
                _ = try generator.generate(pairedWith: pairedWith)
            } catch {
                return ["Policy `\(policy.name)` cannot generate a password: \(error.message)"]
            }
        }
        return []
    }

    /// The problems stated rule by rule, without a trial generation.
    static func staticProblems(of constraints: CombinedConstraints, words: WordList?) -> [String] {
        var problems: [String] = []
        for policy in constraints.policies {
            problems += ownProblems(of: policy)
        }
        problems += lengthProblems(constraints)
        problems += classProblems(constraints)
        problems += endProblems(constraints)
        switch constraints.generating.generation {
        case .characters(let length):
            problems += characterProblems(constraints, length: length)
        case .passphrase(let count, let separator):
            problems += passphraseProblems(constraints, words: words, count: count, separator: separator)
        }
        return problems
    }

    /// Contradictions inside one policy.
    private static func ownProblems(of policy: PasswordPolicy) -> [String] {
        var problems: [String] = []
        let name = "Policy `\(policy.name)`"
        if policy.minLength > policy.maxLength {
            problems.append("\(name): minLength (\(policy.minLength)) is greater than maxLength (\(policy.maxLength)).")
        }
        if policy.maxLength < 1 {
            problems.append("\(name): maxLength (\(policy.maxLength)) must be at least 1.")
        }
        for rule in policy.classes {
            if let max = rule.max, rule.min > max {
                problems.append(
                    "\(name): class \(rule.characterClass.label) requires at least \(rule.min) but allows at most \(max).")
            }
            let multi = rule.characterClass.multiScalarMembers
            if !multi.isEmpty {
                problems.append(
                    "\(name): class \(rule.characterClass.label) lists \(PolicyText.count(multi.count, "character")) "
                        + "made of several Unicode scalars (\(multi.map(String.init).joined(separator: " "))); "
                        + "policies count single scalars, so write each as one precomposed character or remove it.")
            }
        }
        let multiProhibited = policy.prohibited.filter { $0.unicodeScalars.count != 1 }
        if !multiProhibited.isEmpty {
            problems.append(
                "\(name): prohibited lists characters made of several Unicode scalars "
                    + "(\(multiProhibited.sorted().map(String.init).joined(separator: " "))); "
                    + "policies check single scalars, so list each scalar on its own.")
        }
        let counted = policy.countedClasses
        if policy.minClasses > counted.count {
            problems.append(
                "\(name): minClasses is \(policy.minClasses), but only \(counted.count) classes are counted "
                    + "(\(PolicyText.list(counted.map(\.label), conjunction: "and"))).")
        }
        if let minAge = policy.minAgeSeconds, let maxAge = policy.maxAgeSeconds, minAge > maxAge {
            problems.append(
                "\(name): minAge (\(PasswordAge.describe(seconds: Int64(minAge)))) is longer than maxAge "
                    + "(\(PasswordAge.describe(seconds: Int64(maxAge)))), so an expired password could not be changed in time.")
        }
        return problems
    }

    /// Length ranges of different policies that do not overlap.
    private static func lengthProblems(_ constraints: CombinedConstraints) -> [String] {
        guard constraints.minLength > constraints.maxLength,
            let longest = constraints.policies.max(by: { $0.minLength < $1.minLength }),
            let shortest = constraints.policies.min(by: { $0.maxLength < $1.maxLength }),
            longest.name != shortest.name
        else { return [] }
        return [
            "Policy `\(longest.name)` requires at least \(PolicyText.count(longest.minLength, "character")), "
                + "but paired policy `\(shortest.name)` allows at most \(shortest.maxLength)."
        ]
    }

    /// Class rules that other policies' maximums or prohibitions defeat, and
    /// minimums that add up past the maximum length.
    private static func classProblems(_ constraints: CombinedConstraints) -> [String] {
        var problems: [String] = []
        for rule in constraints.rules where rule.min > 0 {
            let characterClass = rule.characterClass
            guard let requiring = constraints.policies.first(where: { policy in
                policy.classes.contains { $0.characterClass == characterClass && $0.min == rule.min }
            }) else { continue }
            if let max = rule.max, rule.min > max,
                let capping = constraints.policies.first(where: { policy in
                    policy.classes.contains { $0.characterClass == characterClass && $0.max == max }
                }), capping.name != requiring.name
            {
                problems.append(
                    "Policy `\(requiring.name)` requires at least \(rule.min) \(characterClass.noun(plural: rule.min != 1)), "
                        + "but paired policy `\(capping.name)` allows at most \(max).")
            }
            if rule.members.isEmpty {
                let blame = prohibitors(of: characterClass.generatableMembers, in: constraints)
                let reason =
                    characterClass.generatableMembers.isEmpty
                    ? "but the class has no character that can be generated"
                    : "but every one is prohibited by \(blame)"
                problems.append(
                    "Policy `\(requiring.name)` requires at least \(rule.min) \(characterClass.noun(plural: rule.min != 1)), \(reason).")
            }
        }

        var disjoint: [CombinedConstraints.Rule] = []
        for rule in constraints.rules where rule.min > 0 {
            let members = Set(rule.characterClass.singleScalarMembers)
            if disjoint.allSatisfy({ other in other.characterClass.singleScalarMembers.allSatisfy { !members.contains($0) } }) {
                disjoint.append(rule)
            }
        }
        let needed = disjoint.reduce(0) { $0 + $1.min }
        if needed > constraints.maxLength {
            let parts = disjoint.map { "\($0.min) \($0.characterClass.label)" }
            problems.append(
                "The class minimums (\(PolicyText.list(parts, conjunction: "and"))) need at least \(needed) characters, "
                    + "more than the maximum length \(constraints.maxLength).")
        }

        for minimum in constraints.classMinimums where minimum.count <= minimum.classes.count {
            let usable = minimum.classes.filter { characterClass in
                characterClass.generatableMembers.contains { scalar in
                    !constraints.prohibited.contains(scalar)
                        && constraints.ruleIndices(of: scalar).allSatisfy { constraints.rules[$0].max != 0 }
                }
            }
            if usable.count < minimum.count {
                problems.append(
                    "Policy `\(minimum.policy)` requires characters of at least \(minimum.count) kinds (minClasses), "
                        + "but only \(usable.count) of its classes can be used; the others are prohibited or capped at 0.")
            }
        }
        return problems
    }

    /// First- and last-character rules that no allowed character satisfies.
    private static func endProblems(_ constraints: CombinedConstraints) -> [String] {
        var problems: [String] = []
        let ends: [(String, [Unicode.Scalar]?, KeyPath<PasswordPolicy, [CharacterClass]>)] = [
            ("first", constraints.firstCandidates, \.firstCharacter),
            ("last", constraints.lastCandidates, \.lastCharacter),
        ]
        for (end, candidates, rule) in ends {
            guard let candidates else { continue }
            let allowed = candidates.filter { scalar in
                constraints.ruleIndices(of: scalar).allSatisfy { constraints.rules[$0].max != 0 }
            }
            if allowed.isEmpty {
                let demands = constraints.policies.filter { !$0[keyPath: rule].isEmpty }.map { policy in
                    "`\(policy.name)`: \(PolicyText.list(policy[keyPath: rule].map(\.label), conjunction: "or"))"
                }
                problems.append(
                    "No allowed character satisfies every \(end)-character rule (\(demands.joined(separator: "; "))); "
                        + "the classes do not overlap, or their characters are prohibited or capped at 0.")
            }
        }
        return problems
    }

    /// The prohibited alphabet, an explicit length outside the range, and
    /// class maximums that cap the password below its minimum length.
    private static func characterProblems(_ constraints: CombinedConstraints, length: Int?) -> [String] {
        var problems: [String] = []
        let policy = constraints.generating
        if constraints.alphabet.isEmpty {
            let classes = PolicyText.list(policy.countedClasses.map(\.label), conjunction: "and")
            let all = policy.countedClasses.flatMap(\.generatableMembers)
            let reason =
                all.isEmpty
                ? "none of them has a character that can be generated"
                : "every one of their characters is prohibited by \(prohibitors(of: all, in: constraints))"
            problems.append("Policy `\(policy.name)` generates from \(classes), but \(reason).")
        }
        if let length, length < max(policy.minLength, 1) || length > policy.maxLength {
            problems.append(
                "Policy `\(policy.name)` generates \(PolicyText.count(length, "character")), "
                    + "outside its own length range \(policy.minLength)–\(policy.maxLength).")
        }
        let capped = constraints.rules.filter { $0.max != nil }
        let alphabetCapped = !constraints.alphabet.isEmpty && constraints.alphabet.allSatisfy { scalar in
            constraints.ruleIndices(of: scalar).contains { constraints.rules[$0].max != nil }
        }
        if alphabetCapped {
            let capacity =
                capped.reduce(0) { $0 + ($1.max ?? 0) }
                + constraints.rules.filter { $0.max == nil }.reduce(0) { $0 + $1.min }
                + constraints.classMinimums.reduce(0) { $0 + $1.count }
                + (constraints.firstCandidates != nil ? 1 : 0) + (constraints.lastCandidates != nil ? 1 : 0)
            if capacity < constraints.minLength {
                let caps = capped.map { "at most \($0.max ?? 0) \($0.characterClass.label)" }
                problems.append(
                    "The class maximums (\(PolicyText.list(caps, conjunction: "and"))) leave room for at most "
                        + "\(PolicyText.count(capacity, "character")), fewer than the minimum length \(constraints.minLength).")
            }
        }
        return problems
    }

    /// The passphrase style's word list, separator and fit.
    private static func passphraseProblems(
        _ constraints: CombinedConstraints, words: WordList?, count: Int, separator: String
    ) -> [String] {
        let name = "Policy `\(constraints.generating.name)`"
        guard count >= 1 else { return ["\(name) generates passphrases of \(count) words; use at least 1."] }
        guard let words, !words.isEmpty else {
            return ["\(name) generates passphrases, but no word list was given."]
        }
        var problems: [String] = []
        let separatorScalars = Array(separator.unicodeScalars)
        let bad = separatorScalars.filter { constraints.prohibited.contains($0) }
        if !bad.isEmpty {
            problems.append(
                "\(name) joins words with \"\(separator)\", which contains a character prohibited by \(prohibitors(of: bad, in: constraints)).")
        }
        let source = PassphraseSource(words: words, count: count, separator: separator, constraints: constraints)
        if source.words.isEmpty {
            problems.append("Every word of the word list contains a character prohibited by \(prohibitors(of: nil, in: constraints)).")
            return problems
        }
        let shortestPassphrase = count * source.shortest + (count - 1) * separatorScalars.count
        if shortestPassphrase > constraints.maxLength {
            problems.append(
                "\(name) needs at least \(shortestPassphrase) characters for \(count) of the shortest words and their separators, "
                    + "more than the maximum length \(constraints.maxLength); use fewer words or a shorter separator.")
        }
        if let lower = constraints.rules.first(where: { $0.characterClass == .lower }), let max = lower.max {
            // Capitalising for the uppercase minimum and the first-character
            // rule is all that can turn lowercase letters into others.
            let capitalised =
                (constraints.rules.first(where: { $0.characterClass == .upper })?.min ?? 0)
                + (constraints.firstCandidates != nil ? 1 : 0)
            let fewest =
                source.words.map { word in word.filter { CharacterClass.lower.contains($0) }.count }
                .sorted().prefix(count).reduce(0, +) - capitalised
            if fewest > max {
                problems.append(
                    "\(count) words have at least \(fewest) lowercase letters, but at most \(max) are allowed; "
                        + "use fewer words or raise the lowercase maximum.")
            }
        }
        return problems
    }

    /// "policy `a`", "policies `a` and `b`": those whose prohibited set holds
    /// one of `scalars` (any prohibition when nil).
    private static func prohibitors(of scalars: [Unicode.Scalar]?, in constraints: CombinedConstraints) -> String {
        let names = constraints.policies.filter { policy in
            policy.prohibited.contains { character in
                guard let scalars else { return true }
                return character.unicodeScalars.count == 1 && scalars.contains(character.unicodeScalars[character.unicodeScalars.startIndex])
            }
        }.map { "`\($0.name)`" }
        return (names.count == 1 ? "policy " : "policies ") + PolicyText.list(names, conjunction: "and")
    }
}

extension CharacterClass {
    /// The class's name in configuration terms: `upper`, `lower`, `digit`,
    /// `special`, or the custom class's name.
    var label: String {
        switch self {
        case .upper: return "upper"
        case .lower: return "lower"
        case .digit: return "digit"
        case .special: return "special"
        case .custom(let name, _): return name
        }
    }
}
