import Foundation

/// Turns the paths on the command line into script files: a file stands for
/// itself, a folder for every `*.lua` file below it (hidden files and folders
/// skipped), in a stable order.
enum ScriptPaths {
    /// One script found: the path to open and the name to show.
    struct Entry: Equatable {
        /// The path to open, as given or joined onto the folder given.
        let path: String
        /// The name in `keyward test` lines: the path relative to the folder
        /// given, or the path as given for a file.
        let displayName: String
    }

    /// The scripts under `paths`, and a one-line error for each path that is
    /// missing or a folder without scripts.
    static func resolve(_ paths: [String]) -> (entries: [Entry], errors: [CommandError]) {
        var entries: [Entry] = []
        var errors: [CommandError] = []
        var seen = Set<String>()
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                errors.append(CommandError("\(path): no such file or folder"))
                continue
            }
            let found: [Entry]
            if isFolder.boolValue {
                found = scripts(inFolder: path)
                if found.isEmpty {
                    errors.append(CommandError("\(path): no Lua scripts (*.lua) in this folder or below it"))
                }
            } else {
                found = [Entry(path: path, displayName: path)]
            }
            for entry in found where seen.insert(entry.path).inserted {
                entries.append(entry)
            }
        }
        return (entries, errors)
    }

    private static func scripts(inFolder folder: String) -> [Entry] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder) else { return [] }
        var relativePaths: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let name = relative.split(separator: "/").last.map(String.init) ?? relative
            if name.hasPrefix(".") {
                enumerator.skipDescendants()
                continue
            }
            guard name.hasSuffix(".lua") else { continue }
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: join(folder, relative), isDirectory: &isFolder),
                !isFolder.boolValue
            {
                relativePaths.append(relative)
            }
        }
        return relativePaths.sorted().map { Entry(path: join(folder, $0), displayName: $0) }
    }

    private static func join(_ folder: String, _ relative: String) -> String {
        if folder == "." { return relative }
        return folder.hasSuffix("/") ? folder + relative : folder + "/" + relative
    }
}
