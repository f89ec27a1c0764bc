import KeywardCore

/// Percent-decoding of form values (`+` is a space, `%XX` a byte; a `%` not
/// followed by two hex digits stays as it is).
enum PercentDecoding {
    /// The decoded bytes of an ordinary value.
    static func decode(_ encoded: UnsafeRawBufferPointer) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(encoded.count)
        walk(encoded) { output.append($0) }
        return output
    }

    /// The decoded bytes of a secret, written straight into guarded memory.
    static func guarded(_ encoded: UnsafeRawBufferPointer) -> GuardedString {
        var count = 0
        walk(encoded) { _ in count += 1 }
        return GuardedString(count: count) { buffer in
            var index = 0
            walk(encoded) { byte in
                buffer[index] = byte
                index += 1
            }
        }
    }

    /// Calls `emit` with each decoded byte.
    private static func walk(_ encoded: UnsafeRawBufferPointer, _ emit: (UInt8) -> Void) {
        var index = 0
        while index < encoded.count {
            let byte = encoded[index]
            if byte == UInt8(ascii: "+") {
                emit(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "%"), index + 2 < encoded.count,
                let high = hexValue(encoded[index + 1]), let low = hexValue(encoded[index + 2])
            {
                emit(high << 4 | low)
                index += 3
            } else {
                emit(byte)
                index += 1
            }
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
