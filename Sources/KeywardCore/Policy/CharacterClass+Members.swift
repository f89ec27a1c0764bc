extension CharacterClass {
    /// The four built-in classes, in the order messages list them. A policy
    /// that lists no classes draws from, and counts `minClasses` over, these.
    public static let standard: [CharacterClass] = [.upper, .lower, .digit, .special]

    /// Whether `scalar` belongs to the class.
    ///
    /// Policies work on Unicode scalars: a custom set's member counts only
    /// when it is a single scalar (see ``singleScalarMembers``).
    public func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch self {
        case .upper: return ("A"..."Z").contains(scalar)
        case .lower: return ("a"..."z").contains(scalar)
        case .digit: return ("0"..."9").contains(scalar)
        case .special: return Self.specialScalars.contains(scalar)
        case .custom(_, let characters):
            return characters.contains(Character(scalar))
        }
    }

    /// The stable id of this class's rule in a ``PolicyViolation``:
    /// `class.upper`, `class.lower`, `class.digit`, `class.special`, or
    /// `class.custom.NAME`.
    public var ruleID: String {
        switch self {
        case .upper: return "class.upper"
        case .lower: return "class.lower"
        case .digit: return "class.digit"
        case .special: return "class.special"
        case .custom(let name, _): return "class.custom.\(name)"
        }
    }

    /// A short name for messages, singular or plural: "uppercase letter(s) (A–Z)".
    func noun(plural: Bool) -> String {
        let s = plural ? "s" : ""
        switch self {
        case .upper: return "uppercase letter\(s) (A–Z)"
        case .lower: return "lowercase letter\(s) (a–z)"
        case .digit: return "digit\(s) (0–9)"
        case .special: return "special character\(s) (such as ! ? # or -)"
        case .custom(let name, let characters):
            let listed = String(characters.sorted())
            return "character\(s) from \(name) (\(listed))"
        }
    }

    /// The name alone, for lists of classes: "uppercase", "digit", "umlauts".
    var shortName: String {
        switch self {
        case .upper: return "uppercase letter"
        case .lower: return "lowercase letter"
        case .digit: return "digit"
        case .special: return "special character"
        case .custom(let name, _): return "character from \(name)"
        }
    }

    /// The members that are single Unicode scalars, sorted.
    ///
    /// A custom member made of several scalars (a flag emoji, a letter with a
    /// separate combining accent) can be neither counted nor generated on
    /// scalars; ``PolicyFeasibility`` reports it as a configuration problem.
    public var singleScalarMembers: [Unicode.Scalar] {
        switch self {
        case .upper: return Array(Self.range("A", "Z"))
        case .lower: return Array(Self.range("a", "z"))
        case .digit: return Array(Self.range("0", "9"))
        case .special: return Self.specialList
        case .custom(_, let characters):
            return characters.compactMap { character in
                let scalars = character.unicodeScalars
                return scalars.count == 1 ? scalars.first : nil
            }.sorted()
        }
    }

    /// Custom members that are more than one scalar (always empty for the
    /// built-in classes).
    var multiScalarMembers: [Character] {
        guard case .custom(_, let characters) = self else { return [] }
        return characters.filter { $0.unicodeScalars.count != 1 }.sorted()
    }

    /// Members the generator may emit: single scalars that form a character
    /// on their own, whatever stands next to them (no combining marks,
    /// joiners, controls or unassigned code points).
    var generatableMembers: [Unicode.Scalar] {
        singleScalarMembers.filter(Self.isStandalone)
    }

    static func isStandalone(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isGraphemeExtend || properties.isJoinControl || properties.isVariationSelector
            || (0x1F1E6...0x1F1FF).contains(scalar.value)  // regional indicators pair into flags
        {
            return false
        }
        switch properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .spacingMark, .lineSeparator,
            .paragraphSeparator:
            return false
        default:
            return true
        }
    }

    private static func range(_ first: Unicode.Scalar, _ last: Unicode.Scalar) -> [Unicode.Scalar] {
        (first.value...last.value).compactMap(Unicode.Scalar.init)
    }

    private static let specialList: [Unicode.Scalar] = Array(##"!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"##.unicodeScalars)
    private static let specialScalars: Set<Unicode.Scalar> = Set(specialList)
}
