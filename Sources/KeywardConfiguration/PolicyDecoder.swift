import Foundation
import KeywardCore
import Yams

/// Turns one entry of `policies:` into a ``PasswordPolicy``.
///
/// This checks what a single value can get wrong (a negative length, a min
/// above its max, an unknown class, a bad duration); whether a policy can
/// generate a password its paired validate policies accept is
/// `PolicyFeasibility`'s question, asked by the loader afterwards.
struct PolicyDecoder {
    let diagnostics: Diagnostics
    /// `keyward.yaml`'s folder: dictionary files are relative to it.
    let directory: String

    static let keys = [
        "description", "minLength", "maxLength", "classes", "minClasses", "prohibited", "firstCharacter", "lastCharacter",
        "personalData", "dictionary", "history", "minAge", "maxAge", "generate",
    ]

    static let builtInClasses: [String: CharacterClass] = [
        "upper": .upper, "lower": .lower, "digit": .digit, "special": .special,
    ]

    /// Decodes the policy `name`; nil when it has errors (all reported).
    func decode(_ value: YAMLValue, name: String) -> PasswordPolicy? {
        let errorsBefore = diagnostics.errorCount
        guard let reader = value.mapping(diagnostics, what: "a mapping (a password policy)", known: Self.keys) else { return nil }
        // A note for people: only its type is checked.
        _ = reader["description"].flatMap { $0.string(diagnostics) }
        var policy = PasswordPolicy(name: name)
        if let minLength = reader["minLength"].flatMap({ $0.int(atLeast: 1, diagnostics) }) { policy.minLength = minLength }
        if let maxLength = reader["maxLength"].flatMap({ $0.int(atLeast: 1, diagnostics) }) { policy.maxLength = maxLength }
        if policy.minLength > policy.maxLength, let at = reader["minLength"] ?? reader["maxLength"] {
            diagnostics.error(
                .invalidValue,
                "`minLength` (\(policy.minLength)) is greater than `maxLength` (\(policy.maxLength)) in policy `\(name)`",
                at: at.location)
        }
        var customClasses: [String: CharacterClass] = [:]
        if let classesValue = reader["classes"] {
            (policy.classes, customClasses) = decodeClasses(classesValue)
        }
        if let value = reader["minClasses"], let minClasses = value.int(atLeast: 0, diagnostics) {
            policy.minClasses = minClasses
            if reader.has("classes"), minClasses > policy.classes.count, diagnostics.errorCount == errorsBefore {
                diagnostics.error(
                    .invalidValue, "`minClasses` is \(minClasses), but policy `\(name)` lists only \(policy.classes.count) classes",
                    at: value.location)
            }
        }
        if let value = reader["prohibited"], let text = value.string(diagnostics, what: "a string of characters") {
            policy.prohibited = Set(text)
        }
        let classNames = Self.builtInClasses.merging(customClasses) { first, _ in first }
        if let value = reader["firstCharacter"] { policy.firstCharacter = decodeClassList(value, classNames) }
        if let value = reader["lastCharacter"] { policy.lastCharacter = decodeClassList(value, classNames) }
        if let value = reader["personalData"] { policy.personalData = decodePersonalData(value) }
        if let value = reader["dictionary"] { policy.dictionary = decodeDictionary(value) }
        if let history = reader["history"].flatMap({ $0.int(atLeast: 0, diagnostics) }) { policy.history = history }
        policy.minAgeSeconds = reader["minAge"].flatMap(decodeDuration)
        policy.maxAgeSeconds = reader["maxAge"].flatMap(decodeDuration)
        if let minimum = policy.minAgeSeconds, let maximum = policy.maxAgeSeconds, minimum > maximum, let at = reader["minAge"] {
            diagnostics.error(.invalidValue, "`minAge` is longer than `maxAge` in policy `\(name)`; a password could never be changed in time", at: at.location)
        }
        if let value = reader["generate"], let generation = decodeGeneration(value) { policy.generation = generation }
        return diagnostics.errorCount == errorsBefore ? policy : nil
    }

    private func decodeClasses(_ value: YAMLValue) -> ([CharacterClassRule], [String: CharacterClass]) {
        guard let reader = value.mapping(diagnostics, what: "a mapping of character classes (`upper: { min: 1 }`)") else { return ([], [:]) }
        var rules: [CharacterClassRule] = []
        var custom: [String: CharacterClass] = [:]
        for entry in reader.entries {
            let classValue = entry.value
            guard let classReader = classValue.mapping(diagnostics, what: "a mapping such as `{ min: 1, max: 4 }`", known: ["characters", "min", "max"]) else { continue }
            let characterClass: CharacterClass
            if let builtIn = Self.builtInClasses[entry.key] {
                if let at = classReader.keyLocation("characters") {
                    diagnostics.error(
                        .invalidValue, "`\(entry.key)` is a built-in class; `characters` is for custom classes, give yours another name", at: at)
                    continue
                }
                characterClass = builtIn
            } else if let charactersValue = classReader["characters"] {
                guard let characters = charactersValue.string(diagnostics, what: "a string of characters") else { continue }
                guard !characters.isEmpty else {
                    diagnostics.error(.invalidValue, "\(charactersValue.quotedPath) is empty; list the class's characters", at: charactersValue.location)
                    continue
                }
                characterClass = .custom(name: entry.key, characters: Set(characters))
                custom[entry.key] = characterClass
            } else {
                let known = Self.builtInClasses.keys.sorted()
                diagnostics.error(
                    .invalidValue,
                    "unknown character class `\(entry.key)`\(NameSuggestion.hint(for: entry.key, among: known)); the built-in classes are "
                        + "\(NameSuggestion.list(known)), and a custom class lists its `characters`",
                    at: entry.keyNode.location(in: value.file))
                continue
            }
            let minimum = classReader["min"].flatMap { $0.int(atLeast: 0, diagnostics) } ?? 0
            let maximum = classReader["max"].flatMap { $0.int(atLeast: 0, diagnostics) }
            if let maximum, minimum > maximum, let at = classReader["min"] {
                diagnostics.error(.invalidValue, "class `\(entry.key)`: `min` (\(minimum)) is greater than `max` (\(maximum))", at: at.location)
            }
            rules.append(CharacterClassRule(characterClass, min: minimum, max: maximum))
        }
        return (rules, custom)
    }

    private func decodeClassList(_ value: YAMLValue, _ classes: [String: CharacterClass]) -> [CharacterClass] {
        guard let names = value.strings(diagnostics, of: "character class names", hint: value.node.scalar != nil ? "; write a list, as in `[upper, lower]`" : "")
        else { return [] }
        var result: [CharacterClass] = []
        for (name, element) in names {
            guard let characterClass = classes[name] else {
                let known = classes.keys.sorted()
                diagnostics.error(
                    .invalidValue,
                    "unknown character class `\(name)`\(NameSuggestion.hint(for: name, among: known)); use \(NameSuggestion.list(known))",
                    at: element.location)
                continue
            }
            result.append(characterClass)
        }
        return result
    }

    private func decodePersonalData(_ value: YAMLValue) -> PersonalDataRule? {
        if value.node.plainScalar != nil, let flag = value.node.bool {
            return flag ? PersonalDataRule() : nil
        }
        guard case .mapping = value.node else {
            value.wrongType("true, false, or `{ minMatchLength: 3 }`", diagnostics)
            return nil
        }
        guard let reader = value.mapping(diagnostics, what: "", known: ["minMatchLength"]) else { return nil }
        let length = reader["minMatchLength"].flatMap { $0.int(atLeast: 1, diagnostics) } ?? 3
        return PersonalDataRule(minMatchLength: length)
    }

    private func decodeDictionary(_ value: YAMLValue) -> DictionaryRule? {
        if value.node.plainScalar != nil, let flag = value.node.bool {
            return flag ? DictionaryRule() : nil
        }
        guard case .mapping = value.node else {
            value.wrongType("true, false, or `{ builtin: true, files: [extra.txt] }`", diagnostics)
            return nil
        }
        guard let reader = value.mapping(diagnostics, what: "", known: ["builtin", "files"]) else { return nil }
        let builtin = reader["builtin"].flatMap { $0.bool(diagnostics) } ?? true
        var files: [String] = []
        if let filesValue = reader["files"], let paths = filesValue.strings(diagnostics, of: "file paths") {
            for (path, element) in paths {
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: ConfigurationPaths.join(directory, path), isDirectory: &isFolder), !isFolder.boolValue {
                    files.append(path)
                } else {
                    diagnostics.error(
                        .fileNotFound,
                        "dictionary file `\(path)` does not exist (paths are relative to the folder of keyward.yaml; one password per line)",
                        at: element.location)
                }
            }
        }
        return DictionaryRule(builtin: builtin, files: files)
    }

    private func decodeDuration(_ value: YAMLValue) -> Int? {
        guard let text = value.string(diagnostics, what: "a duration such as `90d`") else { return nil }
        guard let seconds = Self.seconds(in: text) else {
            diagnostics.error(
                .invalidValue,
                "\(value.quotedPath): `\(text)` is not a duration; write a whole number and a unit: `30s`, `15m`, `12h`, `1d`, `90d` or `2w`",
                at: value.location)
            return nil
        }
        return seconds
    }

    /// `30s`, `15m`, `12h`, `1d`, `2w` in seconds; nil for anything else.
    static func seconds(in text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        guard let unit = text.last, let factor = units[unit] else { return nil }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 9, let count = Int(digits) else { return nil }
        return count * factor
    }

    private func decodeGeneration(_ value: YAMLValue) -> GenerationStyle? {
        let hint = "`characters`, `passphrase`, `{ characters: { length: 20 } }` or `{ passphrase: { words: 5, separator: \"-\" } }`"
        if case .scalar = value.node, let word = value.string(diagnostics, what: hint) {
            switch word {
            case "characters": return .characters(length: nil)
            case "passphrase": return .passphrase(words: 5, separator: "-")
            default:
                diagnostics.error(
                    .invalidValue,
                    "`generate` is `characters` or `passphrase`\(NameSuggestion.hint(for: word, among: ["characters", "passphrase"]))",
                    at: value.location)
                return nil
            }
        }
        guard let reader = value.mapping(diagnostics, what: hint, known: ["characters", "passphrase"]) else { return nil }
        guard reader.entries.count == 1, let entry = reader.entries.first else {
            diagnostics.error(.invalidValue, "`generate` takes one style, `characters` or `passphrase`", at: value.location)
            return nil
        }
        if entry.key == "characters" {
            if entry.value.node.isNull { return .characters(length: nil) }
            guard let options = entry.value.mapping(diagnostics, what: "`{ length: 20 }`", known: ["length"]) else { return nil }
            return .characters(length: options["length"].flatMap { $0.int(atLeast: 1, diagnostics) })
        }
        if entry.value.node.isNull { return .passphrase(words: 5, separator: "-") }
        guard let options = entry.value.mapping(diagnostics, what: "`{ words: 5, separator: \"-\" }`", known: ["words", "separator"]) else { return nil }
        let words = options["words"].flatMap { $0.int(atLeast: 1, diagnostics) } ?? 5
        let separator = options["separator"].flatMap { $0.string(diagnostics, what: "a separator string") } ?? "-"
        return .passphrase(words: words, separator: separator)
    }
}
