/// The names a transformation script can reach: the single allow-list that
/// both the runtime sandbox (`CLuaSandbox`, `env.c`) and the security checker
/// work from. A test opens a real sandbox state and checks the two agree.
public enum SandboxAllowList {
    /// Globals of the frozen base environment every call falls through to.
    public static let baseFunctions: Set<String> = [
        "assert", "error", "ipairs", "pairs", "next", "select", "type", "tostring",
        "tonumber", "rawequal", "rawlen", "rawget", "pcall",
    ]

    /// Library tables, reached by scripts as read-only proxies, with their members.
    public static let libraries: [String: Set<String>] = [
        "string": [
            "byte", "char", "find", "format", "gmatch", "gsub", "len", "lower", "match",
            "pack", "packsize", "rep", "reverse", "sub", "unpack", "upper",
        ],
        "table": ["concat", "insert", "move", "pack", "remove", "sort", "unpack"],
        "math": [
            "abs", "acos", "asin", "atan", "ceil", "cos", "deg", "exp", "floor", "fmod",
            "huge", "log", "max", "maxinteger", "min", "mininteger", "modf", "pi", "rad",
            "sin", "sqrt", "tan", "tointeger", "type", "ult",
        ],
        "utf8": ["char", "charpattern", "codepoint", "codes", "len", "offset"],
    ]

    /// Globals set fresh for every call.
    public static let perCallGlobals: Set<String> = ["attributeValue", "context"]

    /// Methods of a GuardedString handle (`attributeValue:upper()`).
    public static let handleMethods: Set<String> = [
        "sub", "upper", "lower", "replace", "gsub", "truncate", "encode", "hash",
        "len", "contains", "matches", "reveal",
    ]

    /// Every global name a script may read.
    public static var globals: Set<String> {
        baseFunctions.union(libraries.keys).union(perCallGlobals)
    }

    /// Library members deliberately removed, with the reason the checker gives.
    public static let removedLibraryMembers: [String: String] = [
        "string.dump": "turns functions into bytecode, which the sandbox never loads",
        "math.random": "random numbers make a transformation non-deterministic",
        "math.randomseed": "random numbers make a transformation non-deterministic",
    ]
}
