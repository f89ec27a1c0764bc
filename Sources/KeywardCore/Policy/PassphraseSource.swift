/// The words and separator a passphrase-style policy draws from, filtered
/// once per ``PasswordGenerator/generate(for:pairedWith:)`` call.
struct PassphraseSource {
    let constraints: CombinedConstraints
    /// Words with no prohibited character.
    let words: [[Unicode.Scalar]]
    let count: Int
    let separator: [Unicode.Scalar]
    let shortest: Int
    let longest: Int
    /// Characters that pad a passphrase no word can lengthen: the alphabet
    /// and the lowercase letters words are made of.
    let padding: [Unicode.Scalar]

    init(words list: WordList, count: Int, separator: String, constraints: CombinedConstraints) {
        self.constraints = constraints
        let prohibited = constraints.prohibited
        words = prohibited.isEmpty ? list.words : list.words.filter { !$0.contains(where: prohibited.contains) }
        self.count = max(count, 1)
        self.separator = Array(separator.unicodeScalars)
        shortest = words.map(\.count).min() ?? 0
        longest = words.map(\.count).max() ?? 0
        let letters = CharacterClass.lower.singleScalarMembers.filter { !prohibited.contains($0) && !constraints.alphabet.contains($0) }
        padding = constraints.alphabet + letters
    }

    /// The most scalars the chosen words may take together: what is left of
    /// the maximum length after the separators and the characters the class
    /// adjustments will probably add, but never less than the shortest words.
    var wordBudget: Int {
        let available = constraints.maxLength - (count - 1) * separator.count
        var budget = min(available, max(available - reserve, count * shortest))
        if let lower = constraints.rules.first(where: { $0.characterClass == .lower }), let max = lower.max {
            // Words are lowercase; capitalising turns only so many into capitals.
            let firstNeedsCapital =
                constraints.firstCandidates.map { first in
                    !first.contains(where: CharacterClass.lower.contains) && first.contains(where: CharacterClass.upper.contains)
                } ?? false
            let capitals = (constraints.rules.first { $0.characterClass == .upper }?.min ?? 0) + (firstNeedsCapital ? 1 : 0)
            budget = min(budget, Swift.max(max + capitals, count * shortest))
        }
        return budget
    }

    /// The fewest scalars the chosen words should take together, so that the
    /// minimum length is reached without padding when the list allows it.
    var wordTarget: Int {
        constraints.minLength - (count - 1) * separator.count - reserve
    }

    /// An estimate of the characters the adjustments add: minimums of classes
    /// that neither words (lowercase) nor capitalising (uppercase) nor the
    /// separators serve, classes still missing for `minClasses`, and ends
    /// that no letter can satisfy.
    private var reserve: Int {
        let letters: [CharacterClass] = [.lower, .upper]
        var extra = 0
        var served = Set<CharacterClass>([.lower])
        for rule in constraints.rules {
            let fromSeparators = (count - 1) * separator.filter(rule.characterClass.contains).count
            if rule.min > 0 || fromSeparators > 0 { served.insert(rule.characterClass) }
            if !letters.contains(rule.characterClass) { extra += max(0, rule.min - fromSeparators) }
        }
        for minimum in constraints.classMinimums {
            extra += max(0, minimum.count - minimum.classes.filter(served.contains).count)
        }
        // A word's first letter can be capitalised for the first character; the
        // last character is appended unless a lowercase letter will do.
        if let first = constraints.firstCandidates,
            !first.contains(where: { CharacterClass.lower.contains($0) || CharacterClass.upper.contains($0) })
        {
            extra += 1
        }
        if let last = constraints.lastCandidates, !last.contains(where: { CharacterClass.lower.contains($0) }) {
            extra += 1
        }
        return extra
    }

    /// A random word of `least` to `limit` scalars, else one of at most
    /// `limit`; nil when none is that short.
    func word(atLeast least: Int = 0, upTo limit: Int, using random: inout SystemRandomNumberGenerator) -> [Unicode.Scalar]? {
        guard limit >= shortest, !words.isEmpty else { return nil }
        let low = Swift.min(Swift.max(least, shortest), limit)
        for _ in 0..<32 {
            let word = words[Int.random(in: 0..<words.count, using: &random)]
            if (low...limit).contains(word.count) { return word }
        }
        let fitting = words.filter { (low...limit).contains($0.count) }
        if !fitting.isEmpty { return fitting[Int.random(in: 0..<fitting.count, using: &random)] }
        let shorter = words.filter { $0.count <= limit }
        return shorter.isEmpty ? nil : shorter[Int.random(in: 0..<shorter.count, using: &random)]
    }
}
