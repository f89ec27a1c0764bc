public import KeywardCore

/// A problem in `keyward.yaml`, a connector file, or a script they reference.
///
/// Every error says what was expected and what to do, and carries the place
/// it was found (file, line, column) whenever there is one. The message is
/// built from key names, positions and fixed text: it never holds the value
/// of a secret field, nor a snippet of the file (a snippet could show one).
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// A stable code for the kind of problem, so that tools can match on it
    /// while the set of kinds grows.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: String {
            case unreadable, yamlSyntax, unknownKey, wrongType, missingField, invalidValue
            case duplicateName, fileNotFound, undefinedPolicy, unknownConnectorType
            case mappingRule, passwordFlagMissing, schemaMismatch, literalSecret
            case badSecretReference, secretUnavailable, unsupportedVersion
            case infeasiblePolicy, scriptFinding, migration
        }

        private let kind: Kind

        private init(_ kind: Kind) {
            self.kind = kind
        }

        /// A file could not be read (missing, a folder, not UTF-8, too large).
        public static let unreadable = Code(.unreadable)
        /// The text is not valid YAML.
        public static let yamlSyntax = Code(.yamlSyntax)
        /// A key the format does not have.
        public static let unknownKey = Code(.unknownKey)
        /// A value of the wrong kind (a string where a list belongs, …).
        public static let wrongType = Code(.wrongType)
        /// A required key is missing.
        public static let missingField = Code(.missingField)
        /// A value of the right kind that is not allowed (a negative length, a bad duration, …).
        public static let invalidValue = Code(.invalidValue)
        /// Two systems, attributes, schema entries or policies with one name.
        public static let duplicateName = Code(.duplicateName)
        /// A script or dictionary file that does not exist.
        public static let fileNotFound = Code(.fileNotFound)
        /// A policy name that `policies:` does not define.
        public static let undefinedPolicy = Code(.undefinedPolicy)
        /// A connector `type` that is not registered.
        public static let unknownConnectorType = Code(.unknownConnectorType)
        /// A mapping that breaks a rule (two uids, no uid, a password attribute without a script, …).
        public static let mappingRule = Code(.mappingRule)
        /// `__PASSWORD__` without `password: true`: run `keyward config migrate`.
        public static let passwordFlagMissing = Code(.passwordFlagMissing)
        /// The mapping and the declared attribute schema disagree.
        public static let schemaMismatch = Code(.schemaMismatch)
        /// A literal value in a secret field (the literal is never repeated).
        public static let literalSecret = Code(.literalSecret)
        /// A `${…}` reference that is not `${env:NAME}` or `${file:PATH}`.
        public static let badSecretReference = Code(.badSecretReference)
        /// A referenced environment variable or file is missing at the moment of use.
        public static let secretUnavailable = Code(.secretUnavailable)
        /// A `version:` this Keyward does not understand, or an old one that needs migrating.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// A generate policy that cannot produce a password its paired validate policies accept.
        public static let infeasiblePolicy = Code(.infeasiblePolicy)
        /// The security checker's finding in a referenced script.
        public static let scriptFinding = Code(.scriptFinding)
        /// `keyward config migrate` could not edit a file safely.
        public static let migration = Code(.migration)

        /// The code's name, such as `unknownKey`.
        public var description: String { kind.rawValue }
    }

    /// How serious a problem is.
    public enum Severity: String, Sendable {
        /// The configuration must not be used.
        case error
        /// Probably a mistake, but the configuration can be used.
        case warning
    }

    /// What kind of problem this is.
    public let code: Code
    /// What is wrong and what to do, in one line, without a secret.
    public let message: String
    /// Where the problem is, when it is in a file.
    public let location: SourceLocation?
    /// Whether the problem stops the configuration from being used.
    public let severity: Severity

    /// Creates an error (or, with `severity: .warning`, a warning).
    public init(_ code: Code, _ message: String, at location: SourceLocation?, severity: Severity = .error) {
        self.code = code
        self.message = message
        self.location = location
        self.severity = severity
    }

    /// `file:line:column: error: message`, the form compilers use, so that
    /// editors and CI annotate the spot.
    public var description: String {
        let prefix = location.map { "\($0): " } ?? ""
        return "\(prefix)\(severity.rawValue): \(message)"
    }
}
