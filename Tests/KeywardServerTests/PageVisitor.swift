import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A browser-like client for the page tests over real HTTP: it keeps the
/// cookies the server sets (as a browser would, by name), does not follow
/// redirects (so a test sees each 303), posts forms URL-encoded, and reads
/// the hidden CSRF token of a form from the page it got.
final class PageVisitor: @unchecked Sendable {
    let server: ServerHarness
    private let client = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))
    /// The cookies held, by name.
    var cookies: [String: String] = [:]
    /// Every reply so far (a canary scan reads them all).
    private(set) var replies: [ServerHarness.Reply] = []

    init(_ server: ServerHarness) {
        self.server = server
    }

    /// Ends the client.
    func shutdown() async {
        try? await client.shutdown()
    }

    /// `GET path`.
    func get(_ path: String, headers: [(String, String)] = []) async throws -> ServerHarness.Reply {
        try await send(.GET, path, headers: headers, body: nil)
    }

    /// `POST path` with `fields` URL-encoded.
    func post(_ path: String, _ fields: [(String, String)], headers: [(String, String)] = []) async throws -> ServerHarness.Reply {
        try await send(.POST, path, headers: [("Content-Type", "application/x-www-form-urlencoded")] + headers, body: Self.encode(fields))
    }

    /// Gets `path`, then posts `fields` to the form whose action is `action`
    /// with that form's CSRF token, as a person filling it in would.
    func submit(_ path: String, action: String, _ fields: [(String, String)]) async throws -> ServerHarness.Reply {
        let page = try await get(path)
        let token = try Self.csrf(in: page.body, action: action)
        return try await post(action, [("csrf", token)] + fields)
    }

    private func send(
        _ method: HTTPMethod, _ path: String, headers: [(String, String)], body: String?
    ) async throws -> ServerHarness.Reply {
        var request = HTTPClientRequest(url: server.baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if !cookies.isEmpty {
            request.headers.add(name: "Cookie", value: cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 8 << 20)
        let reply = ServerHarness.Reply(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: String(buffer: bytes))
        for (name, value) in reply.headers where name.lowercased() == "set-cookie" { keep(value) }
        replies.append(reply)
        return reply
    }

    private func keep(_ header: String) {
        let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let pair = parts.first, let equals = pair.firstIndex(of: "=") else { return }
        let name = String(pair[..<equals])
        let value = String(pair[pair.index(after: equals)...])
        if parts.contains(where: { $0.lowercased() == "max-age=0" }) || value.isEmpty {
            cookies[name] = nil
        } else {
            cookies[name] = value
        }
    }

    /// Every reply's headers and body, as text.
    var everything: String {
        replies.map { reply in reply.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n") + "\n" + reply.body }
            .joined(separator: "\n")
    }

    /// `fields` as `application/x-www-form-urlencoded`.
    static func encode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { name, value in
            "\(name.addingPercentEncoding(withAllowedCharacters: allowed)!)=\(value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
        }.joined(separator: "&")
    }

    /// The hidden CSRF token of the (first) form posting to `action` in `html`.
    static func csrf(in html: String, action: String) throws -> String {
        guard let form = html.range(of: "action=\"\(action)\"") else {
            throw PageTestError("no form posts to \(action) in the page:\n\(html)")
        }
        let rest = html[form.upperBound...]
        guard let field = rest.range(of: "name=\"csrf\" value=\""), let end = rest[field.upperBound...].firstIndex(of: "\"") else {
            throw PageTestError("the form posting to \(action) has no csrf field")
        }
        return String(rest[field.upperBound..<end])
    }
}

/// A page test's setup problem.
struct PageTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
