/// Where each word of a passphrase being composed starts and ends; added
/// characters go at word ends, so they never displace the first or last
/// character once those are fixed.
private struct WordBounds {
    var starts: [Int] = []
    var ends: [Int] = []
    /// Whether the last word's end is the passphrase's end, which a
    /// last-character rule then governs.
    var lastWordEndsPassphrase = false
    /// Whether the first word's start is the passphrase's start, which a
    /// first-character rule then governs.
    var firstWordStartsPassphrase = false

    /// Inserts `scalar` at the end of a random word, never where it would
    /// become the first or last character a rule governs.
    mutating func insertAtWordEnd(
        _ scalar: Unicode.Scalar, into password: inout SecretScalars, using random: inout SystemRandomNumberGenerator
    ) {
        let choices = lastWordEndsPassphrase ? ends.count - 1 : ends.count
        if choices > 0 {
            let word = Int.random(in: 0..<choices, using: &random)
            password.insert(scalar, at: ends[word])
            shift(from: word, by: 1, includingStart: false)
        } else if !firstWordStartsPassphrase {
            password.insert(scalar, at: starts[0])
            shift(from: 0, by: 1, includingStart: false)
        } else {
            // One word, both ends governed: inside it.
            let position = min(starts[0] + 1, ends[0])
            password.insert(scalar, at: position)
            shift(from: 0, by: 1, includingStart: false)
        }
    }

    /// Inserts `separator` and `word` after a random word but the last, so
    /// the ends stay as they are. With one word: after it, or before it
    /// when only its end is governed.
    mutating func insertWord(
        _ word: [Unicode.Scalar], separator: [Unicode.Scalar], into password: inout SecretScalars,
        using random: inout SystemRandomNumberGenerator
    ) {
        if ends.count == 1, lastWordEndsPassphrase, !firstWordStartsPassphrase {
            var position = starts[0]
            for scalar in word + separator {
                password.insert(scalar, at: position)
                position += 1
            }
            shift(from: 0, by: word.count + separator.count, includingStart: true)
            starts.insert(starts[0] - word.count - separator.count, at: 0)
            ends.insert(starts[1] - separator.count, at: 0)
            return
        }
        let after = ends.count > 1 ? Int.random(in: 0..<(ends.count - 1), using: &random) : 0
        var position = ends[after]
        for scalar in separator + word {
            password.insert(scalar, at: position)
            position += 1
        }
        shift(from: after + 1, by: separator.count + word.count, includingStart: true)
        starts.insert(ends[after] + separator.count, at: after + 1)
        ends.insert(ends[after] + separator.count + word.count, at: after + 1)
    }

    mutating func shiftAll() {
        shift(from: 0, by: 1, includingStart: true)
    }

    private mutating func shift(from word: Int, by offset: Int, includingStart: Bool) {
        for index in word..<ends.count {
            ends[index] += offset
            if includingStart || index > word { starts[index] += offset }
        }
    }
}

extension PasswordGenerator {
    /// Composes one passphrase candidate into `password`; false when no word
    /// or character fits at some step.
    ///
    /// Words first, then capitals for the uppercase minimum, then the first
    /// and last characters (capitalising the first word, or adding a fitting
    /// character, preferring one a class minimum still needs), then the other
    /// class minimums and `minClasses` at word ends, then more words (or
    /// characters) up to the minimum length.
    static func composePassphrase(
        _ source: PassphraseSource,
        into password: inout SecretScalars,
        using random: inout SystemRandomNumberGenerator
    ) -> Bool {
        let constraints = source.constraints
        guard !source.words.isEmpty, !source.separator.contains(where: constraints.prohibited.contains) else { return false }
        var state = CompositionState(constraints)
        var bounds = WordBounds()

        let budget = source.wordBudget
        let target = source.wordTarget
        var used = 0
        for index in 0..<source.count {
            let after = source.count - index - 1
            let limit = budget - used - after * source.shortest
            let least = target - used - after * source.longest
            guard let word = source.word(atLeast: least, upTo: limit, using: &random) else { return false }
            if index > 0 { append(source.separator, to: &password, state: &state) }
            bounds.starts.append(password.count)
            append(word, to: &password, state: &state)
            bounds.ends.append(password.count)
            used += word.count
        }
        capitalise(&password, bounds: bounds, state: &state, using: &random)

        if let candidates = constraints.firstCandidates, let first = password.first, !candidates.contains(first) {
            if let upper = uppercase(first), candidates.contains(upper), replace(at: 0, with: upper, in: &password, state: &state) {
                // Capitalising the first word was enough.
            } else if let scalar = state.pickHelpful(from: candidates, using: &random) {
                state.add(scalar)
                password.insert(scalar, at: 0)
                bounds.shiftAll()
            } else {
                return false
            }
        }
        if let candidates = constraints.lastCandidates, let last = password.last, !candidates.contains(last) {
            let position = password.count - 1
            if password.count >= constraints.maxLength, let upper = uppercase(last), candidates.contains(upper),
                replace(at: position, with: upper, in: &password, state: &state)
            {
                // No room to add a character: capitalising the last letter was enough.
            } else if let scalar = state.pickHelpful(from: candidates, using: &random) {
                state.add(scalar)
                password.append(scalar)
            } else {
                return false
            }
        }
        bounds.firstWordStartsPassphrase = constraints.firstCandidates != nil && bounds.starts[0] == 0
        bounds.lastWordEndsPassphrase = constraints.lastCandidates != nil && bounds.ends[bounds.ends.count - 1] == password.count

        for index in constraints.rules.indices {
            while state.counts[index] < constraints.rules[index].min {
                guard let scalar = state.pickForMinimum(of: index, using: &random)
                else { return false }
                state.add(scalar)
                bounds.insertAtWordEnd(scalar, into: &password, using: &random)
            }
        }
        let classesMet = state.satisfyClassMinimums(in: &password, using: &random) { password, scalar, random in
            bounds.insertAtWordEnd(scalar, into: &password, using: &random)
        }
        guard classesMet else { return false }

        while password.count < constraints.minLength {
            let room = constraints.maxLength - password.count - source.separator.count
            if let word = source.word(upTo: room, using: &random) {
                for scalar in source.separator + word { state.add(scalar) }
                bounds.insertWord(word, separator: source.separator, into: &password, using: &random)
            } else if let scalar = state.pickSafely(from: source.padding, using: &random) {
                state.add(scalar)
                bounds.insertAtWordEnd(scalar, into: &password, using: &random)
            } else {
                return false
            }
        }
        return password.count <= constraints.maxLength
    }

    private static func append(_ scalars: [Unicode.Scalar], to password: inout SecretScalars, state: inout CompositionState) {
        for scalar in scalars { state.add(scalar) }
        password.append(contentsOf: scalars)
    }

    /// Capitalises the first letter of random words, then other letters,
    /// until the uppercase minimum holds.
    private static func capitalise(
        _ password: inout SecretScalars, bounds: WordBounds, state: inout CompositionState,
        using random: inout SystemRandomNumberGenerator
    ) {
        guard let rule = state.constraints.rules.firstIndex(where: { $0.characterClass == .upper }) else { return }
        let minimum = state.constraints.rules[rule].min
        guard state.counts[rule] < minimum else { return }
        let wordStarts = bounds.starts.shuffled(using: &random)
        let letters = (0..<password.count).shuffled(using: &random)
        for position in wordStarts + letters where state.counts[rule] < minimum {
            if let upper = uppercase(password[position]) {
                _ = replace(at: position, with: upper, in: &password, state: &state)
            }
        }
    }

    /// Puts `scalar` at `position` when the class maximums allow it.
    private static func replace(
        at position: Int, with scalar: Unicode.Scalar, in password: inout SecretScalars, state: inout CompositionState
    ) -> Bool {
        let old = password[position]
        state.remove(old)
        guard state.canAdd(scalar) else {
            state.add(old)
            return false
        }
        state.add(scalar)
        password.replace(at: position, with: scalar)
        return true
    }

    /// The ASCII uppercase of an ASCII lowercase letter.
    private static func uppercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        ("a"..."z").contains(scalar) ? Unicode.Scalar(scalar.value - 32) : nil
    }
}
