import Foundation
import NIOCore
import NIOFoundationCompat

/// An HTTP response, its body read whole (up to
/// ``CloudHTTPClient/bodyLimit``). Never logged.
struct CloudResponse: Sendable {
    /// The status code.
    let status: Int
    /// The headers, names as sent.
    let headers: [(String, String)]
    /// The body.
    let body: ByteBuffer

    /// The first header named `name` (case-insensitively).
    func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// Whether the status is 2xx.
    var isSuccess: Bool { (200..<300).contains(status) }

    /// Whether the body is an HTML page rather than JSON: an HTML content
    /// type, or a body that starts with `<` (a login page, a hibernating
    /// instance's page, a proxy's error page).
    var isHTML: Bool {
        if let type = header("Content-Type")?.lowercased(), type.contains("html") { return true }
        return body.readableBytesView.first { !Self.isWhitespace($0) } == UInt8(ascii: "<")
    }

    /// The body as a JSON object, nil when it is not one.
    var jsonObject: [String: Any]? {
        guard body.readableBytes > 0 else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any]
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
