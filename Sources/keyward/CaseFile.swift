import KeywardCore
import KeywardScripting
import Yams

/// A `NAME.cases.yaml` file: the test cases of the script `NAME.lua` beside it.
///
/// ```yaml
/// cases:
///   - name: adds the legacy prefix
///     input: "Secret1!"          # a string, or null
///     context: { operation: create, system: hr }
///     expect: "XSecret1!"        # a string, or null
///   - name: rejects what it cannot handle
///     input: "x"
///     expectError: runtime       # compile | runtime | budget | memory | badReturn | forbidden
///   - name: hashes with a random salt
///     input: "secret"
///     expectPrefix: "{SSHA}"     # checked in Keyward, on the returned secret
///     expectLength: 46           # bytes
/// ```
///
/// The format is strict, so that a typo never turns a case into one that
/// passes by accident: an unknown key, a value of the wrong type, an unknown
/// error code, `expect` together with `expectError`, or a case without any
/// expectation is an error naming the file, line and column. A scalar that
/// YAML would read as a number or boolean (`input: 12345678`) is taken as the
/// text written; only a plain `null`, `~` or nothing is nil.
struct CaseFile {
    /// The file's path.
    let path: String
    /// The cases, in file order.
    let cases: [ScriptCase]

    /// The keys a case may have.
    static let caseKeys = ["name", "input", "context", "expect", "expectError", "expectLength", "expectPrefix"]

    /// The error codes `expectError` accepts.
    static let errorCodes = ["compile", "runtime", "budget", "memory", "badReturn", "forbidden"]

    /// The case file of the script at `scriptPath`: `NAME.lua` → `NAME.cases.yaml`.
    static func path(forScript scriptPath: String) -> String {
        let base = scriptPath.hasSuffix(".lua") ? String(scriptPath.dropLast(4)) : scriptPath
        return base + ".cases.yaml"
    }

    /// Reads and validates the case file at `path`.
    static func load(_ path: String) throws(CommandError) -> CaseFile {
        let bytes = try FileReader.bytes(at: path, kind: .caseFiles)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CommandError("\(path):\(ScriptFile.firstInvalidLine(bytes)): is not valid UTF-8")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw CommandError(Self.describe(error, in: path))
        }
        return try CaseFileParser(path: path).parse(root)
    }

    /// A YAML error as one line with the file, line and column.
    private static func describe(_ error: any Error, in path: String) -> String {
        guard let error = error as? YamlError else { return "\(path): cannot be read as YAML" }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { " (\($0.text))" } ?? ""
            return "\(path):\(mark.line):\(mark.column): invalid YAML: \(problem)\(detail)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
            return "\(path):\(context.mark.line):\(context.mark.column): duplicate key \(keys)"
        case .reader(let problem, _, _, _):
            return "\(path): invalid YAML: \(problem)"
        default:
            return "\(path): cannot be read as YAML"
        }
    }
}
