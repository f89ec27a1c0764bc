import Foundation
import Hummingbird

/// A request as a fake service sees it: method, decoded path, decoded
/// query, headers and body.
public struct FakeRequest: Sendable {
    /// `GET`, `POST`, …
    public let method: String
    /// The path, percent-decoded (`/v1.0/users/alice@example.org`).
    public let path: String
    /// The query's parameters, decoded; the last of a repeated name wins.
    public let query: [String: String]
    /// The headers, names in lowercase.
    public let headers: [(String, String)]
    /// The body.
    public let body: [UInt8]

    init(_ request: Request, body: [UInt8]) {
        method = request.method.rawValue
        path = request.uri.path.removingPercentEncoding ?? request.uri.path
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        self.query = query
        headers = request.headers.map { ($0.name.canonicalName, $0.value) }
        self.body = body
    }

    /// The first header named `name`, case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.0 == name.lowercased() }?.1
    }

    /// The body as a JSON object, nil when it is not one.
    public var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// The body as `application/x-www-form-urlencoded` fields.
    public var form: [String: String] {
        var fields: [String: String] = [:]
        for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return fields
    }
}

/// A fake service's answer.
public struct FakeResponse: Sendable {
    /// The status code.
    public var status: Int
    /// The headers.
    public var headers: [(String, String)]
    /// The body.
    public var body: [UInt8]

    /// An answer.
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON answer.
    public static func json(_ status: Int, _ object: [String: Any], headers: [(String, String)] = []) -> FakeResponse {
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return FakeResponse(
            status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers, body: Array(body))
    }

    /// An HTML page.
    public static func html(_ status: Int, _ page: String) -> FakeResponse {
        FakeResponse(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(page.utf8))
    }
}
