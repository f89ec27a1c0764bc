import Foundation
import KeywardConnectors
import KeywardCore

/// The `Authorization` header of a ServiceNow request: Basic, or a bearer
/// token from the instance's `/oauth_token.do`, kept in a ``TokenCache``.
///
/// The header value is a `String`, as the HTTP client's headers are, made
/// for each request and dropped with it; the account passwords Keyward
/// provisions never become one.
struct ServiceNowAuthorization: Sendable {
    let settings: ServiceNowSettings
    /// The token cache, with OAuth; nil with Basic.
    let tokens: TokenCache?

    /// The authorization for `settings`, fetching tokens through `http`.
    init(settings: ServiceNowSettings, http: CloudHTTPClient, now: @escaping @Sendable () -> Date) {
        self.settings = settings
        switch settings.authentication {
        case .basic:
            tokens = nil
        case .oauthPassword, .oauthClientCredentials:
            tokens = TokenCache(now: now) { () throws(ConnectorError) in
                try await Self.fetch(settings: settings, http: http, now: now)
            }
        }
    }

    /// The header value, and the token it holds (to invalidate on a 401).
    func header() async throws(ConnectorError) -> (value: String, token: AccessToken?) {
        guard let tokens else {
            guard case .basic(let username, let password) = settings.authentication else {
                preconditionFailure("Basic authentication without a user")
            }
            return ("Basic " + Self.basicCredentials(username: username, password: password), nil)
        }
        let token = try await tokens.token()
        return ("Bearer \(token.value)", token)
    }

    /// `base64(username:password)`, built in a wiped buffer.
    static func basicCredentials(username: String, password: GuardedString) -> String {
        let joined = GuardedString(count: username.utf8.count + 1 + password.count) { buffer in
            var sink = BufferSink(buffer)
            for byte in username.utf8 { sink.append(byte) }
            sink.append(UInt8(ascii: ":"))
            password.withUnsafeBytes { for byte in $0 { sink.append(byte) } }
        }
        return joined.withUnsafeBytes(base64)
    }

    /// RFC 4648 base64 of `bytes`, straight into the header's text (no
    /// intermediate copy of the bytes).
    static func base64(_ bytes: UnsafeRawBufferPointer) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var text = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            let count = min(3, bytes.count - index)
            var group: UInt32 = 0
            for offset in 0..<3 { group = group << 8 | UInt32(offset < count ? bytes[index + offset] : 0) }
            for position in 0..<4 {
                let sextet = Int(group >> UInt32(18 - 6 * position) & 0x3F)
                text.append(Unicode.Scalar(position <= count ? alphabet[sextet] : UInt8(ascii: "=")))
            }
            index += 3
        }
        return String(text)
    }

    /// Fetches a token: `POST /oauth_token.do` with the grant's form, wiped afterwards.
    static func fetch(
        settings: ServiceNowSettings, http: CloudHTTPClient, now: @Sendable () -> Date
    ) async throws(ConnectorError) -> AccessToken {
        let fields: [(String, BodyText)]
        let secrets: [GuardedString]
        switch settings.authentication {
        case .oauthPassword(let id, let secret, let username, let password):
            fields = [
                ("grant_type", .plain("password")), ("client_id", .plain(id)), ("client_secret", .secret(secret)),
                ("username", .plain(username)), ("password", .secret(password)),
            ]
            secrets = [secret, password]
        case .oauthClientCredentials(let id, let secret):
            fields = [("grant_type", .plain("client_credentials")), ("client_id", .plain(id)), ("client_secret", .secret(secret))]
            secrets = [secret]
        case .basic:
            preconditionFailure("a token for Basic authentication")
        }
        let body = FormBody.encode(fields)
        defer { body.wipe() }
        let issued = now()
        let response = try await http.send(
            CloudRequest(
                method: .POST, url: settings.instance.url("/oauth_token.do"), label: "POST /oauth_token.do",
                headers: [("Accept", "application/json")], body: body))
        guard response.isSuccess, !response.isHTML else {
            throw ServiceNowErrorMapping.tokenFailure(response, secrets: secrets, now: now())
        }
        guard let token = AccessToken(response: response, issued: issued) else {
            throw ConnectorError(
                .protocolError, "/oauth_token.do answered \(response.status) without an access token")
        }
        return token
    }
}
