import KeywardCore

/// "Did you mean …?": the closest known name to a misspelt one.
enum NameSuggestion {
    /// The largest edit distance at which a name is still suggested.
    static let maximumDistance = 2

    /// The candidate closest to `name` within an edit distance of 2 (with
    /// adjacent transpositions, ignoring case), and closer than the name's
    /// own length; ties go to the alphabetically first.
    static func closest(to name: String, among candidates: some Sequence<String>) -> String? {
        let target = Array(name.lowercased().unicodeScalars)
        var best: (distance: Int, name: String)?
        for candidate in candidates where candidate != name {
            let other = Array(candidate.lowercased().unicodeScalars)
            guard abs(other.count - target.count) <= maximumDistance else { continue }
            let distance = editDistance(target, other)
            guard distance <= maximumDistance, distance < target.count else { continue }
            if let current = best, (current.distance, current.name) <= (distance, candidate) { continue }
            best = (distance, candidate)
        }
        return best?.name
    }

    /// Optimal string alignment distance (see ``EditDistance``).
    static func editDistance(_ lhs: [Unicode.Scalar], _ rhs: [Unicode.Scalar]) -> Int {
        EditDistance.between(lhs, rhs)
    }
}
