import Foundation
import Hummingbird

/// The browser's own word on where a form post came from, checked before
/// the token: `Sec-Fetch-Site` must be `same-origin` (or `none`, typed by
/// the person) and `Origin`, when sent and not `null`, must be the
/// server's. A missing header passes (older browsers, tools); the token
/// still decides.
struct CSRFOriginCheck: Sendable {
    /// The server's public origin (`https://keyward.example.com`).
    let publicOrigin: String

    /// A check against the origin of `publicURL`.
    init(publicURL: String) {
        publicOrigin = Self.origin(of: publicURL)
    }

    /// Whether the request may have come from one of Keyward's own pages.
    func allows(_ request: Request, secureTransport: Bool) -> Bool {
        if let site = request.headers[.init("Sec-Fetch-Site")!], !["same-origin", "none"].contains(site.lowercased()) {
            return false
        }
        // `null` says nothing: browsers send it for every post from a page
        // under `Referrer-Policy: no-referrer` (ours), and for opaque origins;
        // `Sec-Fetch-Site` above and the token decide then.
        guard let origin = request.headers[.origin], origin.lowercased() != "null" else { return true }
        let lowered = origin.lowercased()
        if lowered == publicOrigin { return true }
        // The address the browser used, when the public URL is not set to it
        // (a test on loopback, a second name).
        guard let host = request.head.authority else { return false }
        return lowered == "\(secureTransport ? "https" : "http")://\(host.lowercased())"
    }

    /// `scheme://host[:port]` of a URL, lowercased.
    static func origin(of url: String) -> String {
        let lowered = url.lowercased()
        guard let schemeEnd = lowered.range(of: "://") else { return lowered }
        let rest = lowered[schemeEnd.upperBound...]
        let authority = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? rest
        return String(lowered[..<schemeEnd.upperBound]) + authority
    }
}
