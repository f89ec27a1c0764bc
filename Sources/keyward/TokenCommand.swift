import ArgumentParser
import Foundation
import KeywardServer
import KeywardStore

/// `keyward token`: the bearer tokens of the API's clients.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke the API's bearer tokens.",
        discussion: """
            An API client (`keyward serve`'s /api/v1) sends `Authorization: Bearer TOKEN`. A token is \
            named, scoped to operations (\(APIScope.allCases.map(\.rawValue).joined(separator: ", "))), \
            and may expire. The store keeps only its SHA-256: it is printed once, when it is created.

            Examples:
              keyward token create --name ci-bot --scope reset --scope unlock --expires-in 90d
              keyward token list
              keyward token revoke ci-bot
            """,
        subcommands: [TokenCreateCommand.self, TokenListCommand.self, TokenRevokeCommand.self])
}

/// `keyward token create`.
struct TokenCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a token and print it (once) on standard output.",
        discussion: """
            Scopes: initialize, change, reset, unlock (the operations), queue:read (GET /api/v1/operations), \
            audit:read (GET /api/v1/audit), helpdesk (sign in to the helpdesk page). The token goes to \
            standard output alone, so `TOKEN=$(keyward token create …)` captures it; store it in a secret \
            manager: it cannot be shown again. A revoked token's name can be used again.
            """)

    @OptionGroup var options: ConfigOption
    @Option(help: ArgumentHelp("The client's name (in the audit log as api:NAME).", valueName: "name"))
    var name: String
    @Option(help: ArgumentHelp("What it may do; repeat for more.", valueName: "scope"))
    var scope: [String] = []
    @Option(help: ArgumentHelp("When it stops working: an age such as 30m, 12h, 90d, 4w (default: never).", valueName: "age"))
    var expiresIn: String?

    func run() async throws {
        guard TokenNames.isValid(name) else {
            throw CommandError("--name '\(name)' must be 1 to 64 letters, digits, '.', '_' or '-'")
        }
        let scopes = try TokenNames.scopes(scope)
        let expiresAt = try expiresIn.map { try Date().addingTimeInterval(TokenNames.seconds($0)) }
        let store = try await QueueCommand.openStore(options)
        let issued: IssuedAPIToken
        do {
            issued = try await store.createAPIToken(
                name: name, scopes: scopes.map(\.rawValue), createdBy: Runtime.actor, expiresAt: expiresAt)
        } catch let error as StoreError {
            throw CommandError(error.message)
        }
        Console.out(issued.secret)
        let expiry = expiresAt.map { "expires \($0.formatted(.iso8601))" } ?? "never expires"
        Console.err("created API token '\(name)' (scopes: \(scopes.map(\.rawValue).joined(separator: ", ")); \(expiry))")
        Console.warning("this is the only time the token is shown: store it in a secret manager now")
    }
}

/// `keyward token list`.
struct TokenListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the tokens (never their secrets), revoked ones included.")

    @OptionGroup var options: ConfigOption
    @Flag(help: "One JSON object per line.")
    var json = false

    func run() async throws {
        let store = try await QueueCommand.openStore(options)
        let tokens = try await store.apiTokens()
        let now = Date()
        let time = ISO8601DateFormatter()
        for token in tokens {
            let state = token.revokedAt != nil ? "revoked" : token.isExpired(at: now) ? "expired" : "active"
            if json {
                var object: [String: Any] = [
                    "name": token.name, "scopes": token.scopes, "state": state, "createdBy": token.createdBy,
                    "createdAt": time.string(from: token.createdAt),
                ]
                if let date = token.expiresAt { object["expiresAt"] = time.string(from: date) }
                if let date = token.lastUsedAt { object["lastUsedAt"] = time.string(from: date) }
                if let date = token.revokedAt { object["revokedAt"] = time.string(from: date) }
                Console.out(JSONText.encode(object))
            } else {
                let expiry = token.expiresAt.map { "expires \(time.string(from: $0))" } ?? "never expires"
                let used = token.lastUsedAt.map { "last used \(time.string(from: $0))" } ?? "never used"
                Console.out(
                    "\(token.name) \(state) [\(token.scopes.joined(separator: ", "))] created \(time.string(from: token.createdAt)) by \(token.createdBy); \(expiry); \(used)"
                )
            }
        }
        if tokens.isEmpty && !json { Console.out("no API tokens (keyward token create --name NAME --scope SCOPE)") }
    }
}

/// `keyward token revoke NAME`.
struct TokenRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a token: it stops working at once.")

    @OptionGroup var options: ConfigOption
    @Argument(help: ArgumentHelp("The token's name.", valueName: "name"))
    var name: String

    func run() async throws {
        let store = try await QueueCommand.openStore(options)
        do {
            try await store.revokeAPIToken(name: name, by: Runtime.actor)
        } catch let error as StoreError {
            throw CommandError(error.message)
        }
        Console.out("revoked API token '\(name)'")
    }
}
