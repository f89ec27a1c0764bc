import Foundation
import Hummingbird

/// Building the pages' responses.
enum PageResponse {
    /// An HTML page.
    static func html(_ html: String, status: HTTPResponse.Status = .ok, cookies: [Cookie] = []) -> Response {
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: html)))
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    /// A `303 See Other` to `location` (after a form post, so reloading the
    /// next page does not post again).
    static func redirect(to location: String, cookies: [Cookie] = []) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    /// A plain-text answer, for when the templates themselves are missing.
    static func text(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}

/// A page that ends a request early (a refused form, a limit, a missing
/// session): thrown by the checks, turned into its response by the route.
struct PageRefusal: Error {
    /// What the person sees.
    let response: Response
}
