/// A rule of the script security checker: a stable id, a severity and the
/// text that the reports, SARIF's `tool.driver.rules` and
/// `docs/checker-rules.md` show.
public struct CheckRule: Sendable, Hashable, Identifiable {
    /// The stable id, `KW001` to `KW012`.
    public let id: String
    /// A PascalCase name for SARIF (`OutputOrLoggingName`).
    public let name: String
    /// A one-line summary.
    public let title: String
    /// The severity of every finding of this rule.
    public let severity: FindingSeverity
    /// What the rule catches and why it matters.
    public let description: String
    /// The usual fix, in one line (a finding may give a more specific one).
    public let fix: String
    /// A script that triggers the rule, and only this rule.
    let example: String
    /// The example with the fix applied: it passes every rule.
    let fixedExample: String

    /// Every rule, in id order.
    public static let all: [CheckRule] = [
        .outputName, .dynamicCode, .environmentAccess, .reveal, .unknownGlobal, .unguardedNil,
        .globalAssignment, .syntaxError, .binaryChunk, .libraryMember, .unknownHandleMethod, .missingReturn,
    ]

    /// The rule with this id, if there is one.
    public static func rule(withID id: String) -> CheckRule? {
        all.first { $0.id == id }
    }
}

extension CheckRule {
    /// KW001: an output or logging name used as a global.
    public static let outputName = CheckRule(
        id: "KW001",
        name: "OutputOrLoggingName",
        title: "Output or logging name used as a global",
        severity: .error,
        description: """
            The script uses `print`, `warn`, `io`, `os`, `debug`, or a global named `log`, `logger` or \
            `logging` (in any case). The sandbox has no output path at all: whatever a script could write \
            or log might carry the secret into a terminal, a log file or a log collector.
            """,
        fix: "Remove it: a transformation only returns its result and never prints or logs.",
        example: "print(attributeValue)\nreturn attributeValue",
        fixedExample: "return attributeValue"
    )

    /// KW002: code loaded or built at run time.
    public static let dynamicCode = CheckRule(
        id: "KW002",
        name: "DynamicCode",
        title: "Dynamic code loading",
        severity: .error,
        description: """
            The script names `load`, `loadstring`, `loadfile`, `dofile`, `require` or `package`. Code built \
            or loaded at run time cannot be checked, `load` can run bytecode, and `package.loadlib` reaches \
            C code (CVE-2022-0543).
            """,
        fix: "Write the code in the script itself; the sandbox has no module system.",
        example: "local hashing = require(\"hashing\")\nreturn hashing.ssha(attributeValue)",
        fixedExample: "if attributeValue == nil then return nil end\nreturn attributeValue:hash(\"ssha\")"
    )

    /// KW003: access to the environment itself.
    public static let environmentAccess = CheckRule(
        id: "KW003",
        name: "EnvironmentAccess",
        title: "Environment access (_ENV, _G, string-built global names)",
        severity: .error,
        description: """
            The script reads, indexes, assigns or declares `_ENV` or `_G`, or uses `getfenv`/`setfenv`. \
            Through the environment table a script can reach a global by a name built at run time \
            (`_ENV["pr" .. "int"]`, `rawget(_ENV, k)`), which no checker can see.
            """,
        fix: "Name globals directly (`tostring`, `string.upper`) and keep your own values in locals.",
        example: "local name = \"attribute\" .. \"Value\"\nreturn _ENV[name]",
        fixedExample: "return attributeValue"
    )

    /// KW004: `reveal()` where the policy does not allow it.
    public static let reveal = CheckRule(
        id: "KW004",
        name: "RevealNotAllowed",
        title: "reveal() is not allowed for this script",
        severity: .error,
        description: """
            The script calls `reveal()` (or reads a `reveal` field), which turns the secret into a plain \
            Lua string, and the checker's policy does not allow reveal for this script. With reveal \
            allowed, the rule is silent.
            """,
        fix: "Use the handle's methods (hash, encode, sub, upper…), which keep the secret inside the handle, "
            + "or allow reveal for this script in its configuration.",
        example: "if attributeValue == nil then return nil end\nlocal plain = attributeValue:reveal()\n"
            + "return attributeValue:sub(1, #plain)",
        fixedExample: "if attributeValue == nil then return nil end\nreturn attributeValue:sub(1, attributeValue:len())"
    )

    /// KW005: a global that the sandbox does not provide.
    public static let unknownGlobal = CheckRule(
        id: "KW005",
        name: "UnknownGlobal",
        title: "Global not provided by the sandbox",
        severity: .error,
        description: """
            The script reads a global that is not in the sandbox's allow-list (`SandboxAllowList.globals`) \
            and that the script does not assign itself: a typo, or a standard Lua name the sandbox removes \
            (`setmetatable`, `getmetatable`, `collectgarbage`, `rawset`, `coroutine`…). At run time it \
            would be `nil`.
            """,
        fix: "Use a global the sandbox provides (the message suggests one), or declare your own as a local.",
        example: "if attributeValue == nil then return nil end\nreturn attributeValue:truncate(maxLength)",
        fixedExample: "local maxLength = 8\nif attributeValue == nil then return nil end\n"
            + "return attributeValue:truncate(maxLength)"
    )

    /// KW006: `attributeValue` used without handling `nil`.
    public static let unguardedNil = CheckRule(
        id: "KW006",
        name: "UnguardedNilValue",
        title: "attributeValue used without a nil check",
        severity: .warning,
        description: """
            `attributeValue` is `nil` when no password could be generated. The rule warns at the first use \
            of `attributeValue` (or of a local that is only ever `attributeValue`) as a method receiver, an \
            indexed value, a called value, an operand of `..`, `#`, arithmetic, bitwise operators or a \
            comparison with something other than `nil`, when no nil check appears earlier in the text: \
            `== nil`, `~= nil`, `not attributeValue`, `if`/`elseif`/`while`/`until attributeValue`, \
            `attributeValue and`, `attributeValue or`, `type(attributeValue)` or `assert(attributeValue)`.
            """,
        fix: "Start with `if attributeValue == nil then return nil end`.",
        example: "return attributeValue:hash(\"sha256\")",
        fixedExample: "if attributeValue == nil then return nil end\nreturn attributeValue:hash(\"sha256\")"
    )

    /// KW007: a global assigned.
    public static let globalAssignment = CheckRule(
        id: "KW007",
        name: "GlobalAssignment",
        title: "Global assigned",
        severity: .warning,
        description: """
            The script assigns a global: `x = 1` where `x` is not a local, `function f() end` where `f` is \
            not a local, or an assignment to `attributeValue` or `context`. Globals live in the per-call \
            environment: they are not kept between calls and can hide sandbox names.
            """,
        fix: "Declare it as a local (`local x = 1`, `local function f() end`).",
        example: "prefix = \"X\"\nif attributeValue == nil then return nil end\nreturn prefix .. attributeValue",
        fixedExample: "local prefix = \"X\"\nif attributeValue == nil then return nil end\n"
            + "return prefix .. attributeValue"
    )

    /// KW008: the script does not compile.
    public static let syntaxError = CheckRule(
        id: "KW008",
        name: "SyntaxError",
        title: "Syntax error",
        severity: .error,
        description: """
            The script is not valid Lua 5.4: a lexical error (unfinished string or long comment, bad \
            escape, malformed number), a grammatical one, or one Lua's compiler reports (goto without a \
            visible label, `break` outside a loop, assignment to a `<const>` variable…). The finding gives \
            the position of the offending token and what was expected there. Nesting deeper than 200 \
            levels, or more than 200 chained operators or calls in one expression, is refused too.
            """,
        fix: "Correct the syntax at this position (`luac5.4 -p script.lua` checks it too).",
        example: "if attributeValue == nil then return nil\nreturn attributeValue",
        fixedExample: "if attributeValue == nil then return nil end\nreturn attributeValue"
    )

    /// KW009: a precompiled chunk.
    public static let binaryChunk = CheckRule(
        id: "KW009",
        name: "BinaryChunk",
        title: "Binary (precompiled) chunk",
        severity: .error,
        description: """
            The file starts with the byte 0x1B (`\\27Lua`): it is `luac` output, not source. Lua does not \
            verify bytecode, so a crafted binary chunk corrupts memory; the sandbox loads text chunks only.
            """,
        fix: "Submit the Lua source text, not the output of luac.",
        example: "\u{1B}LuaT\u{0}\u{19}\u{93}\r\n\u{1A}\n",
        fixedExample: "return attributeValue"
    )

    /// KW010: a removed or unknown library member.
    public static let libraryMember = CheckRule(
        id: "KW010",
        name: "LibraryMember",
        title: "Removed or unknown library member",
        severity: .error,
        description: """
            The script reads a member that the sandbox removes from an allowed library \
            (\(SandboxAllowList.removedLibraryMembers.keys.sorted().map { "`\($0)`" }.joined(separator: ", "))), \
            or a constant field that the library does not have (`string.foo`, `table.remove2`), also through a \
            method on a string literal (`("x"):dump()`); or it writes into a library table, which the \
            sandbox keeps read-only.
            """,
        fix: "Use a member the library provides (the message suggests one), or keep your own in a local.",
        example: "if attributeValue == nil then return nil end\nreturn attributeValue .. tostring(math.random(9))",
        fixedExample: "if attributeValue == nil then return nil end\n"
            + "return attributeValue .. tostring(#context.uid % 10)"
    )

    /// KW011: an unknown method called on the handle.
    public static let unknownHandleMethod = CheckRule(
        id: "KW011",
        name: "UnknownHandleMethod",
        title: "Unknown GuardedString handle method",
        severity: .error,
        description: """
            The script calls a method on `attributeValue` (or a local that is only ever `attributeValue`) \
            that a GuardedString handle does not have (`SandboxAllowList.handleMethods`).
            """,
        fix: "Use a handle method: \(SandboxAllowList.handleMethods.sorted().joined(separator: ", ")).",
        example: "if attributeValue == nil then return nil end\nreturn attributeValue:toupper()",
        fixedExample: "if attributeValue == nil then return nil end\nreturn attributeValue:upper()"
    )

    /// KW012: the script never returns.
    public static let missingReturn = CheckRule(
        id: "KW012",
        name: "MissingReturn",
        title: "Script never returns",
        severity: .error,
        description: """
            The main chunk has no `return` statement at all (returns inside nested functions do not count), \
            or the script is empty or only whitespace and comments. The sandbox would get no value and fail \
            the call with `badReturn`.
            """,
        fix: "End the script with `return` and a handle, or `return nil`.",
        example: "local v = attributeValue\nif v ~= nil then v = v:upper() end",
        fixedExample: "local v = attributeValue\nif v ~= nil then v = v:upper() end\nreturn v"
    )
}
