import Crypto
import Foundation
import KeywardCore
import KeywardEngine
import KeywardQueueTestSupport
import KeywardServer
import KeywardStore
import KeywardTestSupport
import Synchronization
import Testing

/// What the page tests share: the live server (``ServerHarness``) with a
/// clock the test moves, a visitor, links issued through the real service,
/// and the canary scan.
final class PageFixture: @unchecked Sendable {
    /// A clock the settings read (sessions, limits).
    final class Clock: Sendable {
        let time = Mutex(Date())
        func now() -> Date { time.withLock { $0 } }
        func advance(seconds: Double) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
    }

    let server: ServerHarness
    let visitor: PageVisitor
    let clock: Clock
    /// The notices the desk handed to mail (when started with mail).
    let mail: PageMailbox?

    /// Starts the server (with mail when `mail`), with the settings changed by `configure`.
    static func start(mail: Bool = false, _ configure: @escaping (inout ServerSettings) -> Void = { _ in }) async throws -> PageFixture {
        let clock = Clock()
        let mailbox = mail ? PageMailbox() : nil
        let server = try await ServerHarness.start(notifier: mailbox) { settings in
            settings.now = { clock.now() }
            configure(&settings)
        }
        return PageFixture(server: server, clock: clock, mail: mailbox)
    }

    /// Runs `body` on a started fixture and stops it afterwards, also when
    /// `body` throws (a server left running would fail the whole run).
    static func with(
        mail: Bool = false, _ configure: @escaping (inout ServerSettings) -> Void = { _ in },
        _ body: (PageFixture) async throws -> Void
    ) async throws {
        try await using(try await start(mail: mail, configure), stop: { await $0.stop() }, body)
    }

    /// Runs `body` on `fixture`, then `stop`s it, whether `body` threw or not.
    static func using<Fixture>(
        _ fixture: Fixture, stop: (Fixture) async -> Void, _ body: (Fixture) async throws -> Void
    ) async throws {
        do {
            try await body(fixture)
        } catch {
            await stop(fixture)
            throw error
        }
        await stop(fixture)
    }

    private init(server: ServerHarness, clock: Clock, mail: PageMailbox?) {
        self.server = server
        self.clock = clock
        self.mail = mail
        visitor = PageVisitor(server)
    }

    /// Stops the visitor and the server.
    func stop() async {
        await visitor.shutdown()
        await server.stop()
    }

    /// A two-way link for `username` on `system`, issued by the real
    /// service: its path on this server.
    func link(_ username: String, system: String = "hr") async throws -> String {
        let invitation = try await server.dependencies.desk.passwords.initializeTwoWay(username: username, system: system)
        return "/set-password/" + invitation.token
    }

    /// A link stored as already expired (issued 73 hours ago).
    func expiredLink(_ username: String, system: String = "hr") async throws -> String {
        let token = "expired-" + UUID().uuidString
        let issued = Date().addingTimeInterval(-73 * 3600)
        try await server.store.issueSetPasswordToken(
            SetPasswordToken(
                hash: Data(SHA256.hash(data: Data(token.utf8))), username: username, system: system, createdBy: "cli:test",
                createdAt: issued, expiresAt: issued.addingTimeInterval(72 * 3600)))
        return "/set-password/" + token
    }

    /// Runs `request` while the executor drains the queue, as the workers
    /// of `keyward serve` would, so a page that waits for its operations
    /// sees them run.
    func whileWorking<Result: Sendable>(_ request: @Sendable @escaping () async throws -> Result) async throws -> Result {
        let executor = server.engine.executor
        let worker = Task {
            while !Task.isCancelled {
                _ = try? await executor.drain()
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
        defer { worker.cancel() }
        return try await request()
    }

    /// The operations queued so far.
    func operations() async throws -> [QueuedOperation] {
        try await server.engine.operations()
    }

    /// A helpdesk token with `scopes`: its secret.
    func token(_ name: String, scopes: [String] = ["helpdesk"]) async throws -> String {
        try await server.store.createAPIToken(name: name, scopes: scopes, createdBy: "cli:test", expiresAt: nil).secret
    }

    /// Signs the visitor in to the helpdesk with a new token named `name`.
    func signIn(_ name: String = "alice") async throws -> ServerHarness.Reply {
        let secret = try await token(name)
        return try await visitor.submit("/helpdesk/login", action: "/helpdesk/login", [("token", secret)])
    }

    /// Where `secret` shows up: the replies, the server's log lines, the
    /// store's files, the mail notices' descriptions.
    func leaks(of secret: String) throws -> [String] {
        var found: [String] = []
        if visitor.everything.contains(secret) { found.append("a reply") }
        if server.logs.lines.contains(where: { $0.contains(secret) }) { found.append("the server log") }
        if server.engine.logs.lines.contains(where: { $0.contains(secret) }) { found.append("the executor log") }
        for name in try server.engine.storeFiles() {
            let data = try Data(contentsOf: server.engine.folder.appendingPathComponent(name))
            if data.range(of: Data(secret.utf8)) != nil { found.append("store file \(name)") }
        }
        return found
    }
}

/// The desk's mail for the page tests: checks pass, and each notice is
/// kept (the link's plaintext is read only by the test that follows it).
final class PageMailbox: PasswordNotifier, @unchecked Sendable {
    private let notices = Mutex<[PasswordNotice]>([])

    func check(kind: NotificationKind, username: String, system: String) async throws(ServiceError) {}

    func notify(_ notice: PasswordNotice) async throws(ServiceError) {
        notices.withLock { $0.append(notice) }
    }

    /// The notices so far.
    var all: [PasswordNotice] { notices.withLock { $0 } }
}
