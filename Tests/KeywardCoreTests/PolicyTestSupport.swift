import KeywardCore

/// A seeded generator for random *policies* only (reproducible from the
/// printed seed); passwords always come from the CSPRNG inside the generator.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Fixtures shared by the policy tests.
enum PolicyFixtures {
    static let jane = Identity(
        username: "jdoe", givenName: "Jane", familyName: "Doe", email: "jane.doe@example.com")

    static let umlauts = CharacterClass.custom(name: "umlauts", characters: ["ä", "ö", "ü", "ß"])
    static let greek = CharacterClass.custom(name: "greek", characters: ["α", "β", "γ", "δ", "ε"])
    static let marks = CharacterClass.custom(name: "marks", characters: ["!", "#", "%", "+"])

    /// A small common-password list.
    static let common = CommonPasswordList(
        ["password", "123456", "letmein", "qwerty", "iloveyou", "dragon", "monkey", "abc123", "trustno1", "sunshine"])

    /// A word list for passphrases: real words, 3–8 letters.
    static let words = WordList(
        """
        apple river stone cloud forest garden silver bridge candle meadow planet rocket
        window yellow orange purple simple little castle dragon violet harbor island jungle
        kettle ladder marble needle oyster pepper quartz rabbit saddle tunnel velvet walnut
        anchor basket copper desert engine falcon glider hammer insect jacket lantern magnet
        nectar orchid parrot quiver ribbon salmon timber umbrella vessel winter zephyr acorn
        bamboo cactus dolphin ember feather ginger hazel ivory jasmine koala lemon mango
        nutmeg olive peach quince raisin sesame tulip vanilla wheat yogurt zebra amber breeze
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))

    /// The password as text, for assertions in tests only.
    static func text(_ password: GuardedString) -> String {
        password.withPlaintext { $0 }
    }

    static func violations(_ password: String, _ policy: PasswordPolicy, identity: Identity? = nil,
                           common: CommonPasswordList = .empty) -> [PolicyViolation] {
        PasswordValidator(policy: policy, commonPasswords: common).violations(of: GuardedString(password), identity: identity)
    }

    static func rules(_ password: String, _ policy: PasswordPolicy, identity: Identity? = nil,
                      common: CommonPasswordList = .empty) -> [String] {
        violations(password, policy, identity: identity, common: common).map(\.rule)
    }
}

/// Random policies for the property tests.
struct RandomPolicies {
    var random: SplitMix64

    private static let classes: [CharacterClass] = CharacterClass.standard + [PolicyFixtures.umlauts, PolicyFixtures.greek, PolicyFixtures.marks]
    private static let prohibitable = Array(##"0O1lI|`'"\ ;:,.<>!@#$%^&*ab"##)

    private mutating func chance(_ percent: Int) -> Bool {
        Int.random(in: 0..<100, using: &random) < percent
    }

    private mutating func int(_ range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &random)
    }

    /// A random policy; `generating` ones sometimes make passphrases.
    mutating func policy(name: String, generating: Bool) -> PasswordPolicy {
        let minLength = generating ? int(1...24) : int(1...14)
        let maxLength = minLength + (chance(15) ? 0 : int(0...40))
        var policy = PasswordPolicy(name: name, minLength: minLength, maxLength: maxLength)
        for characterClass in Self.classes where chance(characterClass.isStandardClass ? 55 : 15) {
            let min = chance(40) ? 0 : int(1...3)
            let max: Int? = chance(65) ? nil : min + int(0...6)
            policy.classes.append(CharacterClassRule(characterClass, min: min, max: max))
        }
        policy.classes.shuffle(using: &random)
        policy.minClasses = chance(50) ? 0 : int(0...policy.countedClasses.count)
        if chance(50) {
            for _ in 0..<int(1...6) { policy.prohibited.insert(Self.prohibitable.randomElement(using: &random)!) }
        }
        if chance(30) { policy.firstCharacter = endClasses() }
        if chance(30) { policy.lastCharacter = endClasses() }
        if chance(30) { policy.personalData = PersonalDataRule(minMatchLength: int(3...5)) }
        if chance(30) { policy.dictionary = DictionaryRule() }
        if generating {
            if chance(25) {
                let separator = ["-", " ", ".", "", "_", "+"].randomElement(using: &random)!
                policy.generation = .passphrase(words: int(2...5), separator: separator)
            } else if chance(30) {
                policy.generation = .characters(length: int(policy.minLength...policy.maxLength))
            }
        }
        return policy
    }

    private mutating func endClasses() -> [CharacterClass] {
        Array(CharacterClass.standard.shuffled(using: &random).prefix(int(1...2)))
    }
}

extension CharacterClass {
    var isStandardClass: Bool { CharacterClass.standard.contains(self) }
}
