import Foundation
import KeywardStore

#if canImport(Glibc)
import Glibc
#endif

/// Where the PostgreSQL store's password comes from, as libpq finds it:
/// `PGPASSWORD`, else the first matching line of the password file
/// (`PGPASSFILE`, else `~/.pgpass`): `host:port:database:user:password`,
/// `*` matching anything, `\:` and `\\` escaping, `#` starting a comment.
/// A file that others than its owner may read or write is ignored (libpq's
/// rule): chmod 0600.
enum PostgresPasswordFile {
    static func password(
        host: String, port: Int, database: String, user: String, environment: [String: String]
    ) throws(StoreError) -> String {
        if let password = environment["PGPASSWORD"], !password.isEmpty { return password }
        guard let path = environment["PGPASSFILE"] ?? environment["HOME"].map({ $0 + "/.pgpass" }) else {
            throw noPassword("no password file is set (PGPASSFILE) and HOME is not set")
        }
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw noPassword("\(path) does not exist")
        }
        guard status.st_mode & 0o077 == 0 else {
            let mode = String(status.st_mode & 0o777, radix: 8)
            throw noPassword("\(path) is ignored because others may read it (mode \(mode)); chmod 0600 \(path)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw noPassword("\(path) cannot be read")
        }
        let wanted = [host, String(port), database, user]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = Self.fields(line)
            guard fields.count == 5 else { continue }
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        throw noPassword("no line of \(path) matches \(host):\(port):\(database):\(user)")
    }

    /// The colon-separated fields of a line, `\` escaping the next character.
    static func fields(_ line: Substring) -> [String] {
        var fields: [String] = []
        var field = ""
        var escaped = false
        for character in line {
            if escaped {
                field.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
        }
        fields.append(field)
        return fields
    }

    private static func noPassword(_ why: String) -> StoreError {
        PostgresStoreSettings.misconfigured(
            "needs a password, and none was found: PGPASSWORD is not set, and \(why); set PGPASSWORD, or write a .pgpass line HOST:PORT:DATABASE:USER:PASSWORD (mode 0600)")
    }
}
