import Foundation
import KeywardConnectors
import KeywardCore
import Logging

extension EntraConnector {
    /// Sends one Graph request with the cached token, a fresh
    /// `client-request-id`, and `body` (written into a buffer that is wiped
    /// afterwards); on a 401 it fetches a new token and tries once more.
    /// - Parameters:
    ///   - path: under the Graph base (`/users/alice%40example.org`).
    ///   - action: what is done, for the error (`reset the password of 'alice@…'`).
    ///   - uid: the account, for a 404.
    ///   - forbidden: what to grant the app, for a 403.
    ///   - secrets: what a Graph message must not quote.
    /// - Returns: the 2xx response.
    /// - Throws: Graph's answer as ``EntraErrorMapping`` maps it, prefixed with the action.
    func graph(
        _ method: HTTPVerb, _ path: String, query: [(String, String)] = [], body: [(String, JSONValue)]? = nil,
        action: String, uid: String? = nil, forbidden: String, secrets: [GuardedString] = []
    ) async throws(ConnectorError) -> CloudResponse {
        do throws(ConnectorError) {
            let encoded = try body.map { members throws(ConnectorError) in try JSONBody.encode(members) }
            defer { encoded?.wipe() }
            var refreshed = false
            while true {
                let token = try await tokens.token()
                let clientRequestID = UUID().uuidString.lowercased()
                let response = try await http.send(
                    CloudRequest(
                        method: method, url: settings.graph.url(path, query: query), label: "\(method) \(path)",
                        headers: [
                            ("Authorization", "Bearer \(token.value)"), ("Accept", "application/json"),
                            ("client-request-id", clientRequestID), ("return-client-request-id", "true"),
                        ],
                        body: encoded))
                if response.status == 401 && !refreshed {
                    http.logger.notice(
                        "\(method) \(path) answered 401: fetching a new token and trying once more",
                        metadata: RequestIDs.metadata(of: response))
                    await tokens.invalidate(token)
                    refreshed = true
                    continue
                }
                guard response.isSuccess else {
                    throw EntraErrorMapping.failure(
                        response, uid: uid, forbidden: forbidden, secrets: secrets, now: now())
                }
                return response
            }
        } catch {
            throw error.context(system: definition.name, action: action)
        }
    }

    /// `/users/{uid}`, the uid percent-encoded.
    static func userPath(_ uid: String) -> String {
        "/users/" + CloudEndpoint.percentEncoded(uid)
    }
}
