import Foundation

/// Finds the program of a plugin's command line.
enum ProgramPath {
    /// Why a program was not found.
    struct Problem: Error {
        let message: String
    }

    /// The absolute path of `program`: relative to `directory` (the current
    /// folder when empty) when it holds a `/`, else the first executable
    /// file of that name in `searchPath`'s folders.
    static func resolve(_ program: String, relativeTo directory: String, searchPath: String?) throws(Problem) -> String {
        if program.contains("/") {
            let joined = program.hasPrefix("/") || directory.isEmpty ? program : directory + "/" + program
            let resolved = absolute(joined)
            guard isExecutableFile(resolved) else {
                let problem = FileManager.default.fileExists(atPath: resolved) ? "is not an executable file (chmod +x?)" : "does not exist"
                throw Problem(message: "names the program \(resolved), which \(problem)")
            }
            return resolved
        }
        for folder in (searchPath ?? "").split(separator: ":") where !folder.isEmpty {
            let candidate = absolute(folder + "/" + program)
            if isExecutableFile(candidate) { return candidate }
        }
        throw Problem(
            message: "names the program '\(program)', which is not on the plugin's PATH (\(searchPath ?? "unset")); "
                + "give its path instead")
    }

    /// `path` made absolute against the current folder, without `.` and `..`.
    static func absolute(_ path: String) -> String {
        let full = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return URL(fileURLWithPath: full).standardized.path
    }

    private static func isExecutableFile(_ path: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && !isFolder.boolValue
            && FileManager.default.isExecutableFile(atPath: path)
    }
}
