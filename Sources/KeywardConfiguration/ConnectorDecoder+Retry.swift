import KeywardCore

extension ConnectorDecoder {
    static let retryKeys = ["maxAttempts", "backoff", "delay", "maxDelay"]

    /// `retry: { maxAttempts: 5, backoff: exponential, delay: 30s, maxDelay: 1h }`;
    /// keys left out keep ``RetryPolicy``'s defaults.
    func decodeRetry(_ value: YAMLValue) -> RetryPolicy? {
        guard let reader = value.mapping(
            diagnostics, what: "a mapping with `maxAttempts`, `backoff`, `delay` and `maxDelay`", known: Self.retryKeys)
        else { return nil }
        var policy = RetryPolicy()
        if let attempts = reader["maxAttempts"].flatMap({ $0.int(atLeast: 1, diagnostics) }) {
            policy.maxAttempts = attempts
        }
        if let value = reader["backoff"], let word = value.string(diagnostics, what: "`fixed` or `exponential`") {
            if let backoff = RetryPolicy.Backoff(rawValue: word) {
                policy.backoff = backoff
            } else {
                let known = RetryPolicy.Backoff.allCases.map(\.rawValue)
                diagnostics.error(
                    .invalidValue,
                    "`backoff` is `fixed` or `exponential`\(NameSuggestion.hint(for: word, among: known))",
                    at: value.location)
            }
        }
        if let seconds = reader["delay"].flatMap(retryDuration) { policy.delaySeconds = seconds }
        if let seconds = reader["maxDelay"].flatMap(retryDuration) { policy.maxDelaySeconds = seconds }
        if policy.maxDelaySeconds < policy.delaySeconds, let at = reader["maxDelay"] ?? reader["delay"] {
            diagnostics.error(
                .invalidValue, "`maxDelay` (\(policy.maxDelaySeconds)s) is shorter than `delay` (\(policy.delaySeconds)s)",
                at: at.location)
        }
        return policy
    }

    private func retryDuration(_ value: YAMLValue) -> Int? {
        guard let text = value.string(diagnostics, what: "a duration such as `30s`") else { return nil }
        guard let seconds = PolicyDecoder.seconds(in: text) else {
            diagnostics.error(
                .invalidValue,
                "\(value.quotedPath): `\(text)` is not a duration; write a whole number and a unit: `0s`, `30s`, `15m`, `1h`",
                at: value.location)
            return nil
        }
        return seconds
    }
}
