/// Checks a candidate password against one policy.
///
/// Every rule is checked and every broken one reported, in the policy's
/// order: `minLength`, `maxLength`, each class rule, `minClasses`,
/// `prohibited`, `firstCharacter`, `lastCharacter`, `personalData`,
/// `dictionary`, then (with the history overload) `history` and `minAge`.
///
/// Characters are Unicode scalars throughout: length counts scalars (a
/// decomposed `é`, `e` plus a combining accent, counts two), and each scalar
/// is counted in every class it belongs to. Characters outside the listed
/// classes are allowed unless prohibited or capped.
///
/// The personal-data rule refuses any run of `minMatchLength` characters
/// (case-insensitive) taken from the username, given name, family name or
/// the email's local part; shorter values are ignored. The dictionary rule
/// refuses a password whose lowercase form is on the list, and one whose
/// core is: the password with the non-letters at both ends stripped
/// (`Password1!` → `password`), because decorating a common password does not
/// make it safe.
///
/// The validator never turns the password into a `String`; it decodes it into
/// a buffer it wipes.
public struct PasswordValidator: Sendable {
    /// The policy checked.
    public let policy: PasswordPolicy
    /// The list the dictionary rule refuses. The caller builds it: the
    /// shipped list when the rule's `builtin` is true, plus the admin's files.
    public let commonPasswords: CommonPasswordList

    /// Creates a validator.
    public init(policy: PasswordPolicy, commonPasswords: CommonPasswordList = .empty) {
        self.policy = policy
        self.commonPasswords = commonPasswords
    }

    /// Every rule `password` breaks; empty when it satisfies the policy.
    ///
    /// Personal data comes from `identity` (username, given name, family
    /// name, the email's local part); without an identity that rule is
    /// skipped.
    public func violations(of password: GuardedString, identity: Identity? = nil) -> [PolicyViolation] {
        let scalars = SecretScalars(decoding: password)
        return violations(of: scalars, identity: identity)
    }

    /// Whether `password` breaks no rule.
    public func accepts(_ password: GuardedString, identity: Identity? = nil) -> Bool {
        violations(of: password, identity: identity).isEmpty
    }

    func violations(of password: borrowing SecretScalars, identity: Identity?) -> [PolicyViolation] {
        var found: [PolicyViolation] = []
        func report(_ rule: String, _ message: String) {
            found.append(PolicyViolation(policy: policy.name, rule: rule, message: message))
        }
        if password.count < policy.minLength {
            report("minLength", "Use at least \(PolicyText.count(policy.minLength, "character")).")
        }
        if password.count > policy.maxLength {
            report("maxLength", "Use at most \(PolicyText.count(policy.maxLength, "character")).")
        }
        for rule in policy.classes {
            let count = Self.count(of: rule.characterClass, in: password)
            if count < rule.min {
                report(rule.characterClass.ruleID, "Use at least \(rule.min) \(rule.characterClass.noun(plural: rule.min != 1)).")
            } else if let max = rule.max, count > max {
                let text =
                    max == 0
                    ? "Do not use \(rule.characterClass.noun(plural: true))."
                    : "Use at most \(max) \(rule.characterClass.noun(plural: max != 1))."
                report(rule.characterClass.ruleID, text)
            }
        }
        if policy.minClasses > 0 {
            let classes = policy.countedClasses
            let used = classes.filter { Self.count(of: $0, in: password) > 0 }.count
            if used < policy.minClasses {
                let kinds = PolicyText.list(classes.map { $0.noun(plural: true) }, conjunction: "and")
                report("minClasses", "Use characters of at least \(policy.minClasses) of these kinds: \(kinds).")
            }
        }
        if !policy.prohibited.isEmpty, Self.containsProhibited(password, policy.prohibited) {
            report("prohibited", "Do not use any of these characters: \(PolicyText.show(policy.prohibited)).")
        }
        if !policy.firstCharacter.isEmpty,
            !(password.first.map { first in policy.firstCharacter.contains { $0.contains(first) } } ?? false)
        {
            report("firstCharacter", "Start the password with \(Self.alternatives(policy.firstCharacter)).")
        }
        if !policy.lastCharacter.isEmpty,
            !(password.last.map { last in policy.lastCharacter.contains { $0.contains(last) } } ?? false)
        {
            report("lastCharacter", "End the password with \(Self.alternatives(policy.lastCharacter)).")
        }
        if let rule = policy.personalData, let identity {
            let lowered = password.lowercased()
            let fields = PersonalData.matchingFields(of: identity, in: lowered, minMatchLength: rule.minMatchLength)
            if !fields.isEmpty {
                let length = max(rule.minMatchLength, 1)
                report(
                    "personalData",
                    "Do not use your \(PolicyText.list(fields, conjunction: "or")) in the password, "
                        + "nor \(length) or more characters in a row from \(fields.count == 1 ? "it" : "them").")
            }
        }
        if policy.dictionary != nil, !commonPasswords.isEmpty, Self.isCommon(password, in: commonPasswords) {
            report(
                "dictionary",
                "Choose a password that is not on the list of commonly used passwords; "
                    + "adding digits or symbols at the start or end of a common password does not make it safe.")
        }
        return found
    }

    /// How many scalars of `password` belong to `characterClass`.
    static func count(of characterClass: CharacterClass, in password: borrowing SecretScalars) -> Int {
        var count = 0
        for index in 0..<password.count where characterClass.contains(password[index]) {
            count += 1
        }
        return count
    }

    private static func containsProhibited(_ password: borrowing SecretScalars, _ prohibited: Set<Character>) -> Bool {
        var single = Set<Unicode.Scalar>()
        for character in prohibited {
            let scalars = character.unicodeScalars
            if scalars.count == 1 {
                single.insert(scalars[scalars.startIndex])
            } else if password.contains(run: ArraySlice(scalars)) {
                return true
            }
        }
        for index in 0..<password.count where single.contains(password[index]) {
            return true
        }
        return false
    }

    /// The password, lowercased, is on the list; or so is its core once the
    /// non-letters at both ends are stripped ("Password1!" → "password").
    private static func isCommon(_ password: borrowing SecretScalars, in list: CommonPasswordList) -> Bool {
        let lowered = password.lowercased()
        if lowered.withUTF8(of: 0..<lowered.count, { list.contains(utf8: $0) }) { return true }
        var start = 0
        var end = lowered.count
        while start < end, !lowered[start].properties.isAlphabetic { start += 1 }
        while end > start, !lowered[end - 1].properties.isAlphabetic { end -= 1 }
        guard start < end, end - start < lowered.count else { return false }
        return lowered.withUTF8(of: start..<end) { list.contains(utf8: $0) }
    }

    private static func alternatives(_ classes: [CharacterClass]) -> String {
        PolicyText.list(classes.map(PolicyText.withArticle), conjunction: "or")
    }
}

extension PasswordPolicy {
    /// The classes `minClasses` counts over: those listed, or the four
    /// built-in classes when none are.
    public var countedClasses: [CharacterClass] {
        classes.isEmpty ? CharacterClass.standard : classes.map(\.characterClass)
    }
}
