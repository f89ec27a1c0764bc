/// Search filters built from untrusted values (RFC 4515).
enum ActiveDirectoryFilter {
    /// `value` escaped for an assertion value: `*`, `(`, `)`, `\` and NUL as
    /// `\2a`, `\28`, `\29`, `\5c` and `\00`.
    static func escape(_ value: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "*": escaped += "\\2a"
            case "(": escaped += "\\28"
            case ")": escaped += "\\29"
            case "\\": escaped += "\\5c"
            case "\0": escaped += "\\00"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// The user whose `sAMAccountName` is `uid`.
    static func account(_ uid: String) -> String {
        "(&(objectClass=user)(sAMAccountName=\(escape(uid))))"
    }
}
