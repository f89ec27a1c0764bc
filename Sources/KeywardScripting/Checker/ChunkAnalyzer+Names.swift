extension ChunkAnalyzer {
    /// How a table is indexed: by a constant string, or by a key computed at run time.
    enum KeyAccess {
        case constant(String)
        case dynamic

        init(_ identifier: LuaIdentifier) {
            self = .constant(identifier.name)
        }

        /// Only a string literal is constant: `"pr" .. "int"` is a string-built name.
        init(_ key: LuaExpression) {
            self = key.stringConstant.map { .constant(String(decoding: $0, as: UTF8.self)) } ?? .dynamic
        }
    }

    /// The global names rules KW001–KW003 and KW005 single out. These are facts
    /// about Lua and about what must never reach a script; which globals the
    /// sandbox provides comes from `SandboxAllowList` only.
    enum GlobalNames {
        /// KW001, with what each one does.
        static let output: [String: String] = [
            "print": "`print` writes to standard output",
            "warn": "`warn` writes to standard error",
            "io": "`io` reads and writes files and the standard streams",
            "os": "`os` runs commands and touches files (`os.execute`, `os.remove`, `os.getenv`)",
            "debug": "`debug` reaches every local, upvalue and metatable, past every sandbox guard",
        ]

        /// KW001 too, in any case (`Log`, `LOGGER`).
        static let logging: Set<String> = ["log", "logger", "logging"]

        /// KW002, with what each one does.
        static let dynamicCode: [String: String] = [
            "load": "`load` compiles code built at run time (and can load bytecode)",
            "loadstring": "`loadstring` (Lua 5.1's `load`) compiles code built at run time",
            "loadfile": "`loadfile` loads code from a file",
            "dofile": "`dofile` runs code from a file",
            "require": "`require` loads modules, which the sandbox does not have",
            "package": "`package` is the module system; `package.loadlib` reaches C code",
        ]

        /// KW003, with what each one does.
        static let environment: [String: String] = [
            "_ENV": "`_ENV` is the script's environment table itself",
            "_G": "`_G` is the script's global table itself",
            "getfenv": "`getfenv` (Lua 5.1) reads a function's environment",
            "setfenv": "`setfenv` (Lua 5.1) replaces a function's environment",
        ]

        /// Standard Lua names a script author may expect, and why the sandbox
        /// leaves each out. Consulted only for names not in the allow-list.
        static let leftOut: [String: String] = [
            "setmetatable": "Metatables are not available: one could attach a finalizer (__gc) that runs outside "
                + "the sandbox's budget. Use plain tables and functions.",
            "getmetatable": "Metatables are not available: those of strings and handles belong to the sandbox. "
                + "Use plain tables and functions.",
            "collectgarbage": "The host collects garbage itself (and wipes freed memory); remove the call.",
            "rawset": "Writing past a table's __newindex guard is not available; assign fields normally on your "
                + "own tables.",
            "coroutine": "Coroutines are not available; write the transformation as sequential code.",
            "xpcall": "Message handlers are not available; use pcall.",
            "pcall": "Protected calls are not available; let errors fail the call.",
            "_VERSION": "The Lua version is not exposed; the sandbox always runs Lua 5.4.",
            "unpack": "`unpack` is Lua 5.1's name; use table.unpack.",
            "module": "`module` is Lua 5.1's module system, which the sandbox does not have; use locals.",
            "bit32": "`bit32` is gone since Lua 5.3; use the operators & | ~ << >>.",
        ]
    }

    /// `SandboxAllowList.globals`, computed once.
    static let allowedGlobals = SandboxAllowList.globals

    /// The same, sorted, for suggestions.
    static let sortedAllowedGlobals = allowedGlobals.sorted()

    /// A global read (a local read is never a finding, except `_ENV`).
    mutating func readName(_ identifier: LuaIdentifier) {
        guard identifier.name == "_ENV" || resolution.isGlobal(identifier) else { return }
        if let finding = reservedNameFinding(identifier, assigning: false) {
            findings.append(finding)
            return
        }
        let name = identifier.name
        guard !ChunkAnalyzer.allowedGlobals.contains(name), !resolution.assignedGlobals.contains(name) else { return }
        if let reason = GlobalNames.leftOut[name] {
            findings.append(
                Finding(
                    rule: .unknownGlobal,
                    at: identifier.position,
                    message: "the sandbox does not provide `\(name)`",
                    fix: reason
                )
            )
        } else if let suggestion = NameSuggestion.closest(to: name, among: ChunkAnalyzer.sortedAllowedGlobals) {
            findings.append(
                Finding(
                    rule: .unknownGlobal,
                    at: identifier.position,
                    message: "`\(name)` is not a global of the sandbox; did you mean `\(suggestion)`?",
                    fix: "Use `\(suggestion)`, or declare `local \(name)` if it is your own variable."
                )
            )
        } else {
            findings.append(
                Finding(
                    rule: .unknownGlobal,
                    at: identifier.position,
                    message: "`\(name)` is not a global of the sandbox: it would be nil at run time"
                )
            )
        }
    }

    /// An assignment to a name (`x = 1`, `function x() end`).
    mutating func writeName(_ identifier: LuaIdentifier) {
        guard identifier.name == "_ENV" || resolution.isGlobal(identifier) else { return }
        if let finding = reservedNameFinding(identifier, assigning: true) {
            findings.append(finding)
            return
        }
        let name = identifier.name
        if SandboxAllowList.perCallGlobals.contains(name) {
            findings.append(
                Finding(
                    rule: .globalAssignment,
                    at: identifier.position,
                    message: "assigns the per-call global `\(name)`",
                    fix: "Keep the result in a local (`local v = …`) instead of overwriting `\(name)`."
                )
            )
        } else {
            findings.append(
                Finding(
                    rule: .globalAssignment,
                    at: identifier.position,
                    message: "assigns the global `\(name)`; globals are not kept between calls",
                    fix: "Declare it as a local: `local \(name)`."
                )
            )
        }
    }

    /// A local declared as `_ENV` or `_G`.
    mutating func checkDeclaration(_ identifier: LuaIdentifier) {
        guard identifier.name == "_ENV" || identifier.name == "_G" else { return }
        findings.append(
            Finding(
                rule: .environmentAccess,
                at: identifier.position,
                message: identifier.name == "_ENV"
                    ? "declares a local named `_ENV`, which redirects every global access in its scope"
                    : "declares a local named `_G`, the name of the global table",
                fix: "Choose another name."
            )
        )
    }

    /// KW001–KW003 for a global name, read or assigned.
    private func reservedNameFinding(_ identifier: LuaIdentifier, assigning: Bool) -> Finding? {
        let name = identifier.name
        let rule: CheckRule
        let what: String
        if let output = GlobalNames.output[name] {
            (rule, what) = (.outputName, output + "; the sandbox has no output path")
        } else if GlobalNames.logging.contains(name.lowercased()) {
            (rule, what) = (.outputName, "`\(name)` is a logging name; the sandbox has no output path")
        } else if let dynamic = GlobalNames.dynamicCode[name] {
            (rule, what) = (.dynamicCode, dynamic)
        } else if let environment = GlobalNames.environment[name] {
            (rule, what) = (.environmentAccess, environment)
        } else {
            return nil
        }
        let message = assigning ? "assigns `\(name)`: \(what)" : what
        return Finding(rule: rule, at: identifier.position, message: message)
    }

    /// KW003 for `_ENV.x`, `_G[k]`, `rawget(_ENV, k)`: returns whether `base`
    /// is the environment table.
    @discardableResult
    mutating func checkEnvironmentBase(_ base: LuaExpression, key: KeyAccess, through function: String? = nil) -> Bool {
        guard case .name(let table) = base.unparenthesized,
            table.name == "_ENV" || (table.name == "_G" && resolution.isGlobal(table))
        else { return false }
        switch key {
        case .constant(let name):
            let access = function.map { "`\($0)(\(table.name), \"\(name)\")`" } ?? "`\(table.name).\(name)`"
            findings.append(
                Finding(
                    rule: .environmentAccess,
                    at: table.position,
                    message: "\(access) reaches the global `\(name)` through the environment table",
                    fix: "Write `\(name)` directly, so that the checker sees which global is used."
                )
            )
        case .dynamic:
            let access = function.map { "`\($0)(\(table.name), …)`" } ?? "`\(table.name)[…]`"
            findings.append(
                Finding(
                    rule: .environmentAccess,
                    at: table.position,
                    message: "dynamic global name: \(access) indexes the environment with a key computed at run "
                        + "time (a string-built global name), which hides the global it reaches",
                    fix: "Name the global directly; only the sandbox's allow-listed globals exist anyway."
                )
            )
        }
        return true
    }

    /// The name of the sandbox library `base` is, if it is one (a global the
    /// script does not reassign).
    func libraryName(of base: LuaExpression) -> String? {
        guard case .name(let identifier) = base.unparenthesized, resolution.isGlobal(identifier),
            SandboxAllowList.libraries[identifier.name] != nil,
            !resolution.assignedGlobals.contains(identifier.name)
        else { return nil }
        return identifier.name
    }

    /// KW010: removed and unknown members, and writes into a library.
    mutating func checkLibraryMember(_ library: String, _ member: String, at position: LuaSourcePosition, writing: Bool)
    {
        let qualified = "\(library).\(member)"
        let members = SandboxAllowList.libraries[library] ?? []
        if writing {
            findings.append(
                Finding(
                    rule: .libraryMember,
                    at: position,
                    message: "assigns `\(qualified)`, but library tables are read-only in the sandbox",
                    fix: "Keep your own functions and values in locals."
                )
            )
        } else if let reason = SandboxAllowList.removedLibraryMembers[qualified] {
            findings.append(
                Finding(
                    rule: .libraryMember,
                    at: position,
                    message: "`\(qualified)` is removed from the sandbox: \(reason)",
                    fix: "Remove it; the sandbox does not provide `\(qualified)`."
                )
            )
        } else if !members.contains(member) {
            let suggestion = NameSuggestion.closest(to: member, among: members.sorted())
            findings.append(
                Finding(
                    rule: .libraryMember,
                    at: position,
                    message: "`\(qualified)` is not a member of the sandbox's `\(library)` library"
                        + (suggestion.map { "; did you mean `\(library).\($0)`?" } ?? ""),
                    fix: suggestion.map { "Use `\(library).\($0)`." }
                )
            )
        }
    }

    /// KW004: a `reveal` method or field where the policy does not allow it.
    mutating func checkReveal(_ name: String, at position: LuaSourcePosition) {
        guard name == "reveal", !policy.allowReveal else { return }
        findings.append(
            Finding(
                rule: .reveal,
                at: position,
                message: "`reveal()` turns the secret into a plain Lua string, and this script's policy does not "
                    + "allow reveal"
            )
        )
    }

    /// KW011: a method the handle does not have.
    mutating func checkHandleMethod(_ name: LuaIdentifier) {
        guard !SandboxAllowList.handleMethods.contains(name.name) else { return }
        let suggestion = NameSuggestion.closest(to: name.name, among: SandboxAllowList.handleMethods.sorted())
        findings.append(
            Finding(
                rule: .unknownHandleMethod,
                at: name.position,
                message: "`\(name.name)` is not a method of a GuardedString handle"
                    + (suggestion.map { "; did you mean `\($0)`?" } ?? ""),
                fix: suggestion.map { "Use `\($0)`." }
            )
        )
    }
}
