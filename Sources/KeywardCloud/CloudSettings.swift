import KeywardConnectors
import KeywardCore

/// What the cloud connectors' settings share: reading a secret setting,
/// and the rule about password attributes.
enum CloudSettings {
    /// The secret setting `key`, read now through `environment`.
    /// - Throws: ``ConnectorError/Kind/configuration`` when it is absent or
    ///   cannot be read (the message never holds the secret).
    static func required(
        _ key: String, reader: ConnectionReader, environment: ConnectorEnvironment
    ) throws(ConnectorError) -> GuardedString {
        guard let secret = try optional(key, reader: reader, environment: environment) else {
            throw reader.error(key, "is required: ${env:NAME} or ${file:PATH}")
        }
        return secret
    }

    /// The secret setting `key`, nil when absent.
    static func optional(
        _ key: String, reader: ConnectionReader, environment: ConnectorEnvironment
    ) throws(ConnectorError) -> GuardedString? {
        do {
            return try environment.secret(key)
        } catch {
            let reason = (error as? ConnectorError)?.message ?? String(describing: type(of: error))
            throw reader.error(key, "cannot be read: \(reason)")
        }
    }

    /// Refuses a mapping with a password attribute other than
    /// `__PASSWORD__`: these systems keep one password, sent as `field`.
    static func requireOnlyMainPassword(
        _ definition: ConnectorDefinition, reader: ConnectionReader, field: String
    ) throws(ConnectorError) {
        if let other = definition.passwordAttributes.first(where: { $0.name != AttributeSchema.passwordName }) {
            throw ConnectorError(
                .configuration,
                "system '\(definition.name)' (\(other.location)): type \(definition.type) keeps one password, "
                    + "sent as \(field) from __PASSWORD__; remove the password attribute '\(other.name)'")
        }
    }
}
