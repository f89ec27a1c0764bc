#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
public import KeywardCore

/// A reference to a secret kept outside the configuration: `${env:NAME}` (an
/// environment variable) or `${file:PATH}` (a file's contents, one trailing
/// newline stripped; a relative path is relative to `keyward.yaml`'s folder).
///
/// Secret fields accept nothing else. The secret is read only by
/// ``resolve(environment:)``, at the moment a connector needs it, straight
/// into a `GuardedString`.
public struct SecretReference: Sendable, Hashable, CustomStringConvertible {
    /// Where the secret is kept.
    public enum Source: Sendable, Hashable {
        /// An environment variable.
        case environment(name: String)
        /// A file.
        case file(path: String)
    }

    /// Where the secret is kept.
    public let source: Source
    /// The folder a relative `${file:…}` path is relative to.
    public let baseDirectory: String

    /// Files holding a secret are small; a larger one is the wrong file.
    static let fileLimit = 64 << 10

    /// Creates a reference.
    public init(_ source: Source, relativeTo baseDirectory: String = "") {
        self.source = source
        self.baseDirectory = baseDirectory
    }

    /// Parses `${env:NAME}` or `${file:PATH}`; nil for anything else.
    public init?(parsing text: String, relativeTo baseDirectory: String = "") {
        guard case .reference(let source) = SecretReference.classify(text) else { return nil }
        self.init(source, relativeTo: baseDirectory)
    }

    /// The reference held by a connection setting, if it holds one.
    public init?(_ value: ConnectionValue, relativeTo baseDirectory: String = "") {
        switch value {
        case .plain: return nil
        case .environment(let name): self.init(.environment(name: name), relativeTo: baseDirectory)
        case .file(let path): self.init(.file(path: path), relativeTo: baseDirectory)
        }
    }

    /// The reference as written: `${env:NAME}` or `${file:PATH}` (never the secret).
    public var description: String {
        switch source {
        case .environment(let name): "${env:\(name)}"
        case .file(let path): "${file:\(path)}"
        }
    }

    /// The setting as a ``ConnectionValue``.
    public var connectionValue: ConnectionValue {
        switch source {
        case .environment(let name): .environment(name)
        case .file(let path): .file(path)
        }
    }

    /// Reads the secret now.
    ///
    /// - Parameter environment: The variables to look in; nil (the default)
    ///   reads the process's environment directly, without copying it.
    /// - Throws: ``ConfigurationError`` with code `secretUnavailable` naming
    ///   the variable or the path (never a value) when it is missing, empty
    ///   or unreadable.
    public func resolve(environment: [String: String]? = nil) throws(ConfigurationError) -> GuardedString {
        switch source {
        case .environment(let name):
            if let environment {
                guard let value = environment[name] else { throw unset(name) }
                guard !value.isEmpty else { throw empty("environment variable `\(name)`") }
                return GuardedString(value)
            }
            guard let pointer = getenv(name) else { throw unset(name) }
            let count = strlen(pointer)
            guard count > 0 else { throw empty("environment variable `\(name)`") }
            return GuardedString(bytes: UnsafeRawBufferPointer(start: pointer, count: count))
        case .file(let path):
            return try readFile(ConfigurationPaths.join(baseDirectory, path), shownAs: path)
        }
    }

    private func unset(_ name: String) -> ConfigurationError {
        ConfigurationError(
            .secretUnavailable,
            "environment variable `\(name)` is not set (referenced as \(self)); "
                + "export it in the environment Keyward runs in", at: nil)
    }

    private func empty(_ what: String) -> ConfigurationError {
        ConfigurationError(.secretUnavailable, "\(what) is empty (referenced as \(self)); a secret cannot be empty", at: nil)
    }

    private func readFile(_ path: String, shownAs shown: String) throws(ConfigurationError) -> GuardedString {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = errno == ENOENT ? "does not exist" : "cannot be read (check its permissions)"
            throw ConfigurationError(.secretUnavailable, "secret file `\(shown)` \(reason) (referenced as \(self))", at: nil)
        }
        defer { close(descriptor) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.fileLimit + 1, alignment: 16)
        defer {
            SecureMemory.zero(buffer)
            buffer.deallocate()
        }
        var count = 0
        while count < buffer.count {
            let got = read(descriptor, buffer.baseAddress! + count, buffer.count - count)
            if got == 0 { break }
            if got < 0 {
                if errno == EINTR { continue }
                throw ConfigurationError(
                    .secretUnavailable, "secret file `\(shown)` cannot be read (referenced as \(self))", at: nil)
            }
            count += got
        }
        guard count <= Self.fileLimit else {
            throw ConfigurationError(
                .secretUnavailable, "secret file `\(shown)` is larger than 64 KiB; is it the right file?", at: nil)
        }
        if count > 0, buffer[count - 1] == UInt8(ascii: "\n") { count -= 1 }
        if count > 0, buffer[count - 1] == UInt8(ascii: "\r") { count -= 1 }
        guard count > 0 else { throw empty("secret file `\(shown)`") }
        return GuardedString(bytes: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }
}

extension SecretReference {
    /// What a setting's text is: a reference, plain text, or something that
    /// tries to be a reference and is not.
    enum Classification: Equatable {
        case reference(Source)
        case plain
        /// The reason says what is wrong without repeating the text.
        case malformed(reason: String)
    }

    /// Classifies `text`. Anything containing `${` must be exactly one reference.
    static func classify(_ text: String) -> Classification {
        guard text.contains("${") else { return .plain }
        guard text.hasPrefix("${"), text.hasSuffix("}"), text.count >= 3 else {
            return .malformed(reason: "a reference stands alone, `${env:NAME}` or `${file:PATH}`, with nothing around it")
        }
        let body = text.dropFirst(2).dropLast()
        guard !body.contains("}"), !body.contains("${") else {
            return .malformed(reason: "a setting holds one reference, `${env:NAME}` or `${file:PATH}`")
        }
        guard let colon = body.firstIndex(of: ":") else {
            return .malformed(reason: "a reference names its kind, `${env:NAME}` or `${file:PATH}`")
        }
        let kind = body[..<colon]
        let target = String(body[body.index(after: colon)...])
        switch kind {
        case "env":
            guard isVariableName(target) else {
                return .malformed(
                    reason: "an environment variable name is letters, digits and `_`, not starting with a digit, "
                        + "as in `${env:KEYWARD_LDAP_BIND_PASSWORD}`")
            }
            return .reference(.environment(name: target))
        case "file":
            guard !target.isEmpty, target.trimmingSpaces == target else {
                return .malformed(reason: "`${file:PATH}` needs a path, without spaces around it")
            }
            return .reference(.file(path: target))
        default:
            return .malformed(reason: "only `${env:NAME}` and `${file:PATH}` references exist")
        }
    }

    private static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }
}

extension String {
    /// The text without spaces and tabs at either end.
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[start...end])
    }
}
