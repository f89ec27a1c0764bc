public import KeywardConnectors
public import KeywardCore

/// A configured target system the engine can reach: its definition and its
/// connector.
public struct TargetSystem: Sendable {
    /// The system as configured.
    public var definition: ConnectorDefinition
    /// Its connector.
    public var connector: any Connector

    /// Creates a system.
    public init(definition: ConnectorDefinition, connector: any Connector) {
        self.definition = definition
        self.connector = connector
    }

    /// The system's name.
    public var name: String { definition.name }

    /// The operations the system supports: the type's row of the fixed
    /// matrix, narrowed by what the connector itself declares (`sql`, `external`).
    public var operations: Set<PasswordOperation> {
        let matrix = ConnectorType.builtIn.first { $0.name == definition.type }?.operations ?? []
        return matrix.intersection(connector.capabilities)
    }

    /// The operations in the seeds' order, for messages.
    public var operationList: String {
        let names = PasswordOperation.allCases.filter(operations.contains).map(\.rawValue)
        return names.isEmpty ? "none" : names.joined(separator: ", ")
    }
}
