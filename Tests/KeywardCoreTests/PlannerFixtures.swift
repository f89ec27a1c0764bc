import KeywardCore
import KeywardTestSupport
import Synchronization

/// Systems, identities, policies and fake transformers for the planner tests.
enum PlannerFixtures {
    static let here = SourceLocation(file: "connectors/test.yaml", line: 1, column: 1)

    static let alice = Identity(
        username: "alice", givenName: "Alice", familyName: "Liddell", email: "alice@example.com",
        attributes: ["department": "Research"])

    /// An LDAP system: uid, mail, a constant, `__PASSWORD__` and an NT hash.
    static func ldap(
        name: String = "ldap",
        together: Bool = false,
        generate: String? = nil,
        validate: [String] = []
    ) -> ConnectorDefinition {
        ConnectorDefinition(
            name: name, type: "ldap", sendPasswordAttributesTogether: together, generatePolicy: generate,
            validatePolicies: validate,
            attributes: [
                AttributeMapping(name: "uid", source: .identity("username"), isUID: true, location: here),
                AttributeMapping(name: "mail", source: .identity("email"), location: here),
                AttributeMapping(name: "__PASSWORD__", isPassword: true, transform: "scripts/ldap.lua", location: here),
                AttributeMapping(name: "ou", source: .constant("people"), location: here),
                AttributeMapping(
                    name: "sambaNTPassword", isPassword: true, transform: "scripts/nt-hash.lua", location: here),
            ], location: here)
    }

    /// A system of `type` with `__PASSWORD__` only.
    static func simple(
        name: String,
        type: String,
        generate: String? = nil,
        validate: [String] = []
    ) -> ConnectorDefinition {
        ConnectorDefinition(
            name: name, type: type, generatePolicy: generate, validatePolicies: validate,
            attributes: [
                AttributeMapping(name: "login", source: .identity("email"), isUID: true, location: here),
                AttributeMapping(
                    name: "__PASSWORD__", isPassword: true, transform: "scripts/\(name).lua", location: here),
            ], location: here)
    }

    /// At least 12 characters, upper, lower, digit and special.
    static let corporate = PasswordPolicy(
        name: "corporate", minLength: 12, maxLength: 64,
        classes: [
            CharacterClassRule(.upper, min: 1), CharacterClassRule(.lower, min: 1),
            CharacterClassRule(.digit, min: 1), CharacterClassRule(.special, min: 1),
        ])
    /// At least 30 characters.
    static let long = PasswordPolicy(name: "long", minLength: 30, maxLength: 64)
    /// At most 20 characters.
    static let short = PasswordPolicy(name: "short", minLength: 8, maxLength: 20)
    /// At least four digits.
    static let fourDigits = PasswordPolicy(
        name: "fourDigits", minLength: 8, maxLength: 64, classes: [CharacterClassRule(.digit, min: 4)])
    /// Generates 24 characters of every class.
    static let strong = PasswordPolicy(
        name: "strong", minLength: 24, maxLength: 24,
        classes: [
            CharacterClassRule(.upper, min: 2), CharacterClassRule(.lower, min: 2),
            CharacterClassRule(.digit, min: 2), CharacterClassRule(.special, min: 2),
        ], generation: .characters(length: 24))
    /// Generates 16 digits.
    static let digits = PasswordPolicy(
        name: "digits", minLength: 16, maxLength: 16, classes: [CharacterClassRule(.digit, min: 16)],
        generation: .characters(length: 16))

    static func catalog(
        defaultGenerate: String? = nil,
        defaultValidate: [String] = []
    ) -> PolicyCatalog {
        PolicyCatalog(
            policies: [corporate, long, short, fourDigits, strong, digits], defaultGenerate: defaultGenerate,
            defaultValidate: defaultValidate, commonPasswords: CommonPasswordList(["Password123!"]),
            words: WordList(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot"]))
    }

    static func planner(
        _ transformer: any PasswordTransformer = RecordingTransformer(),
        defaultGenerate: String? = nil,
        defaultValidate: [String] = []
    ) -> ProvisioningPlanner {
        ProvisioningPlanner(
            catalog: catalog(defaultGenerate: defaultGenerate, defaultValidate: defaultValidate),
            transformer: transformer)
    }

    /// The canary as the user's chosen password.
    static var canary: PlanRequest.Password { .chosen(GuardedString(Canary.password)) }
}

/// One call a fake transformer saw.
struct TransformCall: Sendable {
    let script: String
    let password: GuardedString?
    let context: TransformationContext
}

/// Records every call and returns `script|password` (nil for a nil password).
final class RecordingTransformer: PasswordTransformer {
    private let recorded = Mutex<[TransformCall]>([])

    var calls: [TransformCall] { recorded.withLock { $0 } }

    func transform(
        script: String,
        password: GuardedString?,
        context: TransformationContext
    ) throws(TransformationFailure) -> GuardedString? {
        recorded.withLock { $0.append(TransformCall(script: script, password: password, context: context)) }
        guard let password else { return nil }
        return password.withUnsafeBytes { bytes in GuardedString(bytes: Array(script.utf8) + [0x7C] + Array(bytes)) }
    }

    /// What this transformer returns for `script` on `password`, to compare.
    static func expected(_ script: String, _ password: String) -> GuardedString {
        GuardedString(script + "|" + password)
    }
}

/// Fails with `code` for the scripts in `failing`, records and passes the
/// others through like ``RecordingTransformer``.
final class FailingTransformer: PasswordTransformer {
    let failing: Set<String>
    let code: TransformationFailure.Code
    let recorder = RecordingTransformer()

    init(failing: Set<String>, code: TransformationFailure.Code = .runtime) {
        self.failing = failing
        self.code = code
    }

    func transform(
        script: String,
        password: GuardedString?,
        context: TransformationContext
    ) throws(TransformationFailure) -> GuardedString? {
        let result = try recorder.transform(script: script, password: password, context: context)
        if failing.contains(script) { throw TransformationFailure(scriptID: script, code: code) }
        return result
    }
}

extension GuardedString {
    /// The plaintext, for assertions only.
    var testPlaintext: String { withPlaintext { $0 } }
}
