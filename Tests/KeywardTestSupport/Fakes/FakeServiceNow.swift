import Foundation
import Synchronization

/// A ServiceNow instance's Table API and `/oauth_token.do`, faked on
/// 127.0.0.1 as CONNECTORS.md section 4 documents them: Basic and OAuth
/// (password and client credentials grants), one user table, encoded
/// queries (`field=value^…`), `sysparm_fields`, the error body
/// `{"error":{"message","detail"},"status":"failure"}`, 429 with
/// `Retry-After`, the HTML page a hibernating instance answers with 200,
/// and the rule that `user_password` is hashed only when
/// `sysparm_input_display_value=true` was sent (otherwise it is stored as
/// given and nobody can log in with it).
public final class FakeServiceNow: FakeService {
    /// A user record: its fields (no password) and how its password is kept.
    public struct UserRecord: Sendable {
        public var sysID: String
        public var fields: [String: String]
        var password: FakeStoredPassword?

        /// `hashed`, `unusable` (stored without the display-value setter) or `none`.
        public var passwordState: String {
            switch password {
            case .hashed?: "hashed"
            case .unusable?: "unusable"
            case nil: "none"
            }
        }
    }

    /// A request the fake answered, without its body's values.
    public struct Record: Sendable {
        public var method: String
        public var path: String
        public var query: [String: String]
        public var status: Int
        /// `Basic`, `Bearer`, or nil.
        public var scheme: String?
        /// The names of its body's fields, sorted.
        public var bodyFields: [String]
    }

    struct State {
        var users: [String: UserRecord] = [:]
        var tokens = FakeBearerTokens()
        var faults = FakeFaults()
        var records: [Record] = []
        var tokenLifetime = 1799
        var writesDenied = false
    }

    /// The integration user, its password, the OAuth client and the table.
    let username: String
    let password: String
    let clientID: String?
    let clientSecret: String?
    let allowsClientCredentials: Bool
    public let table: String
    let state = Mutex(State())
    private let server: Mutex<FakeHTTPServer?> = Mutex(nil)

    private init(
        username: String, password: String, clientID: String?, clientSecret: String?, allowsClientCredentials: Bool,
        table: String
    ) {
        self.username = username
        self.password = password
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.allowsClientCredentials = allowsClientCredentials
        self.table = table
    }

    /// Starts an instance whose integration user is `username`/`password`;
    /// with `clientID` and `clientSecret`, `/oauth_token.do` grants tokens.
    /// It speaks HTTPS with `certificate`.
    public static func start(
        username: String = "keyward.integration", password: String, clientID: String? = nil,
        clientSecret: String? = nil, allowsClientCredentials: Bool = false, table: String = "sys_user",
        certificate: FakeCertificates.Served = .localhost
    ) async throws -> FakeServiceNow {
        let instance = FakeServiceNow(
            username: username, password: password, clientID: clientID, clientSecret: clientSecret,
            allowsClientCredentials: allowsClientCredentials, table: table)
        let server = try await FakeHTTPServer.start(certificate: certificate) { [instance] request in
            instance.respond(to: request)
        }
        instance.server.withLock { $0 = server }
        return instance
    }

    /// The HTTPS server, nil until it started.
    public var httpServer: FakeHTTPServer? { server.withLock { $0 } }

    /// `https://127.0.0.1:PORT`: the `instanceURL` to give the connector.
    public var instanceURL: String { baseURL }

    // MARK: What tests change

    /// The next `count` requests get 429 with `Retry-After: retryAfter`.
    public func throttle(next count: Int, retryAfter: String? = "1") {
        state.withLock { $0.faults.add(.throttle(status: 429, retryAfter: retryAfter), count: count) }
    }

    /// The next `count` requests get 200 with a hibernating instance's HTML page.
    public func answerHTML(next count: Int) {
        state.withLock { $0.faults.add(.html, count: count) }
    }

    /// Every token issued so far expires once `count` more requests used one.
    public func expireTokens(afterRequests count: Int) {
        state.withLock { $0.tokens.expire(afterRequests: count) }
    }

    /// Refuses writes with 403, as an ACL would.
    public func denyWrites(_ deny: Bool) {
        state.withLock { $0.writesDenied = deny }
    }

    /// Adds a user record, with a usable password when one is given.
    public func addUser(_ userName: String, password: String? = nil, lockedOut: Bool = false) {
        let record = UserRecord(
            sysID: Self.newSysID(),
            fields: ["user_name": userName, "active": "true", "locked_out": lockedOut ? "true" : "false"],
            password: password.map(FakeStoredPassword.hash))
        state.withLock { $0.users[record.sysID] = record }
    }

    // MARK: What tests read

    /// Whether `userName` logs in with `password`.
    public func verify(_ userName: String, _ password: String) -> Bool {
        user(userName)?.password?.verifies(password) ?? false
    }

    /// The record whose `user_name` is `userName`, if any.
    public func user(_ userName: String) -> UserRecord? {
        state.withLock { state in state.users.values.first { $0.fields["user_name"]?.lowercased() == userName.lowercased() } }
    }

    /// Every request answered, in order.
    public var records: [Record] { state.withLock { $0.records } }
    /// How many tokens were issued.
    public var tokensIssued: Int { state.withLock { $0.tokens.issued } }

    /// 32 hexadecimal digits, as ServiceNow's sys_ids are.
    static func newSysID() -> String {
        UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
}
