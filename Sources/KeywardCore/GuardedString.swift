#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A secret (a password) held in memory that Keyward allocated itself.
///
/// The bytes are wiped the moment the last reference goes away, and they leave
/// the value only inside a closure: ``withPlaintext(_:)`` or
/// ``withUnsafeBytes(_:)``, as ConnId's `GuardedString.access` does.
/// Every way Swift has of turning a value into text — `print`, interpolation,
/// `dump`, `Mirror`, `String(describing:)`, `String(reflecting:)` — shows
/// `<redacted>`. The type is neither `Encodable` nor `Hashable`, so it cannot
/// be serialised or used as a dictionary key by accident; `==` compares in
/// constant time.
public final class GuardedString: @unchecked Sendable {
    // Immutable after init; wiped only in deinit, when nobody else can read it.
    private let storage: UnsafeMutableRawBufferPointer
    private let release: @Sendable (UnsafeMutableRawBufferPointer) -> Void

    /// The number of bytes of the secret (UTF-8 code units for text).
    public var count: Int { storage.count }

    /// Whether the secret is the empty string.
    public var isEmpty: Bool { storage.isEmpty }

    /// Copies `bytes` into guarded memory. Wipe your own copy afterwards.
    public convenience init(bytes: some Collection<UInt8>) {
        self.init(count: bytes.count) { buffer in
            _ = buffer.initializeMemory(as: UInt8.self, from: bytes)
        }
    }

    /// Copies the UTF-8 of `plaintext` into guarded memory.
    ///
    /// A Swift `String` cannot be wiped; prefer building secrets from byte
    /// buffers you wipe yourself. This initialiser is for values that already
    /// exist as strings (a typed test value, a decoded form field).
    public convenience init(_ plaintext: String) {
        var copy = plaintext
        self.init(count: copy.utf8.count) { buffer in
            copy.withUTF8 { utf8 in
                if let base = utf8.baseAddress, let target = buffer.baseAddress {
                    target.copyMemory(from: base, byteCount: utf8.count)
                }
            }
        }
    }

    /// Allocates `count` bytes and lets `initialize` fill them in place, so the
    /// secret never exists anywhere else.
    public convenience init(
        count: Int,
        initializingWith initialize: (UnsafeMutableRawBufferPointer) throws -> Void
    ) rethrows {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
        let buffer = UnsafeMutableRawBufferPointer(rebasing: storage[0..<count])
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        do {
            try initialize(buffer)
        } catch {
            SecureMemory.zero(storage)
            storage.deallocate()
            throw error
        }
        self.init(adopting: storage, count: count) { $0.deallocate() }
    }

    /// Takes ownership of `storage` (its first `count` bytes are the secret).
    /// On release the bytes are wiped, then `release` is called with the whole
    /// buffer. Tests use `release` to see that the wipe happened.
    package init(
        adopting storage: UnsafeMutableRawBufferPointer,
        count: Int,
        release: @escaping @Sendable (UnsafeMutableRawBufferPointer) -> Void
    ) {
        precondition(count <= storage.count, "count exceeds the storage")
        self.storage = UnsafeMutableRawBufferPointer(rebasing: storage[0..<count])
        self.fullStorage = storage
        self.release = release
    }

    private let fullStorage: UnsafeMutableRawBufferPointer

    deinit {
        SecureMemory.zero(fullStorage)
        release(fullStorage)
    }

    /// Gives the secret's bytes to `body`. Do not let the pointer escape.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(storage))
    }

    /// Gives the secret to `body` as a `String` (invalid UTF-8 is repaired).
    ///
    /// Swift strings cannot be wiped: use this only at the edge where an API
    /// demands a `String`, and keep the string inside the closure.
    public func withPlaintext<Result, Failure: Error>(
        _ body: (String) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(String(decoding: UnsafeRawBufferPointer(storage), as: UTF8.self))
    }
}

extension GuardedString: Equatable {
    /// Compares two secrets in time that depends only on their lengths.
    public static func == (lhs: GuardedString, rhs: GuardedString) -> Bool {
        lhs.withUnsafeBytes { a in
            rhs.withUnsafeBytes { b in
                SecureMemory.constantTimeEquals(a, b)
            }
        }
    }
}

extension GuardedString: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Always `<redacted>`.
    public var description: String { GuardedString.redacted }
    /// Always `<redacted>`.
    public var debugDescription: String { GuardedString.redacted }
    /// A mirror with no children, so `dump` and reflection see nothing.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .class) }

    /// The text every rendering of a secret shows.
    public static let redacted = "<redacted>"
}
