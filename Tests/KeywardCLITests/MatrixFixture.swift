import Foundation
import GRDB
import Testing

/// A configuration with one system of each fixed type (`ad`, `ldap`,
/// `entra`, `servicenow`, named after their type), none of them reachable:
/// for requests that are refused or only queued.
struct MatrixFixture {
    let scratch: Scratch
    /// What the connector files' secret references read.
    static let environment = ["KEYWARD_MATRIX_SECRET": "not-a-real-secret"]

    /// `extra` adds lines to a system's `connection:` block; `prepare`
    /// makes the key and imports ada.
    init(extra: [String: String] = [:], prepare: Bool = true) throws {
        scratch = try Scratch()
        try scratch.write("keyward.yaml", QueueFixture.mainConfiguration)
        for (type, connection) in Self.connections {
            let lines = ([connection] + [extra[type]].compactMap { $0 }).joined(separator: "\n")
            try scratch.write(
                "connectors/\(type).yaml",
                """
                type: \(type)
                connection:
                \(lines.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
                mapping:
                  attributes:
                    - { name: \(Self.uidAttribute[type]!), source: username, uid: true }
                    - { name: __PASSWORD__, password: true, transform: scripts/pw.lua }

                """)
        }
        try scratch.write("scripts/pw.lua", "if attributeValue == nil then return nil end\nreturn attributeValue\n")
        try scratch.write("people.csv", "username,givenName,familyName,email\nada,Ada,Lovelace,ada@example.com\n")
        try scratch.makeFolder("var")
        guard prepare else { return }
        for step in [["keygen"], ["identity", "import", "people.csv"]] {
            let result = try run(step)
            #expect(result.status == 0, "\(result)")
        }
    }

    static let connections: [String: String] = [
        "ad": """
            url: ldaps://127.0.0.1:9
            domain: corp.example.com
            bindDN: CN=svc-keyward,CN=Users,DC=corp,DC=example,DC=com
            bindPassword: ${env:KEYWARD_MATRIX_SECRET}
            baseDN: CN=Users,DC=corp,DC=example,DC=com
            """,
        "ldap": """
            url: ldaps://127.0.0.1:9
            bindDN: cn=keyward,dc=example,dc=com
            bindPassword: ${env:KEYWARD_MATRIX_SECRET}
            baseDN: ou=people,dc=example,dc=com
            """,
        "entra": """
            tenantId: 00000000-0000-0000-0000-000000000000
            clientId: 11111111-1111-1111-1111-111111111111
            clientSecret: ${env:KEYWARD_MATRIX_SECRET}
            """,
        "servicenow": """
            instanceURL: https://127.0.0.1:9
            username: keyward.integration
            password: ${env:KEYWARD_MATRIX_SECRET}
            """,
    ]

    static let uidAttribute = ["ad": "sAMAccountName", "ldap": "uid", "entra": "userPrincipalName", "servicenow": "user_name"]

    var storePath: String { scratch.url.appendingPathComponent("var/keyward.db").path }

    func run(_ arguments: [String], stdin: String? = nil) throws -> CommandResult {
        try scratch.run(arguments: arguments, stdin: stdin.map { Data($0.utf8) }, environment: Self.environment)
    }

    func run(_ arguments: String...) throws -> CommandResult {
        try run(arguments)
    }

    /// Asks for `operation` for ada on `system`, queueing only.
    func request(_ operation: String, on system: String) throws -> CommandResult {
        switch operation {
        case "initialize":
            return try run(["account", "create", "--user", "ada", "--system", system, "--no-wait"])
        case "change":
            return try run(
                ["password", "change", "--user", "ada", "--system", system, "--stdin", "--no-wait"],
                stdin: "Current-Pass-1234\nAnother-Pass-5678\n")
        case "reset":
            return try run(
                ["password", "reset", "--user", "ada", "--system", system, "--stdin", "--no-wait"],
                stdin: "Another-Pass-5678\n")
        default:
            return try run(["account", "unlock", "--user", "ada", "--system", system, "--no-wait"])
        }
    }

    /// Records that ada has an account on `system`, as an earlier create would have.
    func insertAccount(system: String) throws {
        try DatabaseQueue(path: storePath).write { db in
            try db.execute(
                sql: """
                    INSERT INTO accounts (username, system, uid, state, updated_at)
                    VALUES ('ada', ?, 'ada', 'active', 0)
                    """,
                arguments: [system])
        }
    }

    /// How many operations are queued for `system`.
    func queuedCount(system: String) throws -> Int {
        try DatabaseQueue(path: storePath).read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM operations WHERE system = ?", arguments: [system]) ?? 0
        }
    }
}
