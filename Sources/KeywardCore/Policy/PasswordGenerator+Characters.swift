extension PasswordGenerator {
    /// Composes one characters-style candidate into `password`; false when the
    /// rules left no character to choose at some step.
    static func composeCharacters(
        _ constraints: CombinedConstraints,
        into password: inout SecretScalars,
        using random: inout SystemRandomNumberGenerator
    ) -> Bool {
        var state = CompositionState(constraints)
        var target = constraints.targetLength
        let reserved = (constraints.firstCandidates != nil ? 1 : 0) + (constraints.lastCandidates != nil ? 1 : 0)
        target = max(target, min(reserved, constraints.maxLength))

        var hasFirst = false
        var hasLast = false
        if reserved == 2, target == 1 {
            // One character has to satisfy both rules.
            let both = constraints.firstCandidates!.filter { scalar in constraints.lastCandidates!.contains(scalar) }
            guard let scalar = state.pickReserved(from: both, slotsLeft: 0, using: &random) else { return false }
            state.add(scalar)
            password.append(scalar)
            return true
        }
        if let candidates = constraints.firstCandidates {
            guard let scalar = state.pickReserved(from: candidates, slotsLeft: target - 1 - (reserved - 1), using: &random)
            else { return false }
            state.add(scalar)
            password.append(scalar)
            hasFirst = true
        }
        if let candidates = constraints.lastCandidates {
            guard let scalar = state.pickReserved(from: candidates, slotsLeft: target - password.count - 1, using: &random)
            else { return false }
            state.add(scalar)
            password.append(scalar)
            hasLast = true
        }
        let insertBeforeLast: (inout SecretScalars, Unicode.Scalar, inout SystemRandomNumberGenerator) -> Void = {
            password, scalar, _ in
            password.insert(scalar, at: password.count - (hasLast ? 1 : 0))
        }

        for index in constraints.rules.indices where constraints.rules[index].min > 0 {
            while state.counts[index] < constraints.rules[index].min {
                guard let scalar = state.pickSafely(from: constraints.rules[index].members, using: &random)
                else { return false }
                state.add(scalar)
                insertBeforeLast(&password, scalar, &random)
            }
        }
        guard state.satisfyClassMinimums(in: &password, using: &random, insert: insertBeforeLast) else { return false }
        while password.count < target {
            guard let scalar = CompositionState.pick(from: constraints.alphabet, using: &random, where: state.canAdd)
            else { return false }
            state.add(scalar)
            insertBeforeLast(&password, scalar, &random)
        }
        guard password.count <= constraints.maxLength else { return false }
        password.shuffle(range: (hasFirst ? 1 : 0)..<(password.count - (hasLast ? 1 : 0)), using: &random)
        return true
    }
}
