import Foundation
import KeywardConnectors
import KeywardCore
import KeywardStore
import Testing

extension Array {
    /// `transform` on each element, in order.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

/// Whether two times are the same to the millisecond (the store keeps seconds as REAL).
func sameTime(_ a: Date, _ b: Date) -> Bool {
    abs(a.timeIntervalSince1970 - b.timeIntervalSince1970) < 0.001
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs in these bytes.
    func contains(bytes needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        let first = needle[0]
        var start = 0
        while let found = self[start...].firstIndex(of: first), found + needle.count <= count {
            if self[found..<(found + needle.count)].elementsEqual(needle) { return true }
            start = found + 1
        }
        return false
    }
}

extension ClaimedOperation {
    /// The attributes as the executor hands them to the connector.
    func connectorAttributes() throws -> [ConnectorAttribute] {
        try operation.attributes.map { attribute in
            guard attribute.isSecret else {
                return ConnectorAttribute(name: attribute.name, value: attribute.value.map { .plain($0) })
            }
            return ConnectorAttribute(name: attribute.name, value: .secret(try #require(secrets[attribute.name])))
        }
    }
}
