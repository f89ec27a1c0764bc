import Foundation
import Synchronization

/// Microsoft Graph v1.0 and the Microsoft identity platform's token
/// endpoint, faked on 127.0.0.1 as CONNECTORS.md section 3 documents them:
/// the client credentials grant, `/users` (create, read, update with
/// `passwordProfile`, delete, list) and `/organization`, with Graph's error
/// body and `request-id` header, the tenant's password complexity rule,
/// unique UPNs, permissions, bearer tokens that expire, 429 with
/// `Retry-After`, and the quirk that a `passwordProfile` without a password
/// is answered 204 and ignored.
///
/// Passwords are kept hashed; ``verify(_:_:)`` says whether one signs in.
public final class FakeGraph: FakeService {
    /// A user as the fake keeps it: its properties (no password) and how its password is kept.
    public struct User: Sendable {
        /// The object id.
        public var id: String
        /// `userPrincipalName`, `displayName`, `accountEnabled` (as `true`/`false`), …
        public var properties: [String: String]
        /// `passwordProfile.forceChangePasswordNextSignIn` as last set.
        public var forceChangePasswordNextSignIn: Bool
        var password: FakeStoredPassword
    }

    /// A request the fake answered, without its body.
    public struct Record: Sendable {
        public var method: String
        public var path: String
        public var query: [String: String]
        public var status: Int
        /// The `client-request-id` it carried.
        public var clientRequestID: String?
        /// Whether its body carried `passwordProfile.password`.
        public var sentPassword: Bool
        /// `passwordProfile.forceChangePasswordNextSignIn` in its body.
        public var sentForceChange: Bool?
    }

    struct State {
        var users: [String: User] = [:]
        var tokens = FakeBearerTokens()
        var faults = FakeFaults()
        var records: [Record] = []
        var permissions: Set<String> = FakeGraph.allPermissions
        var tokenLifetime = 3599
        var profileWithoutPasswordPatches = 0
        var quotesPasswords = false
    }

    /// Every application permission the fake knows.
    public static let allPermissions: Set<String> = [
        "User.Read.All", "User.ReadWrite.All", "User.Create", "User-PasswordProfile.ReadWrite.All",
    ]

    /// The tenant, the app's client id and its secret.
    public let tenant: String
    public let clientID: String
    let clientSecret: String
    let state = Mutex(State())
    private let server: Mutex<FakeHTTPServer?> = Mutex(nil)

    private init(tenant: String, clientID: String, clientSecret: String) {
        self.tenant = tenant
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    /// Starts a fake tenant whose app `clientID` signs in with `clientSecret`,
    /// over HTTPS with `certificate`.
    public static func start(
        tenant: String = "11111111-2222-3333-4444-555555555555", clientID: String = "keyward-app",
        clientSecret: String, certificate: FakeCertificates.Served = .localhost
    ) async throws -> FakeGraph {
        let graph = FakeGraph(tenant: tenant, clientID: clientID, clientSecret: clientSecret)
        let server = try await FakeHTTPServer.start(certificate: certificate) { [graph] request in
            graph.respond(to: request)
        }
        graph.server.withLock { $0 = server }
        return graph
    }

    /// The HTTPS server, nil until it started.
    public var httpServer: FakeHTTPServer? { server.withLock { $0 } }

    /// `https://127.0.0.1:PORT`: the `authorityURL` to give the connector.
    public var authorityURL: String { baseURL }
    /// `https://127.0.0.1:PORT/v1.0`: the `graphURL`.
    public var graphURL: String { authorityURL + "/v1.0" }

    // MARK: What tests change

    /// The next `count` Graph requests get `status` (429 or 503) with `Retry-After: retryAfter`.
    public func throttle(next count: Int, status: Int = 429, retryAfter: String? = "1") {
        state.withLock { $0.faults.add(.throttle(status: status, retryAfter: retryAfter), count: count) }
    }

    /// Every token issued so far expires once `count` more Graph requests used one.
    public func expireTokens(afterRequests count: Int) {
        state.withLock { $0.tokens.expire(afterRequests: count) }
    }

    /// Refuses every token, new ones too, as after the app's consent was revoked.
    public func refuseTokens(_ refuse: Bool) {
        state.withLock { $0.tokens.refusesAll = refuse }
    }

    /// The lifetime of tokens issued from now on, in seconds (`expires_in`).
    public func setTokenLifetime(_ seconds: Int) {
        state.withLock { $0.tokenLifetime = seconds }
    }

    /// The application permissions the app has from now on.
    public func setPermissions(_ permissions: Set<String>) {
        state.withLock { $0.permissions = permissions }
    }

    /// Makes every error to a request that sent a password quote it, as a
    /// careless service might (Keyward must withhold the message).
    public func quotePasswordsInErrors(_ quote: Bool) {
        state.withLock { $0.quotesPasswords = quote }
    }

    /// Adds a user with a password, as if created in the portal.
    public func addUser(_ upn: String, password: String, enabled: Bool = true) {
        let user = User(
            id: UUID().uuidString.lowercased(),
            properties: [
                "userPrincipalName": upn, "displayName": upn, "mailNickname": String(upn.prefix { $0 != "@" }),
                "accountEnabled": enabled ? "true" : "false",
            ],
            forceChangePasswordNextSignIn: false, password: .hash(password))
        state.withLock { $0.users[user.id] = user }
    }

    // MARK: What tests read

    /// Whether `upn` signs in with `password`.
    public func verify(_ upn: String, _ password: String) -> Bool {
        user(upn)?.password.verifies(password) ?? false
    }

    /// The user `upn` (case-insensitively), if there is one.
    public func user(_ upn: String) -> User? {
        state.withLock { state in Self.find(upn, in: state.users) }
    }

    /// Every request answered, in order.
    public var records: [Record] { state.withLock { $0.records } }
    /// How many tokens were issued.
    public var tokensIssued: Int { state.withLock { $0.tokens.issued } }
    /// PATCHes whose `passwordProfile` had no password (Graph ignores them).
    public var profileWithoutPasswordPatches: Int { state.withLock { $0.profileWithoutPasswordPatches } }

    static func find(_ key: String, in users: [String: User]) -> User? {
        users[key] ?? users.values.first { $0.properties["userPrincipalName"]?.lowercased() == key.lowercased() }
    }
}
