/// A password policy: one declarative definition that serves both generation
/// and validation.
///
/// A policy is only data; `PasswordValidator` checks a candidate against it,
/// `PasswordGenerator` makes passwords that satisfy it, and `PolicyFeasibility`
/// proves at load time that it can generate at all.
public struct PasswordPolicy: Sendable, Equatable {
    /// The policy's name in `keyward.yaml` (`policies.NAME`).
    public var name: String
    /// Minimum length in characters. Every policy rule counts Unicode scalars:
    /// a decomposed `é` (`e` and a combining accent) is two.
    public var minLength: Int
    /// Maximum length in characters.
    public var maxLength: Int
    /// Character-class rules (upper, lower, digit, special, or a custom set),
    /// each with a minimum and an optional maximum count.
    public var classes: [CharacterClassRule]
    /// How many distinct classes (of those listed in `classes`, or of the four
    /// built-in classes when none are listed) a password must use at least.
    /// 0 means no such rule.
    public var minClasses: Int
    /// Characters a password must not contain. Policies work on Unicode
    /// scalars: list each as a single scalar (``PolicyFeasibility`` reports
    /// one that is not).
    public var prohibited: Set<Character>
    /// Classes the first character must belong to (empty: any).
    public var firstCharacter: [CharacterClass]
    /// Classes the last character must belong to (empty: any).
    public var lastCharacter: [CharacterClass]
    /// Whether the password may not contain the username, given or family
    /// name, or the email's local part (case-insensitive), and from how many
    /// characters a match counts. nil: no such rule.
    public var personalData: PersonalDataRule?
    /// Whether the shipped common-password dictionary applies, and which extra
    /// dictionary files (one password per line) the admin added.
    public var dictionary: DictionaryRule?
    /// How many previous passwords may not be reused. 0: no history rule.
    public var history: Int
    /// Minimum age before a password may be changed again (seconds). nil: none.
    public var minAgeSeconds: Int?
    /// Maximum age after which a password must be changed (seconds). nil: none.
    public var maxAgeSeconds: Int?
    /// How this policy generates passwords.
    public var generation: GenerationStyle

    /// Creates a policy; the defaults make a usable corporate policy.
    public init(
        name: String,
        minLength: Int = 12,
        maxLength: Int = 64,
        classes: [CharacterClassRule] = [],
        minClasses: Int = 0,
        prohibited: Set<Character> = [],
        firstCharacter: [CharacterClass] = [],
        lastCharacter: [CharacterClass] = [],
        personalData: PersonalDataRule? = nil,
        dictionary: DictionaryRule? = nil,
        history: Int = 0,
        minAgeSeconds: Int? = nil,
        maxAgeSeconds: Int? = nil,
        generation: GenerationStyle = .characters(length: nil)
    ) {
        self.name = name
        self.minLength = minLength
        self.maxLength = maxLength
        self.classes = classes
        self.minClasses = minClasses
        self.prohibited = prohibited
        self.firstCharacter = firstCharacter
        self.lastCharacter = lastCharacter
        self.personalData = personalData
        self.dictionary = dictionary
        self.history = history
        self.minAgeSeconds = minAgeSeconds
        self.maxAgeSeconds = maxAgeSeconds
        self.generation = generation
    }
}

/// A class of characters.
public enum CharacterClass: Sendable, Hashable {
    /// A–Z.
    case upper
    /// a–z.
    case lower
    /// 0–9.
    case digit
    /// The printable ASCII punctuation `!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~`.
    case special
    /// A set the admin lists, e.g. `äöüß`.
    case custom(name: String, characters: Set<Character>)
}

/// A minimum (and optional maximum) count of one character class.
public struct CharacterClassRule: Sendable, Equatable {
    /// The class.
    public var characterClass: CharacterClass
    /// At least this many characters of the class.
    public var min: Int
    /// At most this many; nil: no maximum.
    public var max: Int?

    /// Creates a rule.
    public init(_ characterClass: CharacterClass, min: Int = 0, max: Int? = nil) {
        self.characterClass = characterClass
        self.min = min
        self.max = max
    }
}

/// The rule against personal data inside a password.
public struct PersonalDataRule: Sendable, Equatable {
    /// A run of at least this many characters of a personal value counts.
    public var minMatchLength: Int

    /// Creates the rule.
    public init(minMatchLength: Int = 3) {
        self.minMatchLength = minMatchLength
    }
}

/// The common-password dictionary rule.
public struct DictionaryRule: Sendable, Equatable {
    /// Whether the shipped list of common passwords applies.
    public var builtin: Bool
    /// Extra files, one password per line, relative to `keyward.yaml`.
    public var files: [String]

    /// Creates the rule.
    public init(builtin: Bool = true, files: [String] = []) {
        self.builtin = builtin
        self.files = files
    }
}

/// How a policy generates passwords.
public enum GenerationStyle: Sendable, Equatable {
    /// Random characters; `length` nil means max(minLength, 16), capped at
    /// maxLength.
    case characters(length: Int?)
    /// Random words from a word list, joined by `separator`.
    case passphrase(words: Int, separator: String)
}
