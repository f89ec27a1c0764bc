@testable import KeywardScripting

/// Helpers shared by the checker's suites, in a namespace so that other test
/// files of the target are free to use the same names.
enum CheckerTestSupport {
    /// A nil check to put first, so that a snippet only triggers the rule under test.
    static let nilGuard = "if attributeValue == nil then return nil end\n"

    /// The findings for `source` under a policy.
    static func findings(_ source: String, allowReveal: Bool = false) -> [Finding] {
        ScriptChecker(policy: CheckPolicy(allowReveal: allowReveal)).check(source: source, path: "test.lua").findings
    }

    /// The rule ids of the findings for `source`, in order.
    static func ruleIDs(_ source: String, allowReveal: Bool = false) -> [String] {
        findings(source, allowReveal: allowReveal).map(\.ruleID)
    }

    /// Whether `source` parses and resolves (Lua's compiler would accept it).
    static func compiles(_ source: String) -> Bool {
        do throws(LuaSyntaxError) {
            _ = try ScopeResolver.resolve(try LuaParser.parse(Array(source.utf8)))
            return true
        } catch {
            return false
        }
    }
}
