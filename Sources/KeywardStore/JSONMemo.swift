import Foundation
import Synchronization

/// JSON text and the values it encodes, remembered both ways.
///
/// A store's rows repeat a few shapes: an operation's attribute list (a
/// reset's is the same every time), an identity's attributes. Foundation's
/// coders cost more than the rest of writing or reading such a row, so each
/// text is decoded once and each value encoded once. At most `capacity`
/// entries are kept each way; when full, the memo starts again empty. What
/// it holds is never a secret: secrets are stored only sealed, never in JSON.
final class JSONMemo<Value: Codable & Hashable & Sendable>: Sendable {
    private struct Entries {
        var values: [String: Value] = [:]
        var texts: [Value: String] = [:]
    }

    private let entries = Mutex(Entries())
    private let capacity: Int

    init(capacity: Int = 512) {
        self.capacity = capacity
    }

    /// The value `text` encodes.
    func decode(_ text: String) throws -> Value {
        if let value = entries.withLock({ $0.values[text] }) { return value }
        let value = try JSONDecoder().decode(Value.self, from: Data(text.utf8))
        entries.withLock { entries in
            if entries.values.count >= capacity { entries.values.removeAll(keepingCapacity: true) }
            entries.values[text] = value
        }
        return value
    }

    /// `value` as JSON text, with sorted keys.
    func encode(_ value: Value) throws -> String {
        if let text = entries.withLock({ $0.texts[value] }) { return text }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        entries.withLock { entries in
            if entries.texts.count >= capacity { entries.texts.removeAll(keepingCapacity: true) }
            entries.texts[value] = text
        }
        return text
    }
}
