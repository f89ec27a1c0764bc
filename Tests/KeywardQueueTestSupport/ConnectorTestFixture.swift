import Foundation
public import KeywardConnectors
import KeywardCore
public import Testing

/// What the connector suites' fixtures share: a password attribute, names
/// no other test uses, and the expectation of a structured error.
public protocol ConnectorTestFixture {}

extension ConnectorTestFixture {
    /// `__PASSWORD__` with `password` as a secret.
    public static func password(_ password: String) -> ConnectorAttribute {
        ConnectorAttribute(name: AttributeSchema.passwordName, value: .secret(GuardedString(password)))
    }

    /// A name no other test uses.
    public static func unique(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(6).lowercased())"
    }

    /// The connector error `body` throws, recording an issue when it throws none or another kind.
    @discardableResult
    public static func expectError(
        _ kind: ConnectorError.Kind, sourceLocation: Testing.SourceLocation = #_sourceLocation,
        _ body: () async throws -> Void
    ) async -> ConnectorError? {
        do {
            try await body()
            Issue.record("expected a \(kind) error, got success", sourceLocation: sourceLocation)
        } catch let error as ConnectorError {
            #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("expected a ConnectorError, got \(error)", sourceLocation: sourceLocation)
        }
        return nil
    }
}
