import KeywardCore

/// A growable byte buffer for lines that may hold a secret: every byte it
/// ever held is overwritten with zeroes when it grows, when it is cleared
/// and when it is released, so a request line never lingers in memory.
///
/// Not thread-safe: one owner at a time.
final class WipedBuffer {
    private var storage: UnsafeMutableRawBufferPointer
    /// The number of bytes written.
    private(set) var count = 0

    /// An empty buffer with room for `capacity` bytes.
    init(capacity: Int = 1024) {
        storage = .allocate(byteCount: max(capacity, 16), alignment: 1)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        SecureMemory.zero(storage)
        storage.deallocate()
    }

    /// The bytes written so far. Do not let the pointer escape.
    func withBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// Appends one byte.
    func append(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    /// Appends `bytes`.
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (storage.baseAddress! + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// Appends the UTF-8 of text that is not secret, as it is (no escaping).
    func append(raw text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Whether the bytes written contain `needle` (an empty needle never matches).
    func contains(_ needle: UnsafeRawBufferPointer) -> Bool {
        withBytes { ByteSearch.contains(needle, in: $0) }
    }

    /// Lets `read` fill up to `limit` more bytes in place (a `read(2)`
    /// call) and keeps as many as it returns; returns its result.
    func appendReading(upTo limit: Int, _ read: (UnsafeMutableRawBufferPointer) -> Int) -> Int {
        reserve(limit)
        let count = read(UnsafeMutableRawBufferPointer(rebasing: storage[self.count..<self.count + limit]))
        if count > 0 { self.count += count }
        return count
    }

    /// Drops the first `length` bytes; the bytes after them move to the
    /// front, and the memory they leave is wiped.
    func removeFirst(_ length: Int) {
        let length = min(length, count)
        let rest = count - length
        if rest > 0 {
            storage.baseAddress!.copyMemory(from: storage.baseAddress! + length, byteCount: rest)
        }
        SecureMemory.zero(UnsafeMutableRawBufferPointer(rebasing: storage[rest..<count]))
        count = rest
    }

    /// Wipes the bytes and empties the buffer, keeping its memory.
    func removeAll() {
        truncate(to: 0)
    }

    /// Wipes every byte after the first `length` and drops them.
    func truncate(to length: Int) {
        guard length < count else { return }
        SecureMemory.zero(UnsafeMutableRawBufferPointer(rebasing: storage[length..<count]))
        count = length
    }

    /// Makes room for `extra` more bytes; the old memory is wiped before it is freed.
    private func reserve(_ extra: Int) {
        guard count + extra > storage.count else { return }
        var capacity = storage.count * 2
        while capacity < count + extra { capacity *= 2 }
        let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 1)
        grown.initializeMemory(as: UInt8.self, repeating: 0)
        grown.baseAddress!.copyMemory(from: storage.baseAddress!, byteCount: count)
        SecureMemory.zero(storage)
        storage.deallocate()
        storage = grown
    }
}

/// Substring search on bytes.
enum ByteSearch {
    /// Whether `haystack` contains `needle` (an empty needle never matches).
    static func contains(_ needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer) -> Bool {
        guard !needle.isEmpty, needle.count <= haystack.count, let first = needle.first else { return false }
        var start = 0
        let last = haystack.count - needle.count
        while start <= last {
            if haystack[start] == first {
                var offset = 1
                while offset < needle.count && haystack[start + offset] == needle[offset] { offset += 1 }
                if offset == needle.count { return true }
            }
            start += 1
        }
        return false
    }
}
