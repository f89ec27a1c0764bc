import Foundation
import KeywardConnectors

/// A base URL a connector sends requests to: always `https://`. No
/// connector file, and no code, can make a connector speak plain HTTP.
struct CloudEndpoint: Sendable, Equatable {
    /// The base, without a trailing slash (`https://graph.microsoft.com/v1.0`).
    let base: String

    /// Checks `text`, the value of connection key `key`.
    /// - Throws: ``ConnectorError/Kind/configuration`` naming the key.
    init(_ text: String, key: String, reader: ConnectionReader) throws(ConnectorError) {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw reader.error(key, "must be a URL such as https://host/path, not '\(text)'")
        }
        guard url.user == nil, url.password == nil, url.query == nil, url.fragment == nil else {
            throw reader.error(key, "must be a plain https:// URL, without user, query or fragment")
        }
        switch scheme {
        case "https":
            break
        case "http":
            throw reader.error(key, "is http://, which would send passwords in clear; use https://")
        default:
            throw reader.error(key, "must start with https://, not '\(scheme)://'")
        }
        base = text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    /// The URL of `path` (which starts with `/`) under the base, with
    /// `query` in order: the names as they are (Keyward's own, such as
    /// `$select`), the values percent-encoded.
    func url(_ path: String, query: [(String, String)] = []) -> String {
        guard !query.isEmpty else { return base + path }
        let pairs = query.map { "\($0.0)=\(Self.percentEncoded($0.1))" }
        return base + path + "?" + pairs.joined(separator: "&")
    }

    /// `text` with every byte but RFC 3986's unreserved ones percent-encoded:
    /// safe as one path segment or one query value.
    static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            if FormBody.isUnreserved(byte) {
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                encoded += String(format: "%%%02X", byte)
            }
        }
        return encoded
    }
}
