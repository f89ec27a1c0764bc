import AsyncHTTPClient
import Foundation
import Hummingbird
import KeywardQueueTestSupport
import KeywardServer
import KeywardTestSupport
import Logging
import NIOCore
import NIOHTTP1

/// `keyward serve`'s routes over an ``EndToEndDesk``, live on 127.0.0.1 at
/// a port the system picks, and a browser's part in them: open a link's
/// page, post its form with the CSRF token and cookie it gave.
final class EndToEndServer: @unchecked Sendable {
    let port: Int
    /// What the server logged, its access log included.
    let logs: LogCapture
    private let task: Task<Void, any Error>

    private init(port: Int, logs: LogCapture, task: Task<Void, any Error>) {
        self.port = port
        self.logs = logs
        self.task = task
    }

    /// Starts the routes over `desk`.
    static func start(_ desk: EndToEndDesk) async throws -> EndToEndServer {
        let logs = LogCapture()
        let logger = Logger(label: "keyward.server.e2e") { _ in CapturingLogHandler(capture: logs) }
        let dependencies = ServerDependencies(
            desk: desk.desk, store: desk.engine.store, systems: desk.engine.systems,
            settings: ServerSettings(publicURL: EndToEndDesk.publicURL), logger: logger)
        let (port, task) = try await LoopbackServer.start { onServerRunning in
            Application(
                router: KeywardServer.router(dependencies),
                configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: onServerRunning,
                logger: logger)
        }
        return EndToEndServer(port: port, logs: logs, task: task)
    }

    /// Stops the server.
    func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// A page's status and HTML.
    struct Page {
        let status: Int
        let html: String
    }

    /// Opens the mailed `link` (its public address mapped to this server),
    /// fills the form with `password` twice, and posts it as a browser would.
    func setPassword(link: String, password: String) async throws -> Page {
        let path = String(link.dropFirst(EndToEndDesk.publicURL.count))
        let url = "http://127.0.0.1:\(port)\(path)"
        let form = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let html = String(buffer: try await form.body.collect(upTo: 1 << 20))
        guard form.status == .ok else { return Page(status: Int(form.status.code), html: html) }
        let cookie = try Self.require(form.headers["set-cookie"].first?.split(separator: ";").first, "no CSRF cookie")
        let token = try Self.require(Self.hiddenValue("csrf", in: html), "no CSRF field")

        var post = HTTPClientRequest(url: url)
        post.method = .POST
        post.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
        post.headers.add(name: "cookie", value: String(cookie))
        post.headers.add(name: "origin", value: "http://127.0.0.1:\(port)")
        let body = [("csrf", token), ("new", password), ("confirm", password)]
            .map { "\($0)=\(Self.formEncoded($1))" }.joined(separator: "&")
        post.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(post, timeout: .seconds(60))
        return Page(status: Int(response.status.code), html: String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    /// Opens `link` and returns the page (for a used link: the refusal).
    func open(link: String) async throws -> Page {
        let url = "http://127.0.0.1:\(port)" + String(link.dropFirst(EndToEndDesk.publicURL.count))
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        return Page(status: Int(response.status.code), html: String(buffer: try await response.body.collect(upTo: 1 << 20)))
    }

    private static func hiddenValue(_ name: String, in html: String) -> String? {
        guard let field = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return html[field.upperBound...].split(separator: "\"", maxSplits: 1).first.map(String.init)
    }

    private static func formEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private static func require<T>(_ value: T?, _ what: String) throws -> T {
        guard let value else { throw SMTPSinkError("the set-password page: \(what)") }
        return value
    }
}
