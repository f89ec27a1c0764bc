/// KW006's heuristic: remembers the first nil check of `attributeValue` and
/// its first use that fails on `nil`, by position in the text, and warns when
/// the use comes first (or there is no check at all).
///
/// It does not follow control flow: a check anywhere earlier in the text
/// counts, even in another branch. That keeps it simple and predictable, and
/// the runtime sandbox turns a missed case into a `runtime` error anyway.
struct NilGuardTracker {
    /// How a use of the value would fail on `nil`.
    enum Use: String {
        case methodReceiver = "as a method call receiver"
        case indexed = "as an indexed value"
        case called = "as a function"
        case concatenated = "as an operand of '..'"
        case length = "as an operand of '#'"
        case arithmetic = "as an arithmetic or bitwise operand"
        case compared = "in a comparison with something other than nil"
    }

    private var firstGuard: LuaSourcePosition?
    private var firstUse: (position: LuaSourcePosition, use: Use, name: String)?

    /// Notes a nil check of the value at `position`.
    mutating func noteGuard(at position: LuaSourcePosition) {
        if firstGuard.map({ position < $0 }) ?? true {
            firstGuard = position
        }
    }

    /// Notes a use of the value (named `name` there) that fails on `nil`.
    mutating func noteUse(_ use: Use, of name: String, at position: LuaSourcePosition) {
        if firstUse.map({ position < $0.position }) ?? true {
            firstUse = (position, use, name)
        }
    }

    /// The KW006 finding, if the first use comes before any check.
    var finding: Finding? {
        guard let firstUse else { return nil }
        if let firstGuard, firstGuard < firstUse.position { return nil }
        let alias = firstUse.name == "attributeValue" ? "" : " (through the local `\(firstUse.name)`)"
        return Finding(
            rule: .unguardedNil,
            at: firstUse.position,
            message: "`attributeValue`\(alias) is used \(firstUse.use.rawValue) before any check for nil; "
                + "it is nil when no password could be generated",
            fix: "Check it first: `if \(firstUse.name) == nil then return nil end`."
        )
    }
}
