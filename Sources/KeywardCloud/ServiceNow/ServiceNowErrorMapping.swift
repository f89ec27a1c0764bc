import Foundation
import KeywardConnectors
import KeywardCore

/// The Table API's and `/oauth_token.do`'s error answers as
/// ``ConnectorError``s.
///
/// The Table API's body is `{"error":{"message","detail"},"status":"failure"}`;
/// the message of a failure keeps the status, ServiceNow's words (cut, and
/// withheld if they quote a secret) and the transaction's id when the
/// instance sends one.
enum ServiceNowErrorMapping {
    /// The error for a Table API answer that is not 2xx.
    /// - Parameters:
    ///   - uid: the account the request was about, for a 404.
    ///   - requestID: the `X-Request-ID` Keyward sent.
    ///   - secrets: what the message must not quote.
    static func failure(
        _ response: CloudResponse, uid: String?, requestID: String, secrets: [GuardedString], now: Date
    ) -> ConnectorError {
        let error = response.jsonObject?["error"] as? [String: Any]
        let words = [error?["message"] as? String, error?["detail"] as? String].compactMap { $0 }.filter { !$0.isEmpty }
        let said = RemoteText.sanitized(words.joined(separator: ": "), withholding: secrets)
        let lowered = words.joined(separator: ": ").lowercased()
        let detail = "(ServiceNow \(response.status)\(said.isEmpty ? "" : ": \(said)"), \(ids(response, requestID)))"
        let wait = retryAfter(response, now: now)

        switch response.status {
        case 400 where lowered.contains("password") && (lowered.contains("policy") || lowered.contains("complex")):
            return ConnectorError(.policyRejected, "ServiceNow refused the password \(detail)")
        case 400:
            return ConnectorError(.failed, "ServiceNow refused the request \(detail)")
        case 401:
            return ConnectorError(
                .credentialsRejected, "ServiceNow refused Keyward's credentials; check the integration user \(detail)")
        case 403:
            return ConnectorError(
                .permissionDenied,
                "the integration user may not do this: give it the admin role, or roles and ACLs that let it "
                    + "create users and write user_password \(detail)")
        case 404:
            let what = uid.map { "there is no account '\($0)'" } ?? "ServiceNow has no such record or table"
            return ConnectorError(.notFound, "\(what) \(detail)")
        default:
            return ServerTrouble.error(response.status, retryAfter: wait, service: "the instance", detail: detail)
                ?? ConnectorError(.failed, "ServiceNow answered \(response.status) \(detail)")
        }
    }

    /// The error for a 200 whose body is an HTML page: a hibernating
    /// developer instance, or a login page in front of the API. Transient:
    /// the instance may wake up.
    static func htmlPage(_ response: CloudResponse, requestID: String) -> ConnectorError {
        ConnectorError(
            .unreachable,
            "the instance answered \(response.status) with an HTML page instead of JSON: it may be hibernating, "
                + "or a login page stands in front of the API (\(ids(response, requestID)))")
    }

    /// The error for a `/oauth_token.do` answer that is not a token:
    /// `{"error","error_description"}`, or an HTML page.
    /// - Parameter secrets: what the description must not quote (the client
    ///   secret, the integration user's password).
    static func tokenFailure(_ response: CloudResponse, secrets: [GuardedString], now: Date) -> ConnectorError {
        if response.isHTML {
            return ConnectorError(
                .unreachable,
                "/oauth_token.do answered \(response.status) with an HTML page: the instance may be hibernating")
        }
        let object = response.jsonObject
        let error = RemoteText.identifier(object?["error"] as? String) ?? "no error code"
        let description = (object?["error_description"] as? String).map { ": " + RemoteText.sanitized($0, withholding: secrets) } ?? ""
        let detail = "(/oauth_token.do \(response.status) \(error)\(description))"
        return ServerTrouble.error(
            response.status, retryAfter: retryAfter(response, now: now), service: "/oauth_token.do", detail: detail)
            ?? ConnectorError(
                .credentialsRejected,
                "the instance refused Keyward's OAuth client or user; check clientId, clientSecret, username and "
                    + "password \(detail)")
    }

    /// `Retry-After`, else the wait until `X-RateLimit-Reset` (a Unix time).
    static func retryAfter(_ response: CloudResponse, now: Date) -> Duration? {
        if let wait = RetryAfter.parse(response.header("Retry-After"), now: now) { return wait }
        guard let reset = response.header("X-RateLimit-Reset").flatMap({ Double($0) }) else { return nil }
        let seconds = reset - now.timeIntervalSince1970
        return seconds > 0 ? min(.seconds(Int(seconds.rounded(.up))), RetryAfter.longest) : .zero
    }

    /// The instance's transaction id when it sends one, and the `X-Request-ID` Keyward sent.
    static func ids(_ response: CloudResponse, _ requestID: String) -> String {
        let theirs = RequestIDs.text(of: response)
        if theirs.contains(requestID) { return theirs }
        return (theirs.isEmpty ? "" : theirs + ", ") + "Keyward's X-Request-ID \(requestID)"
    }
}
