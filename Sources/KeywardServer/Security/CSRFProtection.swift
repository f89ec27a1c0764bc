import Crypto
import Foundation
import Hummingbird

/// Cross-site request forgery protection for the pages: a signed
/// double-submit token on every form.
///
/// Each form carries a hidden `csrf` field holding HMAC-SHA256, under a key
/// made at start and kept only in memory, over the form's binding and its
/// action path. The binding is the helpdesk session's id on signed-in forms,
/// otherwise a random value in a cookie (`__Host-keyward-csrf` over HTTPS,
/// `keyward-csrf` otherwise: `HttpOnly; SameSite=Strict; Path=/`). A page on
/// another site can neither read the cookie nor compute the signature, so
/// it cannot build a form Keyward accepts. Tokens are compared in constant
/// time. A restart changes the key: forms shown before it are refused and
/// the person reloads them.
struct CSRFProtection: Sendable {
    /// The name of the hidden field.
    static let fieldName = "csrf"

    /// The key's bytes (`SymmetricKey` itself is not `Sendable`).
    private let keyBytes: Data
    /// Whether the cookie gets `Secure` and the `__Host-` prefix.
    let secureTransport: Bool

    /// Protection with a fresh random key.
    init(secureTransport: Bool) {
        keyBytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        self.secureTransport = secureTransport
    }

    /// The binding cookie's name.
    var cookieName: String { secureTransport ? "__Host-keyward-csrf" : "keyward-csrf" }

    /// The token for a form posting to `action` under `binding`.
    func token(binding: String, action: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(Self.message(binding, action).utf8), using: SymmetricKey(data: keyBytes))
        return RandomToken.base64URL(Data(code))
    }

    /// Whether `token` is the one ``token(binding:action:)`` gives, compared
    /// in constant time.
    func isValid(_ token: String?, binding: String, action: String) -> Bool {
        guard let token, !binding.isEmpty, let code = RandomToken.data(base64URL: token) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(
            code, authenticating: Data(Self.message(binding, action).utf8), using: SymmetricKey(data: keyBytes))
    }

    /// The binding of a form that is not under a session: the cookie's value
    /// when it looks like one of ours, else nil (a new one must be set).
    func cookieBinding(_ request: Request) -> String? {
        guard let value = request.cookies[cookieName]?.value, RandomToken.isWellFormed(value) else { return nil }
        return value
    }

    /// A new binding cookie.
    func bindingCookie(_ value: String) -> Cookie {
        Cookie(name: cookieName, value: value, path: "/", secure: secureTransport, httpOnly: true, sameSite: .strict)
    }

    private static func message(_ binding: String, _ action: String) -> String {
        "keyward-form\u{0}\(binding)\u{0}\(action)"
    }
}
