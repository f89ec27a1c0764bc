import Foundation
import Hummingbird
import NIOCore

/// JSON responses of the API: ISO 8601 dates, sorted keys.
enum APIResponse {
    /// `value` as JSON with `status`.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return bytes(try encoder.encode(value), status: status, contentType: "application/json; charset=utf-8")
    }

    /// `data` with its content type.
    static func bytes(_ data: Data, status: HTTPResponse.Status = .ok, contentType: String) -> Response {
        Response(
            status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
