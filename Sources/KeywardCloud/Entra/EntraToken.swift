import Foundation
import KeywardConnectors

/// The OAuth 2 client credentials grant against the Microsoft identity
/// platform: `POST {authority}/{tenant}/oauth2/v2.0/token` with the app's
/// id and secret, for the scope `https://graph.microsoft.com/.default` (the
/// Graph host's, for a national cloud).
enum EntraToken {
    /// Fetches a token; the form with the client secret is wiped afterwards.
    /// - Throws: ``ConnectorError/Kind/credentialsRejected`` when the id or
    ///   secret is refused; ``ConnectorError/Kind/configuration`` when the
    ///   tenant does not exist; transport errors as they come.
    static func fetch(
        settings: EntraSettings, http: CloudHTTPClient, now: @Sendable () -> Date
    ) async throws(ConnectorError) -> AccessToken {
        let body = FormBody.encode([
            ("client_id", .plain(settings.clientID)),
            ("client_secret", .secret(settings.clientSecret)),
            ("scope", .plain(scope(for: settings.graph))),
            ("grant_type", .plain("client_credentials")),
        ])
        defer { body.wipe() }
        let issued = now()
        let response = try await http.send(
            CloudRequest(
                method: .POST, url: settings.tokenURL, label: "POST /\(settings.tenantID)/oauth2/v2.0/token",
                headers: [("Accept", "application/json")], body: body))
        guard response.isSuccess else {
            throw EntraErrorMapping.tokenFailure(response, settings: settings, now: now())
        }
        guard let token = AccessToken(response: response, issued: issued) else {
            throw ConnectorError(
                .protocolError,
                "the token endpoint answered \(response.status) without an access token \(EntraErrorMapping.ids(response))")
        }
        return token
    }

    /// `https://{Graph host}/.default`.
    static func scope(for graph: CloudEndpoint) -> String {
        let host = URL(string: graph.base)?.host ?? "graph.microsoft.com"
        let port = URL(string: graph.base)?.port.map { ":\($0)" } ?? ""
        return "https://\(host)\(port)/.default"
    }
}
