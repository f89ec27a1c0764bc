/// The connection settings a connector type takes: which keys exist, which
/// are required, which are secrets (references only).
///
/// `sql` and `external` are open: their connectors read settings of their
/// own, so other keys are allowed there (a key named like a secret still
/// takes a reference only).
struct ConnectionSpec {
    /// What a setting holds.
    enum Kind: Equatable {
        /// Plain text.
        case text
        /// A secret: `${env:NAME}` or `${file:PATH}` only.
        case secret
        /// `true` or `false`.
        case boolean
        /// A whole number of at least 1.
        case number
        /// A URL with one of these schemes.
        case url(schemes: [String])
        /// One of these words.
        case choice([String])
        /// A command line: a list of words, or one string split as a shell
        /// would split it (without running one).
        case command
        /// A mapping of environment variable names to values (references allowed).
        case environment
    }

    /// One setting.
    struct Field {
        let name: String
        let kind: Kind
        let required: Bool
        /// One line for the JSON Schema and the docs.
        let summary: String

        init(_ name: String, _ kind: Kind, required: Bool = false, _ summary: String) {
            self.name = name
            self.kind = kind
            self.required = required
            self.summary = summary
        }
    }

    let fields: [Field]
    /// Whether keys other than `fields` are allowed.
    let isOpen: Bool

    /// The field named `name`.
    func field(_ name: String) -> Field? { fields.first { $0.name == name } }

    /// The settings of the built-in type `type`, nil for a type Keyward does not know.
    static func forType(_ type: String) -> ConnectionSpec? {
        switch type {
        case "ldap": ldap
        case "ad": ad
        case "entra": entra
        case "servicenow": serviceNow
        case "sql": sql
        case "external": external
        default: nil
        }
    }

    private static let directoryFields: [Field] = [
        Field("url", .url(schemes: ["ldaps", "ldap"]), required: true,
              "ldaps://host:636, or ldap://host:389 with startTLS: true"),
        Field("startTLS", .boolean, "Upgrade an ldap:// connection with StartTLS before binding."),
        Field("authentication", .choice(["simple", "gssapi"]),
              "simple (bind DN and password over TLS) or gssapi (Kerberos, SASL GSSAPI)."),
        Field("bindDN", .text, "The DN Keyward binds as (simple authentication)."),
        Field("bindPassword", .secret, "The bind password: ${env:NAME} or ${file:PATH}."),
        Field("baseDN", .text, required: true, "Where accounts are searched."),
        Field("caCertificate", .text, "A PEM file of the CA that signed the server's certificate."),
        Field("tlsVerify", .boolean, "Verify the server's certificate and host name (default true; false only for labs, warned about)."),
        Field("principal", .text, "gssapi: the Kerberos principal Keyward authenticates as (from the keytab)."),
        Field("keytab", .text, "gssapi: the keytab file holding the principal's keys."),
        Field("credentialCache", .text, "gssapi: a credential cache to use instead of a keytab (e.g. FILE:/tmp/krb5cc_keyward)."),
        Field("timeoutSeconds", .number, "Network timeout per operation, in seconds."),
    ]

    static let ldap = ConnectionSpec(
        fields: directoryFields + [
            Field("passwordReset", .choice(["passwordModify", "userPassword"]),
                  "How a reset is sent: the Password Modify extended operation (default) or a replace of userPassword."),
            Field("uidAttribute", .text, "The attribute that names an account in its DN (default uid)."),
        ],
        isOpen: false)

    static let ad = ConnectionSpec(
        fields: directoryFields + [Field("domain", .text, "The AD DNS domain, e.g. corp.example.com.")],
        isOpen: false)

    static let entra = ConnectionSpec(
        fields: [
            Field("tenantId", .text, required: true, "The directory (tenant) ID."),
            Field("clientId", .text, required: true, "The application (client) ID."),
            Field("clientSecret", .secret, required: true, "The client secret: ${env:NAME} or ${file:PATH}."),
            Field("authorityURL", .url(schemes: ["https"]), "The token endpoint's host (default login.microsoftonline.com)."),
            Field("graphURL", .url(schemes: ["https"]), "The Graph API base (default https://graph.microsoft.com/v1.0)."),
            Field("timeoutSeconds", .number, "Network timeout per request, in seconds."),
            Field("forceChangePasswordNextSignIn", .boolean,
                  "Make the person change a password Keyward set at next sign-in, unless the request says (default true)."),
            Field("caCertificate", .text, cloudCACertificate),
        ],
        isOpen: false)

    static let serviceNow = ConnectionSpec(
        fields: [
            Field("instanceURL", .url(schemes: ["https"]), required: true, "https://INSTANCE.service-now.com"),
            Field("authentication", .choice(["basic", "oauth-password", "oauth-client-credentials"]),
                  "basic (default), oauth-password (OAuth password grant) or oauth-client-credentials."),
            Field("username", .text, "The integration user (basic and oauth-password)."),
            Field("password", .secret, "The integration user's password: ${env:NAME} or ${file:PATH}."),
            Field("table", .text, "The user table (default sys_user)."),
            Field("clientId", .text, "OAuth client ID, when OAuth is used."),
            Field("clientSecret", .secret, "OAuth client secret: ${env:NAME} or ${file:PATH}."),
            Field("timeoutSeconds", .number, "Network timeout per request, in seconds."),
            Field("passwordNeedsReset", .boolean,
                  "Set password_needs_reset with the first password, unless the request says (default true)."),
            Field("caCertificate", .text, cloudCACertificate),
        ],
        isOpen: false)

    /// `caCertificate` of the cloud types.
    private static let cloudCACertificate =
        "A PEM file of a CA to trust besides the system's (a TLS-inspecting proxy's, a private endpoint's)."

    static let sql = ConnectionSpec(
        fields: [
            Field("url", .text, required: true,
                  "sqlite:PATH (relative to keyward.yaml's folder), or postgres://USER@HOST:PORT/DATABASE?sslmode=verify-full&sslrootcert=CA.pem; no password in it."),
            Field("username", .text, "The database user (PostgreSQL), when the url names none."),
            Field("password", .secret, "The database user's password (PostgreSQL): ${env:NAME} or ${file:PATH}; else PGPASSWORD or ~/.pgpass."),
            Field("table", .text, required: true, "The accounts table."),
            Field("keyColumn", .text, "The column holding the uid (default: the uid attribute's name)."),
            Field("passwordColumn", .text, "The column __PASSWORD__ is stored in (default password)."),
            Field("passwordStorage", .choice(["bcrypt", "pbkdf2-sha256", "sha256-hex", "cleartext", "pgcrypto-bcrypt"]),
                  "How __PASSWORD__ is stored: bcrypt (default), pbkdf2-sha256, the legacy sha256-hex and cleartext, or pgcrypto-bcrypt (hashed by PostgreSQL's pgcrypto)."),
            Field("bcryptCost", .number, "bcrypt's cost factor, 4 to 31 (default 12)."),
            Field("pbkdf2Iterations", .number, "PBKDF2-SHA256 iterations, at least 1000 (default 600000)."),
            Field("lockedColumn", .text, "An integer column, 1 when the account is locked (needed for unlock)."),
            Field("mustChangeColumn", .text, "An integer column, 1 when the password must change at next login."),
            Field("operations", .text, "The operations the table supports: a comma-separated subset of initialize, change, reset, unlock."),
        ],
        isOpen: true)

    /// Open: `env.NAME` keys set the plugin's environment, and any other
    /// key is the plugin's own setting, sent to it in the hello.
    static let external = ConnectionSpec(
        fields: [
            Field("command", .command, required: true,
                  "The plugin's program and arguments: a list of words, or one string split at spaces ('…' or \"…\" quote); a program with a / is relative to keyward.yaml's folder, one without is looked up on PATH."),
            Field("env", .environment, "Environment variables for the plugin, NAME: value (a value may be ${env:…} or ${file:…}); the plugin gets PATH, HOME and LANG besides."),
            Field("workingDirectory", .text, "The plugin's working folder, relative to keyward.yaml's folder (default: that folder)."),
            Field("timeoutSeconds", .number, "How long the plugin may take to start or to answer one request, in seconds (default 30); then it is killed."),
            Field("poolSize", .number, "How many plugin processes may run at once, each serving one request at a time (1 to 16, default 2)."),
            Field("operations", .text, "The operations Keyward may use: a comma-separated subset of initialize, change, reset, unlock (default: all the plugin declares)."),
        ],
        isOpen: true)

    /// Whether a key's name says it holds a secret: its last word is
    /// `password`, `passwd`, `pwd`, `secret`, `token`, `credential(s)`,
    /// `passphrase`, `key` or `pin` (`bindPassword`, `clientSecret`,
    /// `apiKey`; not `passwordColumn`, `tokenURL` or `publicKey`).
    static func isSecretName(_ key: String) -> Bool {
        let words = words(of: key)
        let secretWords: Set<String> = [
            "password", "passwd", "pwd", "secret", "token", "credential", "credentials", "passphrase", "apikey", "key", "pin",
        ]
        guard let last = words.last, secretWords.contains(last) else { return false }
        return !(last == "key" && words.dropLast().last == "public")
    }

    /// `bindPassword` → `bind`, `password`; `api_key` → `api`, `key`.
    static func words(of key: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previousWasLower = false
        for character in key {
            if character == "_" || character == "-" || character == "." || character == " " {
                if !current.isEmpty { words.append(current) }
                current = ""
                previousWasLower = false
                continue
            }
            if character.isUppercase, previousWasLower, !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.append(character)
            previousWasLower = character.isLowercase || character.isNumber
        }
        if !current.isEmpty { words.append(current) }
        return words.map { $0.lowercased() }
    }
}
