import Hummingbird
import NIOCore

extension APIRoutes {
    /// The request's JSON body, at most ``maximumBodySize`` bytes, with the
    /// fields `allowed` and the password fields `secrets` guarded
    /// (``APIRequestBody``). The collected bytes are zeroed once parsed, so
    /// the only copies of a password left are the guarded ones (and what
    /// NIO's receive buffers held before they were reused — beyond reach).
    func body(_ request: Request, allowed: Set<String>, secrets: Set<String> = []) async throws -> APIRequestBody {
        if let type = request.headers[.contentType], !type.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, kind: "bad-request", "the body must be JSON (Content-Type: application/json)")
        }
        var buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maximumBodySize)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.tooLarge(limit: Self.maximumBodySize)
        }
        defer {
            _ = buffer.withUnsafeMutableReadableBytes { bytes in
                bytes.initializeMemory(as: UInt8.self, repeating: 0)
            }
        }
        guard buffer.readableBytes > 0 else { throw APIError.badRequest("a JSON body is required") }
        return try buffer.withUnsafeReadableBytes { bytes throws(APIError) in
            try APIRequestBody(bytes: bytes, allowed: allowed, secrets: secrets)
        }
    }
}
