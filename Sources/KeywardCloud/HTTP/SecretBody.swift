import KeywardCore
import NIOCore

/// A request body that may carry a secret (a password, a client secret),
/// built in one buffer of exactly its size and wiped by ``wipe()`` once the
/// exchange is over.
///
/// ``wipe()`` zeroes the buffer's storage itself, not a copy: the HTTP
/// client's references to the same storage see zeroes too. Copies made
/// further down (TLS records, kernel socket buffers) are out of Keyward's
/// reach.
struct SecretBody: Sendable {
    /// The bytes to send.
    let buffer: ByteBuffer
    /// The `Content-Type` of the bytes.
    let contentType: String

    /// Writes a body of `count` bytes with `write`, which must write exactly
    /// that many (a writer measured them with a ``CountingSink`` first).
    init(count: Int, contentType: String, _ write: (inout BufferSink) -> Void) {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { memory in
            var sink = BufferSink(UnsafeMutableRawBufferPointer(rebasing: memory[0..<count]))
            write(&sink)
            precondition(sink.count == count, "a body writer wrote \(sink.count) bytes, not the \(count) it measured")
            return count
        }
        self.buffer = buffer
        self.contentType = contentType
    }

    /// Overwrites the bytes with zeroes, in the storage every copy of the
    /// buffer shares.
    func wipe() {
        buffer.withUnsafeReadableBytes { bytes in
            SecureMemory.zero(UnsafeMutableRawBufferPointer(mutating: bytes))
        }
    }
}
