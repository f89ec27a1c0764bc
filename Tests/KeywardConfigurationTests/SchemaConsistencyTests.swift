import Foundation
import KeywardCore
import KeywardTestSupport
import Testing

@testable import KeywardConfiguration

/// The JSON Schemas are written by hand; these tests keep them in step with
/// what the loader accepts, so an editor never suggests a key the loader
/// refuses, or misses one it takes.
@Suite("JSON Schemas agree with the loader", .offThePool)
struct SchemaConsistencyTests {
    static func load(_ name: String) throws -> [String: Any] {
        let url = JSONSchemaTests.root.appendingPathComponent("schema/\(name)")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    static func keys(_ object: Any?) -> [String] {
        ((object as? [String: Any])?["properties"] as? [String: Any])?.keys.sorted() ?? []
    }

    @Test("connector types, top-level keys, attribute keys and schema keys")
    func connectorKeys() throws {
        let schema = try Self.load("connector.schema.json")
        let properties = try #require(schema["properties"] as? [String: Any])
        let types = (properties["type"] as? [String: Any])?["enum"] as? [String]
        #expect(types == ConnectorType.builtIn.map(\.name))
        #expect(Self.keys(schema) == ConnectorDecoder.keys.sorted())
        let definitions = try #require(schema["$defs"] as? [String: Any])
        #expect(Self.keys(definitions["attribute"]) == ConnectorDecoder.attributeKeys.sorted())
        #expect(Self.keys(definitions["schemaEntry"]) == ConnectorDecoder.schemaKeys.sorted())
        let valueTypes = ((definitions["schemaEntry"] as? [String: Any])?["properties"] as? [String: Any])?["type"] as? [String: Any]
        #expect(valueTypes?["enum"] as? [String] == AttributeSchema.ValueType.allCases.map(\.rawValue))
    }

    @Test("each type's connection settings: names, required ones, secrets", arguments: ConnectorType.builtIn.map(\.name))
    func connection(_ type: String) throws {
        let schema = try Self.load("connector.schema.json")
        let conditions = try #require(schema["allOf"] as? [[String: Any]])
        let condition = try #require(
            conditions.first { condition in
                let properties = (condition["if"] as? [String: Any])?["properties"] as? [String: Any]
                return (properties?["type"] as? [String: Any])?["const"] as? String == type
            })
        let connection = try #require(((condition["then"] as? [String: Any])?["properties"] as? [String: Any])?["connection"] as? [String: Any])
        let spec = try #require(ConnectionSpec.forType(type))
        #expect(Self.keys(connection) == spec.fields.map(\.name).sorted())
        #expect((connection["required"] as? [String])?.sorted() == spec.fields.filter(\.required).map(\.name).sorted())
        #expect((connection["additionalProperties"] as? Bool == false) == !spec.isOpen)
        let properties = try #require(connection["properties"] as? [String: [String: Any]])
        for field in spec.fields {
            let isReference = (properties[field.name]?["pattern"] as? String)?.hasPrefix(#"^\$\{(env:"#) == true
            #expect(isReference == (field.kind == .secret), "\(type).\(field.name)")
        }
    }

    @Test("keyward.yaml, policy and limit keys")
    func mainKeys() throws {
        let schema = try Self.load("keyward.schema.json")
        #expect(Self.keys(schema) == SettingsDecoder.keys.sorted())
        let definitions = try #require(schema["$defs"] as? [String: Any])
        #expect(Self.keys(definitions["policy"]) == PolicyDecoder.keys.sorted())
        let properties = try #require(schema["properties"] as? [String: Any])
        #expect(Self.keys(properties["limits"]) == ["instructions", "memoryBytes", "timeLimitMs"])
        #expect((properties["version"] as? [String: Any])?["const"] as? Int == KeywardConfiguration.currentVersion)
    }
}
