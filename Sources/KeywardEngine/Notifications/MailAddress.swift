/// A mail address with an optional display name: `alice@example.com` or
/// `Alice Example <alice@example.com>`.
///
/// Only plain ASCII addresses are accepted (a dot-atom local part and a host
/// name), so that nothing can break out of an SMTP command or a header; the
/// display name may be any text without line breaks and is encoded (RFC
/// 2047) when it is not ASCII.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    /// The address itself: `alice@example.com`.
    public let address: String
    /// The name shown beside it, if any.
    public let displayName: String?

    /// Checks `address` and `displayName`.
    /// - Throws: ``MailError`` `invalidAddress`, naming `what` (such as "the
    ///   mail address of jdoe") and saying what is wrong.
    public init(_ address: String, displayName: String? = nil, what: String = "a mail address") throws(MailError) {
        if let reason = Self.problem(with: address) {
            throw MailError(.invalidAddress, "\(what) `\(address)` is not a mail address: \(reason)")
        }
        let name = displayName.map { $0.split(whereSeparator: \.isNewline).joined(separator: " ") }
        self.address = address
        self.displayName = name?.isEmpty == false ? name : nil
    }

    /// Parses `Name <local@domain>` or `local@domain`.
    public init(parsing text: String, what: String = "a mail address") throws(MailError) {
        let trimmed = text.trimmingWhitespace
        guard trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") else {
            try self.init(trimmed, what: what)
            return
        }
        var name = String(trimmed[..<open]).trimmingWhitespace
        if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
        let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        try self.init(address, displayName: name, what: what)
    }

    /// `Name <address>`, or the address alone.
    public var description: String {
        displayName.map { "\($0) <\(address)>" } ?? address
    }

    /// The part after `@`.
    var domain: Substring { address[address.index(after: address.lastIndex(of: "@")!)...] }

    /// What is wrong with `address`, or nil when it is acceptable.
    static func problem(with address: String) -> String? {
        guard let at = address.lastIndex(of: "@") else { return "it has no `@`" }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard !local.isEmpty, local.utf8.count <= 64 else { return "the part before `@` must be 1 to 64 characters" }
        guard local.unicodeScalars.allSatisfy(isAtomCharacter), !local.hasPrefix("."), !local.hasSuffix("."),
            !local.contains("..")
        else {
            return "the part before `@` may hold letters, digits and !#$%&'*+/=?^_`{|}~.- (ASCII only, no spaces)"
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard domain.utf8.count <= 253, labels.count >= 1,
            labels.allSatisfy({ label in
                !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.unicodeScalars.allSatisfy { isHostCharacter($0) }
            })
        else {
            return "the part after `@` must be a host name (ASCII letters, digits, `-` and dots)"
        }
        return nil
    }

    private static func isHostCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-"
    }

    private static func isAtomCharacter(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII else { return false }
        if ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) { return true }
        return "!#$%&'*+/=?^_`{|}~.-".unicodeScalars.contains(scalar)
    }
}

extension StringProtocol {
    /// The text without white space (spaces, tabs, line breaks) at either end.
    var trimmingWhitespace: String {
        guard let start = firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let end = lastIndex(where: { !$0.isWhitespace })!
        return String(self[start...end])
    }
}
