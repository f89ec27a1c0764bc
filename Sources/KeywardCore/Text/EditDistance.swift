/// The distance behind every "did you mean …?" (checker rules and
/// configuration errors alike).
package enum EditDistance {
    /// Optimal string alignment distance: insertions, deletions,
    /// substitutions and transpositions of adjacent characters.
    package static func between(_ lhs: [Unicode.Scalar], _ rhs: [Unicode.Scalar]) -> Int {
        if lhs.isEmpty { return rhs.count }
        if rhs.isEmpty { return lhs.count }
        var beforePrevious = [Int](repeating: 0, count: rhs.count + 1)
        var previous = Array(0...rhs.count)
        var row = [Int](repeating: 0, count: rhs.count + 1)
        for i in 1...lhs.count {
            row[0] = i
            for j in 1...rhs.count {
                let cost = lhs[i - 1] == rhs[j - 1] ? 0 : 1
                row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, lhs[i - 1] == rhs[j - 2], lhs[i - 2] == rhs[j - 1] {
                    row[j] = min(row[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, row) = (previous, row, beforePrevious)
        }
        return previous[rhs.count]
    }

    /// The candidate closest to `name`: an exact match ignoring case first,
    /// then the nearest within an edit distance of 2 (3 for names of 10
    /// characters or more) that is shorter than the name itself; ties go to
    /// the alphabetically first.
    package static func closest(to name: String, among candidates: some Sequence<String>) -> String? {
        let lowered = name.lowercased()
        let candidates = Array(candidates)
        if let sameLetters = candidates.sorted().first(where: { $0 != name && $0.lowercased() == lowered }) {
            return sameLetters
        }
        let target = Array(lowered.unicodeScalars)
        let maximum = target.count >= 10 ? 3 : 2
        var best: (distance: Int, name: String)?
        for candidate in candidates where candidate != name {
            let other = Array(candidate.lowercased().unicodeScalars)
            guard abs(other.count - target.count) <= maximum else { continue }
            let distance = between(target, other)
            guard distance <= maximum, distance < target.count else { continue }
            if let current = best, (current.distance, current.name) <= (distance, candidate) { continue }
            best = (distance, candidate)
        }
        return best?.name
    }
}
