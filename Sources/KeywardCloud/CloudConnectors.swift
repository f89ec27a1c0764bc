public import KeywardConnectors
public import Logging

/// The cloud connector types of this module.
public enum CloudConnectors {
    /// Registers `entra` and `servicenow` in `registry`; their request lines
    /// (method, path, status, time, request ids; never a body) go to `logger`.
    public static func register(in registry: inout ConnectorRegistry, logger: Logger? = nil) {
        EntraConnector.register(in: &registry, logger: logger)
        ServiceNowConnector.register(in: &registry, logger: logger)
    }
}
