#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import KeywardCore

extension MasterKey {
    /// The environment variable that holds the key's base64; it wins over the key file.
    public static let environmentVariable = "KEYWARD_MASTER_KEY"

    /// A key file larger than this is not a key (base64 of 32 bytes is 44).
    static let maximumFileSize = 4096

    /// Finds the master key: `KEYWARD_MASTER_KEY` (base64) if set, else the
    /// key file, which must be readable by its owner only.
    public static func load(environment: [String: String], keyFile: String) throws(StoreError) -> MasterKey {
        if let text = environment[environmentVariable] {
            do {
                return try MasterKey(encoded: GuardedString(text))
            } catch {
                throw StoreError(
                    .missingKey,
                    "\(environmentVariable) is not 32 bytes of base64 (make a key with `keyward keygen`)")
            }
        }
        return try read(keyFile: keyFile)
    }

    /// Writes the key's base64 and a newline to `path`, a file created with
    /// mode 0600 (never wider, not even for a moment).
    ///
    /// Refuses to replace an existing file unless `overwrite`; then the key
    /// goes to a new 0600 file in the same folder, renamed over the old one.
    public static func write(_ key: MasterKey, to path: String, overwrite: Bool = false) throws(StoreError) {
        guard overwrite else {
            try writeNewFile(key, at: path, named: path)
            return
        }
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try writeNewFile(key, at: temporary, named: path)
        guard rename(temporary, path) == 0 else {
            let reason = errorText(errno)
            unlink(temporary)
            throw StoreError(.missingKey, "could not replace the master key file \(path): \(reason)")
        }
    }

    /// Creates `path` (0600, failing if it exists) and writes the key line;
    /// messages name `name`, the key file the person asked for.
    private static func writeNewFile(_ key: MasterKey, at path: String, named name: String) throws(StoreError) {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST {
                throw StoreError(
                    .invalidState,
                    "\(name) already exists; Keyward will not replace a master key (the secrets it encrypted would be lost). Move it away first, or overwrite it on purpose"
                )
            }
            throw StoreError(.missingKey, "could not create the master key file \(name): \(errorText(code))")
        }
        let encoded = key.encoded()
        var failure: Int32 = 0
        let line = GuardedString(count: encoded.count + 1) { buffer in
            encoded.withUnsafeBytes { text in buffer.copyMemory(from: text) }
            buffer[encoded.count] = 0x0A
        }
        line.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0, failure == 0 { failure = errno }
        if failure != 0 {
            unlink(path)
            throw StoreError(.missingKey, "could not write the master key file \(name): \(errorText(failure))")
        }
    }

    private static func read(keyFile: String) throws(StoreError) -> MasterKey {
        let descriptor = open(keyFile, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT {
                throw StoreError(
                    .missingKey,
                    "no master key: Keyward keeps queued passwords encrypted and will not start without one. Create one with `keyward keygen` (writes \(keyFile) with mode 0600), or set \(environmentVariable)"
                )
            }
            throw StoreError(.missingKey, "cannot read the master key file \(keyFile): \(errorText(code))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw StoreError(.missingKey, "cannot read the master key file \(keyFile): \(errorText(errno))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw StoreError(.missingKey, "the master key file \(keyFile) is not a regular file")
        }
        let permissions = status.st_mode & 0o777
        if permissions & 0o077 != 0 {
            throw StoreError(
                .missingKey,
                "the master key file \(keyFile) is readable by other users (mode \(octal(permissions))); run chmod 600 \(keyFile)"
            )
        }
        let invalid = StoreError(
            .missingKey,
            "the master key in \(keyFile) is not 32 bytes of base64 (make one with `keyward keygen`)")
        guard Int(status.st_size) <= maximumFileSize else { throw invalid }
        var failure: Int32 = 0
        var length = 0
        let buffer = GuardedString(count: maximumFileSize) { buffer in
            while length < buffer.count {
                let count = systemRead(descriptor, buffer.baseAddress! + length, buffer.count - length)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if count == 0 { return }
                length += count
            }
        }
        if failure != 0 {
            throw StoreError(.missingKey, "cannot read the master key file \(keyFile): \(errorText(failure))")
        }
        let text = buffer.withUnsafeBytes { bytes in
            GuardedString(bytes: UnsafeRawBufferPointer(rebasing: bytes[0..<length]))
        }
        do {
            return try MasterKey(encoded: text)
        } catch {
            throw invalid
        }
    }

    private static func octal(_ mode: mode_t) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

// Inside `MasterKey`, `write` and `read` name the key's own methods.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

private func systemRead(_ descriptor: Int32, _ bytes: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, bytes, count)
}
