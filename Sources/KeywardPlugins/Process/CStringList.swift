#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import KeywardCore

/// A NULL-terminated array of C strings that this type allocated, for
/// `argv` and `envp`; ``wipe()`` zeroes them (secret values among them).
final class CStringList {
    private(set) var pointers: [UnsafeMutablePointer<CChar>?] = [nil]
    private var buffers: [UnsafeMutableRawBufferPointer] = []

    /// `strings` as C strings.
    init(strings: [String]) {
        pointers = strings.map(add) + [nil]
    }

    /// `NAME=value` entries; secrets are read now and copied byte by byte.
    init(environment: [(name: String, value: PluginLaunch.Value)]) throws(PluginFailure) {
        var entries: [UnsafeMutablePointer<CChar>?] = []
        for (name, value) in environment {
            switch value {
            case .plain(let text):
                entries.append(add(name + "=" + text))
            case .secret(let read):
                let secret: GuardedString?
                do {
                    secret = try read()
                } catch {
                    wipe()
                    throw PluginFailure(reason: .cannotStart("the value of env.\(name) could not be read: \(error)"))
                }
                guard let secret else { continue }
                if secret.withUnsafeBytes({ $0.contains(0) }) {
                    wipe()
                    throw PluginFailure(reason: .cannotStart("the value of env.\(name) holds a NUL byte, which an environment cannot"))
                }
                entries.append(add(name: name, secret: secret))
            }
        }
        pointers = entries + [nil]
    }

    deinit {
        wipe()
        for buffer in buffers { buffer.deallocate() }
    }

    /// Zeroes every string (they stay allocated until release).
    func wipe() {
        for buffer in buffers { SecureMemory.zero(buffer) }
    }

    private func add(_ text: String) -> UnsafeMutablePointer<CChar> {
        let utf8 = Array(text.utf8)
        let buffer = allocate(utf8.count)
        utf8.withUnsafeBytes { buffer.copyMemory(from: $0) }
        return buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
    }

    private func add(name: String, secret: GuardedString) -> UnsafeMutablePointer<CChar> {
        let prefix = Array((name + "=").utf8)
        let buffer = allocate(prefix.count + secret.count)
        prefix.withUnsafeBytes { buffer.copyMemory(from: $0) }
        secret.withUnsafeBytes { bytes in
            UnsafeMutableRawBufferPointer(rebasing: buffer[prefix.count...]).copyMemory(from: bytes)
        }
        return buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
    }

    /// `count` bytes plus the terminating NUL, zeroed.
    private func allocate(_ count: Int) -> UnsafeMutableRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count + 1, alignment: 1)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        buffers.append(buffer)
        return buffer
    }
}
