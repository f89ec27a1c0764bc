import Foundation
import KeywardConnectors
import KeywardCore

/// Graph's and the token endpoint's error answers as ``ConnectorError``s.
///
/// Graph's body is `{"error":{"code","message","innerError":{"request-id",
/// "client-request-id","date"}}}`; the message of a failure keeps the
/// status, the code, Graph's words (cut, and withheld if they quote a
/// secret) and the request ids, so the audit can be matched with Entra's
/// sign-in and audit logs.
enum EntraErrorMapping {
    /// The error for a Graph answer that is not 2xx.
    /// - Parameters:
    ///   - uid: the account the request was about, for a 404.
    ///   - forbidden: what to grant the app, for a 403.
    ///   - secrets: what the message must not quote.
    static func failure(
        _ response: CloudResponse, uid: String?, forbidden: String, secrets: [GuardedString], now: Date
    ) -> ConnectorError {
        let error = response.jsonObject?["error"] as? [String: Any]
        let code = RemoteText.identifier(error?["code"] as? String) ?? "no error code"
        let raw = error?["message"] as? String ?? ""
        let message = RemoteText.sanitized(raw, withholding: secrets)
        let lowered = raw.lowercased()
        let said = message.isEmpty ? "" : ": \(message)"
        let detail = "(Graph \(response.status) \(code)\(said)\(separator(response))\(ids(response)))"

        switch response.status {
        case 400 where lowered.contains("password complexity") || lowered.contains("comply with password"):
            return ConnectorError(
                .policyRejected, "Entra ID refused the password: it does not meet the tenant's password policy \(detail)")
        case 400 where lowered.contains("another object with the same value for property"):
            let property = Self.property(in: raw) ?? "userPrincipalName"
            return ConnectorError(.alreadyExists, "an account with the same \(property) exists already \(detail)")
        case 400:
            return ConnectorError(.failed, "Graph refused the request \(detail)")
        case 401:
            return ConnectorError(
                .credentialsRejected,
                "Graph refused Keyward's access token, a newly fetched one too; check the app registration \(detail)")
        case 403:
            return ConnectorError(.permissionDenied, "the app may not do this: \(forbidden) \(detail)")
        case 404:
            let what = uid.map { "there is no account '\($0)'" } ?? "Graph has no such resource"
            return ConnectorError(.notFound, "\(what) \(detail)")
        default:
            let wait = RetryAfter.parse(response.header("Retry-After"), now: now)
            return ServerTrouble.error(response.status, retryAfter: wait, service: "Graph", detail: detail)
                ?? ConnectorError(.failed, "Graph answered \(response.status) \(detail)")
        }
    }

    /// The error for a token endpoint answer that is not 2xx: `{"error",
    /// "error_description","error_codes":[…],"trace_id","correlation_id"}`.
    static func tokenFailure(_ response: CloudResponse, settings: EntraSettings, now: Date) -> ConnectorError {
        let object = response.jsonObject
        let error = RemoteText.identifier(object?["error"] as? String) ?? "no error code"
        let codes = (object?["error_codes"] as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue } ?? []
        let aadsts = codes.map { "AADSTS\($0)" }.joined(separator: ", ")
        let traces = [("trace_id", "trace-id"), ("correlation_id", "correlation-id")].compactMap { key, name in
            RemoteText.identifier(object?[key] as? String).map { "\(name) \($0)" }
        }
        let detail = "(token endpoint \(response.status) \(error)\(aadsts.isEmpty ? "" : " \(aadsts)")"
            + (traces.isEmpty ? "" : ", " + traces.joined(separator: ", ")) + ")"

        if codes.contains(90002) || codes.contains(900023) {
            return ConnectorError(
                .configuration, "tenant '\(settings.tenantID)' was not found; check connection key 'tenantId' \(detail)")
        }
        switch (response.status, error) {
        case (_, "invalid_client"), (_, "unauthorized_client"):
            return ConnectorError(
                .credentialsRejected,
                "the token endpoint refused client '\(settings.clientID)' or its secret; check connection keys "
                    + "'clientId' and 'clientSecret' (a client secret expires) \(detail)")
        case (_, "invalid_scope"):
            return ConnectorError(.configuration, "the token endpoint refused the Graph scope; check 'graphURL' \(detail)")
        default:
            let wait = RetryAfter.parse(response.header("Retry-After"), now: now)
            return ServerTrouble.error(response.status, retryAfter: wait, service: "the token endpoint", detail: detail)
                ?? ConnectorError(.credentialsRejected, "the token endpoint refused Keyward's request \(detail)")
        }
    }

    /// The request ids of `response`: its headers', else the error body's
    /// `innerError`; empty when there are none.
    static func ids(_ response: CloudResponse) -> String {
        let fromHeaders = RequestIDs.text(of: response)
        if !fromHeaders.isEmpty { return fromHeaders }
        let inner = (response.jsonObject?["error"] as? [String: Any])?["innerError"] as? [String: Any]
        return ["request-id", "client-request-id"].compactMap { key in
            RemoteText.identifier(inner?[key] as? String).map { "\(key) \($0)" }
        }.joined(separator: ", ")
    }

    private static func separator(_ response: CloudResponse) -> String {
        ids(response).isEmpty ? "" : ", "
    }

    /// `userPrincipalName` in "… for property userPrincipalName already exists".
    static func property(in message: String) -> String? {
        guard let range = message.range(of: "property ", options: .caseInsensitive) else { return nil }
        let name = message[range.upperBound...].prefix { $0.isLetter || $0.isNumber }
        return name.isEmpty ? nil : String(name)
    }
}
