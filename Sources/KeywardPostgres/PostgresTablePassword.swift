import Foundation
import KeywardConnectors
import KeywardCore

#if canImport(Glibc)
import Glibc
#endif

/// Where the database password of an `sql` system on PostgreSQL comes
/// from, in libpq's order: the connection's `password` reference
/// (`${env:…}`/`${file:…}`), then `PGPASSWORD`, then the first matching
/// line of the password file (`PGPASSFILE`, else `~/.pgpass`); none
/// when nothing matches (the server may not ask).
enum PostgresTablePassword {
    /// The password for `endpoint`, or nil.
    /// - Throws: ``ConnectorError/Kind/configuration`` when the reference
    ///   cannot be read, or the password file may be read by others.
    static func find(
        for endpoint: PostgresTableEndpoint, reader: ConnectionReader, environment: ConnectorEnvironment,
        processEnvironment: [String: String]
    ) throws(ConnectorError) -> GuardedString? {
        do {
            if let password = try environment.secret("password") { return password }
        } catch {
            throw reader.error("password", "cannot be read: \(error)")
        }
        if let password = processEnvironment["PGPASSWORD"] { return GuardedString(password) }
        guard let file = processEnvironment["PGPASSFILE"] ?? processEnvironment["HOME"].map({ $0 + "/.pgpass" }),
            FileManager.default.fileExists(atPath: file)
        else { return nil }
        return try passwordFile(file, endpoint: endpoint, reader: reader)
    }

    /// The password of the first line of `path` that matches `endpoint`
    /// (`host:port:database:user:password`, `*` matching anything, `\`
    /// escaping `:` and `\`).
    static func passwordFile(
        _ path: String, endpoint: PostgresTableEndpoint, reader: ConnectionReader
    ) throws(ConnectorError) -> GuardedString? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw reader.error("password", "is not set and the password file \(path) cannot be read")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size < 1 << 20 else {
            throw reader.error("password", "is not set and the password file \(path) cannot be read")
        }
        if status.st_mode & 0o077 != 0 {
            throw reader.error(
                "password", "is not set and the password file \(path) may be read by others; chmod 600 it, as libpq requires")
        }
        // Read into memory this function wipes, not into a Data that could be copied.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(status.st_size) + 1, alignment: 1)
        defer {
            SecureMemory.zero(buffer)
            buffer.deallocate()
        }
        var count = 0
        while count < buffer.count {
            let read = Glibc.read(descriptor, buffer.baseAddress! + count, buffer.count - count)
            if read <= 0 { break }
            count += read
        }
        let data = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
        let wanted = [endpoint.host, String(endpoint.port), endpoint.database, endpoint.user].map { Array($0.utf8) }
        for line in data.split(separator: UInt8(ascii: "\n")) where line.first != UInt8(ascii: "#") {
            var fields = Self.fields(of: line)
            defer {
                for index in fields.indices { fields[index].withUnsafeMutableBytes { SecureMemory.zero($0) } }
            }
            guard fields.count == 5 else { continue }
            let matches = zip(fields.prefix(4), wanted).allSatisfy { field, value in
                field == [UInt8(ascii: "*")] || field == value
            }
            if matches { return GuardedString(bytes: fields[4]) }
        }
        return nil
    }

    /// The `:`-separated fields of one line, escapes resolved, a trailing
    /// `\r` dropped; each field has room for the whole line, so appending
    /// never leaves a copy behind in a freed buffer.
    private static func fields(of line: Slice<UnsafeRawBufferPointer>) -> [[UInt8]] {
        func field() -> [UInt8] {
            var field: [UInt8] = []
            field.reserveCapacity(line.count)
            return field
        }
        var fields = [field()]
        var escaped = false
        let end = line.last == UInt8(ascii: "\r") ? line.endIndex - 1 : line.endIndex
        for byte in line[line.startIndex..<end] {
            if escaped {
                fields[fields.count - 1].append(byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: ":") {
                fields.append(field())
            } else {
                fields[fields.count - 1].append(byte)
            }
        }
        return fields
    }
}
