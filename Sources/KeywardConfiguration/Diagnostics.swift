import KeywardCore

/// Collects every problem found while loading, so that one run reports them
/// all instead of stopping at the first.
final class Diagnostics {
    private(set) var errors: [ConfigurationError] = []
    private(set) var warnings: [ConfigurationError] = []

    /// Records an error.
    func error(_ code: ConfigurationError.Code, _ message: String, at location: SourceLocation?) {
        errors.append(ConfigurationError(code, message, at: location))
    }

    /// Records a warning.
    func warning(_ code: ConfigurationError.Code, _ message: String, at location: SourceLocation?) {
        warnings.append(ConfigurationError(code, message, at: location, severity: .warning))
    }

    /// Records an error built elsewhere.
    func record(_ error: ConfigurationError) {
        switch error.severity {
        case .error: errors.append(error)
        case .warning: warnings.append(error)
        }
    }

    /// The number of errors so far, to tell whether a step added any.
    var errorCount: Int { errors.count }
}
