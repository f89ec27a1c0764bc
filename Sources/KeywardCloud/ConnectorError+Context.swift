import KeywardConnectors

extension ConnectorError {
    /// The same error, its message prefixed with what was being done:
    /// `system 'entra': could not reset the password of 'alice@…': …`.
    func context(system: String, action: String) -> ConnectorError {
        ConnectorError(kind, "system '\(system)': could not \(action): \(message)", retryAfter: retryAfter)
    }
}
