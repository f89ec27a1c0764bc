/// One rule of a password policy that a candidate password breaks.
///
/// The message says what to do in words a person can act on, and never
/// holds the password or any part of it: rules that look inside the password
/// (personal data, the dictionary) say which kind of value matched, never the
/// matched text; a prohibited-characters message lists the policy's whole
/// set, never the characters found.
public struct PolicyViolation: Sendable, Equatable {
    /// The policy's name.
    public let policy: String
    /// The rule's stable id: `minLength`, `maxLength`, `class.upper`,
    /// `class.lower`, `class.digit`, `class.special`, `class.custom.NAME`,
    /// `minClasses`, `prohibited`, `firstCharacter`, `lastCharacter`,
    /// `personalData`, `dictionary`, `history` or `minAge`.
    public let rule: String
    /// A sentence that says what the password must do instead.
    public let message: String

    /// Creates a violation.
    public init(policy: String, rule: String, message: String) {
        self.policy = policy
        self.rule = rule
        self.message = message
    }
}

extension PolicyViolation: CustomStringConvertible {
    /// `policy NAME (RULE): MESSAGE`.
    public var description: String { "policy \(policy) (\(rule)): \(message)" }
}
