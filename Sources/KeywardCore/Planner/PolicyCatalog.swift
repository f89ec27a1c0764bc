/// The password policies a planner works with: every defined policy by name,
/// the defaults from `keyward.yaml`, and the lists generation and validation
/// use.
public struct PolicyCatalog: Sendable {
    /// Every defined policy, by name.
    public var policies: [String: PasswordPolicy]
    /// The default generate policy's name: used when no reached system names one.
    public var defaultGenerate: String?
    /// The default validate policies' names: checked for every request, on
    /// top of each system's own.
    public var defaultValidate: [String]
    /// The common-password dictionary the validators and generators consult.
    public var commonPasswords: CommonPasswordList
    /// The word list passphrase generation draws from.
    public var words: WordList

    /// Creates a catalog.
    public init(
        policies: [PasswordPolicy],
        defaultGenerate: String? = nil,
        defaultValidate: [String] = [],
        commonPasswords: CommonPasswordList,
        words: WordList
    ) {
        self.policies = Dictionary(policies.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        self.defaultGenerate = defaultGenerate
        self.defaultValidate = defaultValidate
        self.commonPasswords = commonPasswords
        self.words = words
    }
}
