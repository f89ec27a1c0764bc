import Foundation
import KeywardCore
import Yams

/// `keyward config migrate`: upgrades a configuration written before
/// password attributes carried `password: true` (the seed's migration).
///
/// It sets `password: true` on every `__PASSWORD__` mapping in every
/// connector file (`*.yaml` and the `*.yaml.example` templates), and sets
/// `version: 2` in `keyward.yaml`. The files are edited as text at the
/// positions Yams reports, so comments, blank lines, quoting and key order
/// stay exactly as written. A second run changes nothing. Before a file
/// changes, its original is copied to `FILE.bak` (`FILE.bak.2`, … when that
/// exists). `keyward.yaml`'s version is bumped only once every connector file
/// migrated, so a half-migrated configuration never claims to be version 2.
///
/// ```swift
/// let report = try ConfigurationMigrator(path: "keyward.yaml").migrate(dryRun: true)
/// for file in report.files { print(file.file, file.changes) }
/// ```
public struct ConfigurationMigrator: Sendable {
    /// The path of `keyward.yaml`.
    public var path: String

    /// Creates a migrator.
    public init(path: String = "keyward.yaml") {
        self.path = path
    }

    /// Works out every change and, unless `dryRun`, writes the backups and the
    /// changed files.
    ///
    /// - Throws: ``ConfigurationError`` only when `keyward.yaml` cannot be read.
    public func migrate(dryRun: Bool) throws(ConfigurationError) -> MigrationReport {
        let main = try YAMLSource.read(path)
        let directory = ConfigurationPaths.folder(of: path)
        let root = try? Yams.compose(yaml: main.text)
        let connectorsFolder = ConfigurationPaths.join(
            directory, root?["connectorsDirectory"]?.scalar?.string ?? "connectors")

        var files: [FileMigration] = []
        for connectorPath in Self.connectorFiles(in: connectorsFolder) {
            let migration: FileMigration
            do throws(ConfigurationError) {
                migration = Self.migrateConnector(try YAMLSource.read(connectorPath))
            } catch {
                migration = FileMigration(file: connectorPath, problems: [error])
            }
            files.append(migration)
        }
        let connectorsFailed = files.contains { !$0.problems.isEmpty }
        files.insert(Self.migrateMain(main, blocked: connectorsFailed), at: 0)

        if !dryRun {
            for index in files.indices where files[index].changesFile {
                files[index] = Self.write(files[index])
            }
        }
        return MigrationReport(files: files, dryRun: dryRun)
    }

    static func connectorFiles(in folder: String) -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        return names.filter { !$0.hasPrefix(".") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yaml.example")) }
            .map { ConfigurationPaths.join(folder, $0) }
    }

    // MARK: keyward.yaml

    static func migrateMain(_ source: YAMLSource, blocked: Bool) -> FileMigration {
        let current = KeywardConfiguration.currentVersion
        var migration = FileMigration(file: source.file, original: source.text)
        let root: Node?
        do {
            root = try Yams.compose(yaml: source.text)
        } catch let error as YamlError {
            migration.problems.append(source.translate(error))
            return migration
        } catch {
            return migration
        }
        guard case .mapping(let mapping)? = root, !isFlow(mapping, in: source.text) else {
            migration.problems.append(
                ConfigurationError(
                    .migration, "cannot migrate: keyward.yaml is not a block mapping of keys; add `version: \(current)` by hand",
                    at: SourceLocation(file: source.file, line: 1, column: 1)))
            return migration
        }
        var edits = TextEdits()
        let change: String
        if let versionNode = mapping["version"] {
            guard let scalar = versionNode.plainScalar, let version = versionNode.int else {
                migration.problems.append(
                    ConfigurationError(.migration, "cannot migrate: `version` is not a number; set `version: \(current)` by hand", at: versionNode.location(in: source.file)))
                return migration
            }
            if version == current {
                migration.unchangedReason = "already version \(current)"
                return migration
            }
            guard version < current else {
                migration.problems.append(
                    ConfigurationError(
                        .migration, "version \(version) is newer than this Keyward (\(current)); nothing to migrate, upgrade Keyward",
                        at: versionNode.location(in: source.file)))
                return migration
            }
            let location = versionNode.location(in: source.file)
            edits.add(.replace(line: location.line, column: location.column, length: scalar.string.unicodeScalars.count, text: "\(current)"))
            change = "line \(location.line): `version: \(version)` → `version: \(current)`"
        } else {
            let line = mapping.first?.key.mark?.line ?? 1
            edits.add(.insertLine(before: line, text: "version: \(current)"))
            change = "line \(line): added `version: \(current)`"
        }
        guard !blocked else {
            migration.unchangedReason = "version left as it is until every connector file is migrated"
            return migration
        }
        guard let migrated = edits.apply(to: source.text),
            (try? Yams.compose(yaml: migrated))?["version"]?.int == current
        else {
            migration.problems.append(
                ConfigurationError(.migration, "cannot edit safely; set `version: \(current)` by hand", at: SourceLocation(file: source.file, line: 1, column: 1)))
            return migration
        }
        migration.migrated = migrated
        migration.changes = [change]
        return migration
    }

    // MARK: Connector files

    static func migrateConnector(_ source: YAMLSource) -> FileMigration {
        var migration = FileMigration(file: source.file, original: source.text)
        let root: Node?
        do {
            root = try Yams.compose(yaml: source.text)
        } catch let error as YamlError {
            migration.problems.append(source.translate(error))
            return migration
        } catch {
            return migration
        }
        guard case .sequence(let attributes)? = root?["mapping"]?["attributes"] else {
            migration.unchangedReason = "no `mapping.attributes` list"
            return migration
        }
        var edits = TextEdits()
        var found = 0
        for attribute in attributes {
            guard case .mapping(let item) = attribute, item["name"]?.scalar?.string == AttributeSchema.passwordName else { continue }
            found += 1
            do throws(ConfigurationError) {
                if let change = try flagPassword(item, in: source, edits: &edits) {
                    migration.changes.append(change)
                }
            } catch {
                migration.problems.append(error)
            }
        }
        guard !edits.isEmpty else {
            if migration.problems.isEmpty {
                migration.unchangedReason = found == 0
                    ? "no `__PASSWORD__` mapping" : "every `__PASSWORD__` mapping already has `password: true`"
            }
            return migration
        }
        guard let migrated = edits.apply(to: source.text), verify(migrated, attributes: attributes.count) else {
            migration.changes = []
            migration.problems.append(
                ConfigurationError(
                    .migration, "cannot edit safely; add `password: true` to `__PASSWORD__` by hand",
                    at: SourceLocation(file: source.file, line: 1, column: 1)))
            return migration
        }
        migration.migrated = migrated
        return migration
    }

    /// Adds the edit that flags one `__PASSWORD__` item; nil when it already is.
    private static func flagPassword(_ item: Node.Mapping, in source: YAMLSource, edits: inout TextEdits) throws(ConfigurationError) -> String? {
        let file = source.file
        if let flag = item["password"] {
            if flag.plainScalar != nil, flag.bool == true { return nil }
            guard let scalar = flag.plainScalar, let mark = flag.mark, flag.bool != nil || flag.isNull else {
                throw ConfigurationError(
                    .migration, "cannot migrate: `password` of `__PASSWORD__` is not true or false; set `password: true` by hand",
                    at: flag.location(in: file))
            }
            if scalar.string.isEmpty {
                edits.add(.insert(line: mark.line, column: mark.column, text: " true"))
            } else {
                edits.add(.replace(line: mark.line, column: mark.column, length: scalar.string.unicodeScalars.count, text: "true"))
            }
            return "line \(mark.line): `password: \(scalar.string)` → `password: true` on `__PASSWORD__`"
        }
        guard let nameKey = item.first(where: { $0.key.scalar?.string == "name" })?.key, let keyMark = nameKey.mark,
            let nameValue = item["name"], let valueMark = nameValue.mark, case .scalar(let scalar) = nameValue
        else {
            throw ConfigurationError(.migration, "cannot migrate: `__PASSWORD__` has no position; add `password: true` by hand", at: SourceLocation(file: file, line: 1, column: 1))
        }
        if isFlow(item, in: source.text) {
            let written = writtenLength(of: scalar, in: source.text, at: valueMark)
            guard let written else {
                throw ConfigurationError(
                    .migration, "cannot migrate: `__PASSWORD__` is written in a way this tool does not edit; add `password: true` by hand",
                    at: nameValue.location(in: file))
            }
            edits.add(.insert(line: valueMark.line, column: valueMark.column + written, text: ", password: true"))
        } else {
            edits.add(.insertLine(before: valueMark.line + 1, text: String(repeating: " ", count: keyMark.column - 1) + "password: true"))
        }
        return "line \(valueMark.line): added `password: true` to `__PASSWORD__`"
    }

    /// Whether `mapping` is written `{ … }`. (Yams' parsed style is not
    /// reliable, so the text at the mapping's start is looked at.)
    private static func isFlow(_ mapping: Node.Mapping, in text: String) -> Bool {
        guard let mark = mapping.mark else { return false }
        let lines = TextEdits.lines(of: text)
        guard mark.line >= 1, mark.line <= lines.count else { return false }
        return lines[mark.line - 1].content.unicodeScalars.dropFirst(mark.column - 1).first == "{"
    }

    /// How many scalars `__PASSWORD__` takes in the text at `mark`: plain,
    /// single- or double-quoted; nil when the text there is something else.
    private static func writtenLength(of scalar: Node.Scalar, in text: String, at mark: Mark) -> Int? {
        let lines = TextEdits.lines(of: text)
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let rest = String(String.UnicodeScalarView(lines[mark.line - 1].content.unicodeScalars.dropFirst(mark.column - 1)))
        for written in [scalar.string, "\"\(scalar.string)\"", "'\(scalar.string)'"] where rest.hasPrefix(written) {
            return written.unicodeScalars.count
        }
        return nil
    }

    /// Whether the migrated text still parses, has as many attributes, and
    /// flags every `__PASSWORD__`.
    private static func verify(_ text: String, attributes count: Int) -> Bool {
        guard let root = try? Yams.compose(yaml: text), case .sequence(let attributes)? = root["mapping"]?["attributes"],
            attributes.count == count
        else { return false }
        return attributes.allSatisfy { item in
            item["name"]?.scalar?.string != AttributeSchema.passwordName || item["password"]?.bool == true
        }
    }

    // MARK: Writing

    private static func write(_ migration: FileMigration) -> FileMigration {
        var migration = migration
        guard let migrated = migration.migrated else { return migration }
        let manager = FileManager.default
        var backup = migration.file + ".bak"
        var number = 2
        while manager.fileExists(atPath: backup) {
            backup = migration.file + ".bak.\(number)"
            number += 1
        }
        let permissions = (try? manager.attributesOfItem(atPath: migration.file))?[.posixPermissions]
        do {
            try Data(migration.original.utf8).write(to: URL(fileURLWithPath: backup), options: .withoutOverwriting)
            try Data(migrated.utf8).write(to: URL(fileURLWithPath: migration.file), options: .atomic)
            if let permissions {
                try? manager.setAttributes([.posixPermissions: permissions], ofItemAtPath: migration.file)
                try? manager.setAttributes([.posixPermissions: permissions], ofItemAtPath: backup)
            }
            migration.backup = backup
        } catch {
            migration.problems.append(
                ConfigurationError(
                    .unreadable, "cannot write the migrated file or its backup (check the folder's permissions); the file is unchanged",
                    at: SourceLocation(file: migration.file, line: 1, column: 1)))
            migration.changes = []
            migration.migrated = nil
        }
        return migration
    }
}

/// What ``ConfigurationMigrator/migrate(dryRun:)`` did, or would do, per file.
public struct MigrationReport: Sendable {
    /// `keyward.yaml` first, then the connector files in name order.
    public var files: [FileMigration]
    /// Whether nothing was written.
    public var dryRun: Bool

    /// Whether any file changed (or would change).
    public var changesAnything: Bool { files.contains(where: \.changesFile) }
    /// Every problem that kept a file from being migrated.
    public var problems: [ConfigurationError] { files.flatMap(\.problems) }
}

/// One file's migration.
public struct FileMigration: Sendable {
    /// The file's path.
    public let file: String
    /// What changed, one line each (`line 14: added `password: true` to `__PASSWORD__``).
    public internal(set) var changes: [String] = []
    /// Why nothing changed, when nothing did and nothing went wrong.
    public internal(set) var unchangedReason: String?
    /// What kept the file from being migrated.
    public internal(set) var problems: [ConfigurationError] = []
    /// The backup written before the file changed.
    public internal(set) var backup: String?

    let original: String
    var migrated: String?

    /// Whether the file changes (or, in a dry run, would change).
    public var changesFile: Bool { migrated != nil && !changes.isEmpty }

    init(file: String, original: String = "", problems: [ConfigurationError] = []) {
        self.file = file
        self.original = original
        self.problems = problems
    }
}
