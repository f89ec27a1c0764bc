import CLDAP
import KeywardCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The C memory one libldap request reads: strings, bervals, `LDAPMod`s and
/// the NULL-terminated arrays that hold them.
///
/// Secret values are copied from their `GuardedString` into buffers this
/// type allocates, and those buffers are wiped before they are freed, when
/// the request's memory is released. No password ever becomes a Swift
/// `String` on the way. (libldap encodes the request into a BER buffer of its
/// own, which it frees without wiping: that copy is outside Keyward's reach.)
final class LDAPRequestMemory {
    private var allocations: [UnsafeMutableRawPointer] = []
    private var secrets: [UnsafeMutableRawBufferPointer] = []

    private init() {}

    /// Runs `body` with fresh request memory, wiped and freed when it returns
    /// (libldap has encoded the request by then).
    static func with<Value, Failure: Error>(_ body: (LDAPRequestMemory) throws(Failure) -> Value) throws(Failure)
        -> Value
    {
        let memory = LDAPRequestMemory()
        defer { memory.release() }
        return try body(memory)
    }

    /// Wipes the secret buffers and frees everything.
    private func release() {
        for secret in secrets { SecureMemory.zero(secret) }
        for allocation in allocations { free(allocation) }
        secrets = []
        allocations = []
    }

    /// A NUL-terminated copy of `text`.
    func cString(_ text: String) -> UnsafeMutablePointer<CChar> {
        let utf8 = Array(text.utf8)
        let pointer = allocate(CChar.self, count: utf8.count + 1)
        utf8.withUnsafeBytes { bytes in
            if let source = bytes.baseAddress {
                UnsafeMutableRawPointer(pointer).copyMemory(from: source, byteCount: bytes.count)
            }
        }
        pointer[utf8.count] = 0
        return pointer
    }

    /// A berval holding the value's bytes; a secret's bytes are wiped on release.
    func berval(_ value: LDAPValue) -> UnsafeMutablePointer<CLDAP.berval> {
        let buffer: UnsafeMutableRawBufferPointer
        switch value {
        case .text(let text):
            buffer = bytes(Array(text.utf8))
        case .bytes(let bytes):
            buffer = self.bytes(bytes)
        case .secret(let secret):
            buffer = UnsafeMutableRawBufferPointer(
                start: allocate(UInt8.self, count: secret.count), count: secret.count)
            secrets.append(buffer)
            secret.withUnsafeBytes { plaintext in
                if let source = plaintext.baseAddress, let target = buffer.baseAddress {
                    target.copyMemory(from: source, byteCount: plaintext.count)
                }
            }
        }
        let value = allocate(CLDAP.berval.self, count: 1)
        value.initialize(
            to: CLDAP.berval(
                bv_len: ber_len_t(buffer.count),
                bv_val: buffer.baseAddress?.assumingMemoryBound(to: CChar.self)))
        return value
    }

    /// A NULL-terminated array of bervals; nil for no values (a replace or
    /// delete of every value).
    func bervals(_ values: [LDAPValue]) -> UnsafeMutablePointer<UnsafeMutablePointer<CLDAP.berval>?>? {
        guard !values.isEmpty else { return nil }
        let array = allocate(UnsafeMutablePointer<CLDAP.berval>?.self, count: values.count + 1)
        for (index, value) in values.enumerated() { array[index] = berval(value) }
        array[values.count] = nil
        return array
    }

    /// A NULL-terminated array of C strings.
    func cStrings(_ texts: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let array = allocate(UnsafeMutablePointer<CChar>?.self, count: texts.count + 1)
        for (index, text) in texts.enumerated() { array[index] = cString(text) }
        array[texts.count] = nil
        return array
    }

    /// A NULL-terminated array of `LDAPMod`s with berval values.
    func modifications(_ changes: [(operation: Int32, attribute: String, values: [LDAPValue])])
        -> UnsafeMutablePointer<UnsafeMutablePointer<LDAPMod>?>
    {
        let array = allocate(UnsafeMutablePointer<LDAPMod>?.self, count: changes.count + 1)
        for (index, change) in changes.enumerated() {
            let modification = allocate(LDAPMod.self, count: 1)
            modification.initialize(
                to: LDAPMod(
                    mod_op: change.operation | LDAP_MOD_BVALUES,
                    mod_type: cString(change.attribute),
                    mod_vals: mod_vals_u(modv_bvals: bervals(change.values))))
            array[index] = modification
        }
        array[changes.count] = nil
        return array
    }

    private func bytes(_ bytes: [UInt8]) -> UnsafeMutableRawBufferPointer {
        let pointer = allocate(UInt8.self, count: bytes.count)
        let buffer = UnsafeMutableRawBufferPointer(start: pointer, count: bytes.count)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { buffer.baseAddress?.copyMemory(from: base, byteCount: source.count) }
        }
        return buffer
    }

    private func allocate<Element>(_: Element.Type, count: Int) -> UnsafeMutablePointer<Element> {
        let size = max(MemoryLayout<Element>.stride * count, 1)
        guard let raw = calloc(1, size) else { fatalError("out of memory allocating an LDAP request") }
        allocations.append(raw)
        return raw.bindMemory(to: Element.self, capacity: max(count, 1))
    }
}
