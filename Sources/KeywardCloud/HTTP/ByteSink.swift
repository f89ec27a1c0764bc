/// Where a body writer puts its bytes. Bodies are written twice through the
/// same code: once into a ``CountingSink`` to learn their exact size, then
/// into a ``BufferSink`` of exactly that size, so no buffer ever grows and
/// leaves a copy of a secret behind.
protocol ByteSink {
    /// Appends one byte.
    mutating func append(_ byte: UInt8)
}

extension ByteSink {
    /// Appends the UTF-8 of `text`, as it is.
    mutating func append(ascii text: StaticString) {
        text.withUTF8Buffer { for byte in $0 { append(byte) } }
    }
}

/// Counts the bytes it is given.
struct CountingSink: ByteSink {
    private(set) var count = 0

    mutating func append(_ byte: UInt8) { count += 1 }
}

/// Writes bytes into memory it does not own, from the start.
struct BufferSink: ByteSink {
    let buffer: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    mutating func append(_ byte: UInt8) {
        buffer[count] = byte
        count += 1
    }
}
