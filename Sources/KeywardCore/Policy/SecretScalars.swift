/// The Unicode scalars of a secret, in memory this value wipes when it ends.
///
/// Policies look at a password scalar by scalar. A Swift `String` cannot be
/// wiped, so the validator and generator never make one: they decode the
/// guarded bytes into this buffer, work on it, and let it wipe itself. The
/// buffer grows by copying into a larger one and wiping the old, never by
/// letting the array reallocate behind our back.
struct SecretScalars: ~Copyable {
    private(set) var scalars: [Unicode.Scalar]

    /// An empty buffer with room for `capacity` scalars.
    init(capacity: Int) {
        scalars = []
        scalars.reserveCapacity(max(capacity, 1))
    }

    /// Decodes a secret's UTF-8 (invalid sequences become U+FFFD, as in
    /// ``GuardedString/withPlaintext(_:)``).
    init(decoding secret: GuardedString) {
        self.init(capacity: secret.count)
        secret.withUnsafeBytes { bytes in
            var iterator = bytes.makeIterator()
            var decoder = UTF8()
            while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar): scalars.append(scalar)
                case .error: scalars.append("\u{FFFD}")
                case .emptyInput: return
                }
            }
        }
    }

    deinit {
        Self.wipe(scalars)
    }

    var count: Int { scalars.count }
    var isEmpty: Bool { scalars.isEmpty }
    subscript(index: Int) -> Unicode.Scalar { scalars[index] }
    var first: Unicode.Scalar? { scalars.first }
    var last: Unicode.Scalar? { scalars.last }

    mutating func append(_ scalar: Unicode.Scalar) {
        reserve(count + 1)
        scalars.append(scalar)
    }

    mutating func append(contentsOf more: [Unicode.Scalar]) {
        reserve(count + more.count)
        scalars.append(contentsOf: more)
    }

    mutating func insert(_ scalar: Unicode.Scalar, at index: Int) {
        reserve(count + 1)
        scalars.insert(scalar, at: index)
    }

    mutating func replace(at index: Int, with scalar: Unicode.Scalar) {
        scalars[index] = scalar
    }

    /// Shuffles the scalars in `range` in place (Fisher–Yates).
    mutating func shuffle(range: Range<Int>, using random: inout SystemRandomNumberGenerator) {
        guard range.count > 1 else { return }
        for index in stride(from: range.upperBound - 1, to: range.lowerBound, by: -1) {
            let other = Int.random(in: range.lowerBound...index, using: &random)
            if other != index { scalars.swapAt(index, other) }
        }
    }

    /// The password lowercased scalar by scalar (simple case mapping).
    func lowercased() -> SecretScalars {
        var result = SecretScalars(capacity: count)
        for scalar in scalars {
            if scalar.isASCII {
                result.append(("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar)
            } else {
                let mapping = scalar.properties.lowercaseMapping.unicodeScalars
                if mapping.count == 1, let lower = mapping.first {
                    result.append(lower)
                } else {
                    result.append(scalar)
                }
            }
        }
        return result
    }

    /// Whether `needle` occurs as a contiguous run.
    func contains(run needle: ArraySlice<Unicode.Scalar>) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        let first = needle[needle.startIndex]
        for start in 0...(count - needle.count) where scalars[start] == first {
            if scalars[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }

    /// Gives `body` the UTF-8 of `range` in a temporary buffer that is wiped
    /// afterwards.
    func withUTF8<Result>(of range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let slice = scalars[range]
        let byteCount = slice.reduce(0) { $0 + UTF8.width($1) }
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(byteCount, 1))
        defer {
            SecureMemory.zero(UnsafeMutableRawBufferPointer(buffer))
            buffer.deallocate()
        }
        var index = 0
        for scalar in slice {
            UTF8.encode(scalar) { byte in
                buffer[index] = byte
                index += 1
            }
        }
        return body(UnsafeBufferPointer(rebasing: buffer[0..<byteCount]))
    }

    /// A guarded copy of the scalars as UTF-8.
    func guarded() -> GuardedString {
        let byteCount = scalars.reduce(0) { $0 + UTF8.width($1) }
        return GuardedString(count: byteCount) { buffer in
            var index = 0
            for scalar in scalars {
                UTF8.encode(scalar) { byte in
                    buffer[index] = byte
                    index += 1
                }
            }
        }
    }

    private mutating func reserve(_ needed: Int) {
        guard needed > scalars.capacity else { return }
        var larger: [Unicode.Scalar] = []
        larger.reserveCapacity(max(needed, scalars.capacity * 2))
        larger.append(contentsOf: scalars)
        Self.wipe(scalars)
        scalars = larger
    }

    /// Zeroes the array's storage in place, shared or not: a copy-on-write
    /// mutation would wipe a fresh copy and leave the original.
    private static func wipe(_ array: [Unicode.Scalar]) {
        array.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
            SecureMemory.zero(
                UnsafeMutableRawBufferPointer(
                    start: UnsafeMutableRawPointer(mutating: base),
                    count: buffer.count * MemoryLayout<Unicode.Scalar>.stride))
        }
    }
}
