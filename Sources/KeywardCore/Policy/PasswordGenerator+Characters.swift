extension PasswordGenerator {
    /// Composes one characters-style candidate into `password`; false when the
    /// rules left no character to choose at some step.
    ///
    /// The first and last characters come first (preferring ones a short
    /// class needs when the length is tight), then the class minimums, then
    /// `minClasses`, then the alphabet up to the target length; everything
    /// between the first and last character is then shuffled.
    static func composeCharacters(
        _ constraints: CombinedConstraints,
        into password: inout SecretScalars,
        using random: inout SystemRandomNumberGenerator
    ) -> Bool {
        var state = CompositionState(constraints)
        let reserved = (constraints.firstCandidates != nil ? 1 : 0) + (constraints.lastCandidates != nil ? 1 : 0)
        let target = max(constraints.targetLength, min(reserved, constraints.maxLength))

        if let first = constraints.firstCandidates, let last = constraints.lastCandidates, target == 1 {
            // One character has to satisfy both rules.
            let both = first.filter(last.contains)
            guard let scalar = state.pickReserved(from: both, slotsLeft: 0, using: &random) else { return false }
            state.add(scalar)
            password.append(scalar)
            return true
        }
        let hasFirst = constraints.firstCandidates != nil
        let hasLast = constraints.lastCandidates != nil
        if let candidates = constraints.firstCandidates {
            guard let scalar = state.pickReserved(from: candidates, slotsLeft: target - reserved, using: &random)
            else { return false }
            state.add(scalar)
            password.append(scalar)
        }
        if let candidates = constraints.lastCandidates {
            guard let scalar = state.pickReserved(from: candidates, slotsLeft: target - password.count - 1, using: &random)
            else { return false }
            state.add(scalar)
            password.append(scalar)
        }
        let insertBeforeLast: (inout SecretScalars, Unicode.Scalar, inout SystemRandomNumberGenerator) -> Void = {
            password, scalar, _ in
            password.insert(scalar, at: password.count - (hasLast ? 1 : 0))
        }

        for index in constraints.rules.indices where constraints.rules[index].min > 0 {
            while state.counts[index] < constraints.rules[index].min {
                guard let scalar = state.pickForMinimum(of: index, using: &random)
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
