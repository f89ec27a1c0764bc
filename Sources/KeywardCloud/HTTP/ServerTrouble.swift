import KeywardConnectors

/// A service's "slow down" and its own failures, mapped the same way for
/// every cloud service and token endpoint: all transient, so the queue
/// tries again later.
enum ServerTrouble {
    /// The error for 429 (throttled), 503 (throttled when it says how long
    /// to wait, else unreachable) and 500, 502, 504 (unreachable); nil for
    /// any other status.
    /// - Parameters:
    ///   - service: who answered (`Graph`, `the instance`).
    ///   - detail: the parenthesis with the status, the service's words and the ids.
    static func error(_ status: Int, retryAfter wait: Duration?, service: String, detail: String) -> ConnectorError? {
        switch status {
        case 429:
            ConnectorError(.throttled, "\(service) asks Keyward to slow down \(detail)", retryAfter: wait)
        case 503:
            ConnectorError(
                wait == nil ? .unreachable : .throttled, "\(service) is unavailable for now \(detail)", retryAfter: wait)
        case 500, 502, 504:
            ConnectorError(.unreachable, "\(service) failed on its side; the request may be tried again \(detail)")
        default:
            nil
        }
    }
}
