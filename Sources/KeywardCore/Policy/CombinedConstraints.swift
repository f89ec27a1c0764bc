/// A generate policy and the validate policies paired with it, merged into
/// the constraints generation works from.
///
/// Lengths intersect (the largest minimum, the smallest maximum); prohibited
/// characters are the union; a class listed by several policies gets the
/// largest minimum and the smallest maximum; first- and last-character rules
/// must all hold at once. The alphabet is the generate policy's own: its
/// listed classes (the four built-in ones when it lists none), less every
/// prohibited character.
struct CombinedConstraints {
    /// One character class with its merged counts.
    struct Rule {
        let characterClass: CharacterClass
        var min: Int
        var max: Int?
        /// The members the generator may use: standalone scalars, not prohibited.
        let members: [Unicode.Scalar]
    }

    /// A `minClasses` rule of one policy.
    struct ClassMinimum {
        let policy: String
        let classes: [CharacterClass]
        let count: Int
    }

    let generating: PasswordPolicy
    let policies: [PasswordPolicy]
    let prohibited: Set<Unicode.Scalar>
    let minLength: Int
    let maxLength: Int
    let rules: [Rule]
    let alphabet: [Unicode.Scalar]
    /// Scalars that satisfy every first-character rule; nil when there is none.
    let firstCandidates: [Unicode.Scalar]?
    /// Scalars that satisfy every last-character rule; nil when there is none.
    let lastCandidates: [Unicode.Scalar]?
    let classMinimums: [ClassMinimum]
    /// Pairs of rules where every usable member of `inner` (which has a
    /// minimum) also belongs to `outer` (which has a maximum): `inner`'s
    /// minimum needs room under `outer`'s maximum, as `marks` (`!#%+`) needs
    /// room under a capped `special`.
    let containments: [(inner: Int, outer: Int)]
    private let membership: [Unicode.Scalar: [Int]]

    init(_ generating: PasswordPolicy, pairedWith paired: [PasswordPolicy]) {
        let policies = [generating] + paired
        self.generating = generating
        self.policies = policies
        var prohibited = Set<Unicode.Scalar>()
        for policy in policies {
            for character in policy.prohibited where character.unicodeScalars.count == 1 {
                prohibited.insert(character.unicodeScalars[character.unicodeScalars.startIndex])
            }
        }
        self.prohibited = prohibited
        minLength = policies.map(\.minLength).max() ?? 0
        maxLength = policies.map(\.maxLength).min() ?? 0

        var rules: [Rule] = []
        var index: [CharacterClass: Int] = [:]
        for policy in policies {
            for rule in policy.classes {
                if let existing = index[rule.characterClass] {
                    rules[existing].min = Swift.max(rules[existing].min, rule.min)
                    if let max = rule.max { rules[existing].max = Swift.min(rules[existing].max ?? max, max) }
                } else {
                    index[rule.characterClass] = rules.count
                    let members = rule.characterClass.generatableMembers.filter { !prohibited.contains($0) }
                    rules.append(Rule(characterClass: rule.characterClass, min: rule.min, max: rule.max, members: members))
                }
            }
        }
        self.rules = rules

        var alphabet: [Unicode.Scalar] = []
        var seen = Set<Unicode.Scalar>()
        for characterClass in generating.countedClasses {
            for scalar in characterClass.generatableMembers where !prohibited.contains(scalar) && seen.insert(scalar).inserted {
                alphabet.append(scalar)
            }
        }
        self.alphabet = alphabet

        firstCandidates = Self.candidates(policies.map(\.firstCharacter), prohibited: prohibited)
        lastCandidates = Self.candidates(policies.map(\.lastCharacter), prohibited: prohibited)
        classMinimums = policies.filter { $0.minClasses > 0 }.map {
            ClassMinimum(policy: $0.name, classes: $0.countedClasses, count: $0.minClasses)
        }

        var containments: [(inner: Int, outer: Int)] = []
        for inner in rules.indices where rules[inner].min > 0 && !rules[inner].members.isEmpty {
            for outer in rules.indices where outer != inner && rules[outer].max != nil {
                if rules[inner].members.allSatisfy(rules[outer].characterClass.contains) {
                    containments.append((inner, outer))
                }
            }
        }
        self.containments = containments

        var universe = Set(alphabet)
        for rule in rules { universe.formUnion(rule.members) }
        universe.formUnion(firstCandidates ?? [])
        universe.formUnion(lastCandidates ?? [])
        for minimum in classMinimums {
            for characterClass in minimum.classes { universe.formUnion(characterClass.generatableMembers) }
        }
        var membership: [Unicode.Scalar: [Int]] = [:]
        for scalar in universe {
            membership[scalar] = rules.indices.filter { rules[$0].characterClass.contains(scalar) }
        }
        self.membership = membership
    }

    /// The rules whose class contains `scalar`.
    func ruleIndices(of scalar: Unicode.Scalar) -> [Int] {
        membership[scalar] ?? rules.indices.filter { rules[$0].characterClass.contains(scalar) }
    }

    /// The length a characters-style password aims for: the style's length,
    /// or max(minLength, 16) capped at maxLength, then kept within the range
    /// every paired policy accepts.
    var targetLength: Int {
        let wanted: Int
        if case .characters(let length?) = generating.generation {
            wanted = length
        } else {
            wanted = Swift.min(Swift.max(generating.minLength, 16), generating.maxLength)
        }
        return Swift.max(Swift.min(wanted, maxLength), minLength)
    }

    /// The scalars that belong to some class of every non-empty list in
    /// `lists`, not prohibited; nil when every list is empty.
    private static func candidates(_ lists: [[CharacterClass]], prohibited: Set<Unicode.Scalar>) -> [Unicode.Scalar]? {
        let constraining = lists.filter { !$0.isEmpty }
        guard let first = constraining.first else { return nil }
        var seen = Set<Unicode.Scalar>()
        var result: [Unicode.Scalar] = []
        for characterClass in first {
            for scalar in characterClass.generatableMembers
            where !prohibited.contains(scalar) && seen.insert(scalar).inserted
                && constraining.allSatisfy({ list in list.contains { $0.contains(scalar) } })
            {
                result.append(scalar)
            }
        }
        return result
    }
}
