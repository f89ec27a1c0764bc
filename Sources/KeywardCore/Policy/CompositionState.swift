/// The class counts of a password being composed, and the choices that keep
/// it within the merged rules.
struct CompositionState {
    let constraints: CombinedConstraints
    private(set) var counts: [Int]

    init(_ constraints: CombinedConstraints) {
        self.constraints = constraints
        counts = Array(repeating: 0, count: constraints.rules.count)
    }

    /// Whether `scalar` may be added: not prohibited, and no class it belongs
    /// to is at its maximum.
    func canAdd(_ scalar: Unicode.Scalar) -> Bool {
        guard !constraints.prohibited.contains(scalar) else { return false }
        for index in constraints.ruleIndices(of: scalar) {
            if let max = constraints.rules[index].max, counts[index] >= max { return false }
        }
        return true
    }

    /// Whether adding `scalar` leaves room for every minimum that only a
    /// capped class can serve (see ``CombinedConstraints/containments``).
    func keepsMinimumsReachable(adding scalar: Unicode.Scalar) -> Bool {
        let added = constraints.ruleIndices(of: scalar)
        for (inner, outer) in constraints.containments {
            let deficit = constraints.rules[inner].min - counts[inner] - (added.contains(inner) ? 1 : 0)
            guard deficit > 0, let max = constraints.rules[outer].max else { continue }
            if max - counts[outer] - (added.contains(outer) ? 1 : 0) < deficit { return false }
        }
        return true
    }

    /// `canAdd`, and preferably `keepsMinimumsReachable` too: a uniformly
    /// random member of `candidates` that keeps every minimum reachable, else
    /// one that may at least be added.
    func pickSafely(from candidates: [Unicode.Scalar], using random: inout SystemRandomNumberGenerator) -> Unicode.Scalar? {
        if constraints.containments.isEmpty { return Self.pick(from: candidates, using: &random, where: canAdd) }
        return Self.pick(from: candidates, using: &random, where: { canAdd($0) && keepsMinimumsReachable(adding: $0) })
            ?? Self.pick(from: candidates, using: &random, where: canAdd)
    }

    /// A member of `candidates` that also serves a class still short of its
    /// minimum when there is one, else any that may be added safely.
    func pickHelpful(from candidates: [Unicode.Scalar], using random: inout SystemRandomNumberGenerator) -> Unicode.Scalar? {
        Self.pick(from: candidates, using: &random, where: { canAdd($0) && helps($0) && keepsMinimumsReachable(adding: $0) })
            ?? pickSafely(from: candidates, using: &random)
    }

    /// A member of rule `index` for its minimum: preferably one that also
    /// serves another class still short of its minimum (a `!` for both
    /// `special` and a custom `marks`), so overlapping minimums share
    /// characters instead of each taking their own.
    func pickForMinimum(of index: Int, using random: inout SystemRandomNumberGenerator) -> Unicode.Scalar? {
        let members = constraints.rules[index].members
        let sharing = Self.pick(from: members, using: &random) { scalar in
            canAdd(scalar) && keepsMinimumsReachable(adding: scalar)
                && constraints.ruleIndices(of: scalar).contains { $0 != index && counts[$0] < constraints.rules[$0].min }
        }
        return sharing ?? pickSafely(from: members, using: &random)
    }

    /// Whether `scalar` belongs to a class still short of its minimum.
    func helps(_ scalar: Unicode.Scalar) -> Bool {
        constraints.ruleIndices(of: scalar).contains { counts[$0] < constraints.rules[$0].min }
    }

    /// How many characters the class minimums still want (overlapping classes
    /// may count one character twice, which only makes this cautious).
    var deficit: Int {
        constraints.rules.indices.reduce(0) { $0 + Swift.max(0, constraints.rules[$1].min - counts[$1]) }
    }

    mutating func add(_ scalar: Unicode.Scalar) {
        for index in constraints.ruleIndices(of: scalar) { counts[index] += 1 }
    }

    mutating func remove(_ scalar: Unicode.Scalar) {
        for index in constraints.ruleIndices(of: scalar) { counts[index] -= 1 }
    }

    /// A uniformly random member of `candidates` that `allowed` accepts, or
    /// nil when none does. Tries a few draws first, so the common case never
    /// scans the whole list.
    static func pick(
        from candidates: [Unicode.Scalar],
        using random: inout SystemRandomNumberGenerator,
        where allowed: (Unicode.Scalar) -> Bool
    ) -> Unicode.Scalar? {
        guard !candidates.isEmpty else { return nil }
        for _ in 0..<16 {
            let scalar = candidates[Int.random(in: 0..<candidates.count, using: &random)]
            if allowed(scalar) { return scalar }
        }
        let fitting = candidates.filter(allowed)
        return fitting.isEmpty ? nil : fitting[Int.random(in: 0..<fitting.count, using: &random)]
    }

    /// A member of `candidates` that may be added; one that also helps a
    /// short class when only `slotsLeft` characters remain for the deficit.
    func pickReserved(
        from candidates: [Unicode.Scalar],
        slotsLeft: Int,
        using random: inout SystemRandomNumberGenerator
    ) -> Unicode.Scalar? {
        if deficit > slotsLeft,
            let helping = Self.pick(
                from: candidates, using: &random, where: { canAdd($0) && helps($0) && keepsMinimumsReachable(adding: $0) })
        {
            return helping
        }
        return pickSafely(from: candidates, using: &random)
    }

    /// The classes of `classes` that some scalar of `password` belongs to.
    static func used(_ classes: [CharacterClass], in password: borrowing SecretScalars) -> [CharacterClass] {
        classes.filter { characterClass in
            for index in 0..<password.count where characterClass.contains(password[index]) { return true }
            return false
        }
    }

    /// Adds characters from unused classes until every `minClasses` rule
    /// holds; each goes where `insert` puts it. False when no class can give one.
    mutating func satisfyClassMinimums(
        in password: inout SecretScalars,
        using random: inout SystemRandomNumberGenerator,
        insert: (inout SecretScalars, Unicode.Scalar, inout SystemRandomNumberGenerator) -> Void
    ) -> Bool {
        for minimum in constraints.classMinimums {
            var used = Self.used(minimum.classes, in: password)
            while used.count < minimum.count {
                var added = false
                for characterClass in minimum.classes.filter({ !used.contains($0) }).shuffled(using: &random) {
                    if let scalar = pickSafely(from: characterClass.generatableMembers, using: &random) {
                        add(scalar)
                        insert(&password, scalar, &random)
                        added = true
                        break
                    }
                }
                guard added else { return false }
                used = Self.used(minimum.classes, in: password)
            }
        }
        return true
    }
}
