import Foundation
import KeywardConnectors
import KeywardCore
import Logging

extension ServiceNowConnector {
    /// Sends one Table API request to `/api/now/table/{table}{path}` with
    /// `body` (written into a buffer that is wiped afterwards) and a fresh
    /// `X-Request-ID`; with OAuth, a 401 fetches a new token once.
    /// - Parameters:
    ///   - action: what is done, for the error.
    ///   - uid: the account, for a 404.
    ///   - secrets: what ServiceNow's message must not quote.
    /// - Returns: the 2xx response, its body JSON.
    /// - Throws: the answer as ``ServiceNowErrorMapping`` maps it (an HTML
    ///   page as unreachable), prefixed with the action.
    func table(
        _ method: HTTPVerb, _ path: String = "", query: [(String, String)], body: [(String, JSONValue)]? = nil,
        action: String, uid: String? = nil, secrets: [GuardedString] = []
    ) async throws(ConnectorError) -> CloudResponse {
        do throws(ConnectorError) {
            let encoded = try body.map { members throws(ConnectorError) in try JSONBody.encode(members) }
            defer { encoded?.wipe() }
            let fullPath = "/api/now/table/\(settings.table)\(path)"
            var refreshed = false
            while true {
                let (header, token) = try await authorization.header()
                let requestID = UUID().uuidString.lowercased()
                let response = try await http.send(
                    CloudRequest(
                        method: method, url: settings.instance.url(fullPath, query: query), label: "\(method) \(fullPath)",
                        headers: [("Authorization", header), ("Accept", "application/json"), ("X-Request-ID", requestID)],
                        body: encoded))
                if response.status == 401, let token, !refreshed {
                    http.logger.notice("\(method) \(fullPath) answered 401: fetching a new token and trying once more")
                    await authorization.tokens?.invalidate(token)
                    refreshed = true
                    continue
                }
                guard response.isSuccess else {
                    throw ServiceNowErrorMapping.failure(
                        response, uid: uid, requestID: requestID, secrets: secrets, now: now())
                }
                guard !response.isHTML else { throw ServiceNowErrorMapping.htmlPage(response, requestID: requestID) }
                return response
            }
        } catch {
            throw error.context(system: definition.name, action: action)
        }
    }

    /// The `sys_id` and the requested `fields` of the record whose key field
    /// is `uid`, nil when there is none: `GET ?sysparm_query=KEY=uid&sysparm_limit=1`.
    /// - Throws: ``ConnectorError/Kind/configuration`` for a uid an encoded
    ///   query cannot hold exactly (`^`, a line break).
    func record(_ uid: String, fields: [String], action: String) async throws(ConnectorError) -> [String: Any]? {
        guard !uid.isEmpty, !uid.contains("^"), !uid.contains(where: \.isNewline) else {
            throw ConnectorError(
                .configuration,
                "system '\(definition.name)': could not \(action): the uid '\(uid)' holds a character ServiceNow's "
                    + "encoded queries reserve (^ or a line break)")
        }
        let response = try await table(
            .GET,
            query: [
                ("sysparm_query", "\(settings.keyField)=\(uid)"), ("sysparm_fields", fields.joined(separator: ",")),
                ("sysparm_limit", "1"),
            ],
            action: action)
        guard let results = response.jsonObject?["result"] as? [[String: Any]] else {
            throw ConnectorError(
                .protocolError, "system '\(definition.name)': could not \(action): the answer has no result list")
        }
        return results.first { ($0[settings.keyField] as? String)?.lowercased() == uid.lowercased() }
    }

    /// The `sys_id` of `uid`'s record.
    /// - Throws: ``ConnectorError/Kind/notFound`` when there is none.
    func sysID(of uid: String, action: String) async throws(ConnectorError) -> String {
        guard let found = try await record(uid, fields: ["sys_id", settings.keyField], action: action),
            let id = RemoteText.identifier(found["sys_id"] as? String)
        else {
            throw ConnectorError(
                .notFound,
                "system '\(definition.name)': could not \(action): there is no account '\(uid)' in \(settings.table)")
        }
        return id
    }

    /// The query that makes ServiceNow hash `user_password` and return no secret.
    var writeQuery: [(String, String)] {
        [("sysparm_input_display_value", "true"), ("sysparm_fields", "sys_id,\(settings.keyField)")]
    }
}
