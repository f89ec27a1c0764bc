internal import CLuaSandbox

/// A context's entries in one byte buffer, handed to C as key/value pointers
/// that live for one closure. Immutable, so one encoding serves every call.
final class EncodedContext: Sendable {
    private let blob: ContiguousArray<UInt8>
    private let offsets: [Entry]

    private struct Entry: Sendable {
        let key: Int
        let keyLength: Int
        let value: Int
        let valueLength: Int
    }

    init(_ entries: [(key: String, value: String)]) {
        var blob = ContiguousArray<UInt8>()
        var offsets: [Entry] = []
        for (key, value) in entries {
            let keyStart = blob.count
            blob.append(contentsOf: key.utf8)
            let valueStart = blob.count
            blob.append(contentsOf: value.utf8)
            offsets.append(Entry(key: keyStart, keyLength: valueStart - keyStart,
                                 value: valueStart, valueLength: blob.count - valueStart))
        }
        blob.append(0)
        self.blob = blob
        self.offsets = offsets
    }

    func withEntries<R>(_ body: (UnsafePointer<CLuaSandbox_ContextEntry>?, Int) -> R) -> R {
        blob.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            return withUnsafeTemporaryAllocation(of: CLuaSandbox_ContextEntry.self, capacity: max(offsets.count, 1)) { entries in
                for (index, entry) in offsets.enumerated() {
                    entries[index] = CLuaSandbox_ContextEntry(
                        key: base + entry.key, key_len: entry.keyLength,
                        value: base + entry.value, value_len: entry.valueLength)
                }
                return body(UnsafePointer(entries.baseAddress), offsets.count)
            }
        }
    }
}
