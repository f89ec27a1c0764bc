import KeywardTestSupport
import Testing

@testable import KeywardScripting

@Suite("Realistic scripts", .offThePool)
struct CheckerRealisticScriptTests {
    static let cleanScripts = [
        """
        -- OpenLDAP: pre-hash as {SSHA}
        if attributeValue == nil then return nil end
        return attributeValue:hash("ssha")
        """,
        """
        local v = attributeValue
        if not v then return nil end
        local prefix = context.system == "legacy" and "X" or ""
        return (prefix .. v:upper()):truncate(8)
        """,
        """
        #!/usr/bin/env lua
        -- Active Directory: unicodePwd wants the quoted password in UTF-16LE.
        if attributeValue == nil then
          return nil
        end
        return attributeValue:encode("quoted-utf16le")
        """,
        """
        --[==[
          Samba: the NT hash of the password, upper-case hex.
          (a long comment with ]] inside)
        ]==]
        local value <const> = attributeValue
        if value == nil then return nil end
        return value:hash("nt"):encode("hex"):upper()
        """,
        """
        -- Legacy mainframe: 8 characters, upper case, no spaces.
        local MAX_LENGTH <const> = 8
        local function clean(handle)
          return handle:replace(" ", ""):upper()
        end
        if type(attributeValue) ~= "userdata" then return nil end
        local cleaned = clean(attributeValue)
        if cleaned:len() > MAX_LENGTH then
          cleaned = cleaned:truncate(MAX_LENGTH)
        end
        return cleaned
        """,
        """
        local suffixes = { create = "-new", change = "", reset = "-tmp", initialize = "-init" }
        local suffix = suffixes[context.operation] or ""
        if attributeValue and attributeValue:matches("^%w+$") then
          return attributeValue .. string.format("%s", suffix)
        end
        return attributeValue
        """,
        """
        local parts = {}
        for word in string.gmatch(context.uid or "", "[^.]+") do
          parts[#parts + 1] = word:sub(1, 1)
        end
        local initials = table.concat(parts):upper()
        if attributeValue == nil then return nil end
        return attributeValue:sub(1, 12) .. initials .. ("%02d"):format(math.floor(#initials % 100))
        """,
    ]

    @Test("realistic scripts pass every rule", arguments: cleanScripts)
    func cleanScript(source: String) {
        let report = ScriptChecker().check(source: source, path: "script.lua")
        #expect(
            report.findings == [],
            "\(report.findings.map { "\($0.line):\($0.column) \($0.ruleID) \($0.message)" })"
        )
        #expect(!report.hasErrors)
    }

    @Test("the sandbox's attack examples are rejected before they run")
    func attacks() {
        let attacks = [
            "print(attributeValue)", "io.write(\"x\")", "os.execute(\"id\")", "warn(\"@on\"); warn(\"x\")",
            "require(\"io\")", "package.loadlib(\"x\", \"y\")", "load(string.dump(function() end))",
            "return (\"\").dump", "return _ENV['pr' .. 'int']", "return setmetatable({}, {__gc = print})",
            "return collectgarbage('count')", "return coroutine.wrap(function() end)",
        ]
        for attack in attacks {
            #expect(ScriptChecker().check(source: attack, path: "attack.lua").hasErrors, "\(attack)")
        }
    }

    @Test("checking a 10 MiB script finishes (linear time)")
    func largeScript() {
        let body = "do local s = 'abc' .. [==[ text ]==] .. tostring(#context.uid) end -- comment\n"
        let source = String(repeating: body, count: (10 << 20) / body.utf8.count) + "return nil\n"
        let report = ScriptChecker().check(source: source, path: "big.lua")
        #expect(report.findings == [])
    }

    @Test("the deepest nesting the parser accepts goes through every rule")
    func deepestNesting() {
        let depth = 190
        let functions =
            String(repeating: "local function f() if attributeValue then ", count: depth / 2)
            + "return attributeValue:upper()" + String(repeating: " end end", count: depth / 2) + "\nreturn f()"
        #expect(CheckerTestSupport.ruleIDs(functions) == [])
        let parentheses =
            "if attributeValue == nil then return nil end\nreturn "
            + String(repeating: "(attributeValue .. ", count: depth / 2) + "'x'"
            + String(repeating: ")", count: depth / 2)
        #expect(CheckerTestSupport.ruleIDs(parentheses) == [])
        let chain =
            "if attributeValue == nil then return nil end\nreturn attributeValue"
            + String(repeating: ":upper()", count: depth)
        #expect(CheckerTestSupport.ruleIDs(chain) == [])
        let tables = "return " + String(repeating: "{", count: depth) + String(repeating: "}", count: depth)
        #expect(CheckerTestSupport.ruleIDs(tables) == [])
    }
}
