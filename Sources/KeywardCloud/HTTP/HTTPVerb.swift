/// The HTTP methods the connectors use (kept apart from NIOHTTP1's `HTTPMethod`
/// so that only ``CloudHTTPClient`` imports NIOHTTP1).
enum HTTPVerb: String, Sendable {
    case GET, POST, PATCH, DELETE
}
