import KeywardCore

/// A growable byte buffer for message bytes that may hold a secret.
///
/// Its memory is wiped (`explicit_bzero`) whenever it is given back: when
/// the buffer grows (the old block) and when the buffer is released. It is
/// never shared between tasks: build a message in one, then hand the bytes
/// on as a `GuardedString` with ``makeGuardedString()``.
final class SecureByteBuffer {
    private var storage: UnsafeMutableRawBufferPointer
    /// The number of bytes written.
    private(set) var count = 0

    /// An empty buffer with room for `capacity` bytes.
    init(capacity: Int = 4096) {
        storage = .allocate(byteCount: max(capacity, 16), alignment: 16)
    }

    deinit {
        SecureMemory.zero(storage)
        storage.deallocate()
    }

    /// Appends one byte.
    func append(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    /// Appends bytes.
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (storage.baseAddress! + count).copyMemory(from: base, byteCount: bytes.count)
        count += bytes.count
    }

    /// Appends the UTF-8 of `text` (text that holds no secret).
    func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// The bytes written so far, for `body`; do not let the pointer escape.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// A copy of the bytes in guarded memory (this buffer is wiped when released).
    func makeGuardedString() -> GuardedString {
        withUnsafeBytes { GuardedString(bytes: $0) }
    }

    private func reserve(_ extra: Int) {
        guard count + extra > storage.count else { return }
        var capacity = storage.count
        while capacity < count + extra { capacity *= 2 }
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        larger.baseAddress!.copyMemory(from: storage.baseAddress!, byteCount: count)
        SecureMemory.zero(storage)
        storage.deallocate()
        storage = larger
    }
}
