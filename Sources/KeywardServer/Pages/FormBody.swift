import Foundation
import KeywardCore
import NIOCore

/// An `application/x-www-form-urlencoded` body, with the password fields
/// decoded straight into ``GuardedString``s.
///
/// A password field's value is percent-decoded from the body's bytes
/// directly into guarded memory: it never becomes a Swift `String`. The
/// other fields are ordinary strings. The body's buffer is wiped afterwards
/// (as far as NIO lets us: a copy it still shares is not ours to wipe).
struct FormBody {
    /// The ordinary fields, each name with its values in order.
    private(set) var fields: [String: [String]] = [:]
    /// The password fields.
    private(set) var secrets: [String: GuardedString] = [:]

    /// Parses `body`, treating the fields named in `secretFields` as secrets.
    init(_ body: inout ByteBuffer, secretFields: Set<String>) {
        body.withUnsafeMutableReadableBytes { bytes in
            parse(UnsafeRawBufferPointer(bytes), secretFields: secretFields)
            SecureMemory.zero(bytes)
        }
    }

    /// Parses bytes (for tests); the caller wipes them.
    init(bytes: UnsafeRawBufferPointer, secretFields: Set<String>) {
        parse(bytes, secretFields: secretFields)
    }

    /// The first value of `name`, nil when absent.
    subscript(_ name: String) -> String? { fields[name]?.first }

    /// Every value of `name` (a checkbox list).
    func values(_ name: String) -> [String] { fields[name] ?? [] }

    /// The secret `name`; nil when absent.
    func secret(_ name: String) -> GuardedString? { secrets[name] }

    private mutating func parse(_ bytes: UnsafeRawBufferPointer, secretFields: Set<String>) {
        var start = 0
        while start <= bytes.count {
            let end = (start..<bytes.count).first { bytes[$0] == UInt8(ascii: "&") } ?? bytes.count
            let pair = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            start = end + 1
            guard !pair.isEmpty else { continue }
            let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.count
            let name = String(decoding: PercentDecoding.decode(UnsafeRawBufferPointer(rebasing: pair[0..<equals])), as: UTF8.self)
            let value = equals < pair.count ? UnsafeRawBufferPointer(rebasing: pair[(equals + 1)...]) : UnsafeRawBufferPointer(start: nil, count: 0)
            if secretFields.contains(name) {
                // A repeated secret field keeps its first value.
                if secrets[name] == nil { secrets[name] = PercentDecoding.guarded(value) }
            } else {
                fields[name, default: []].append(String(decoding: PercentDecoding.decode(value), as: UTF8.self))
            }
        }
    }
}
