import Foundation
import KeywardCore
import KeywardTestSupport
import Synchronization
import Testing
@testable import KeywardScripting

/// The planner's transformer on the real sandbox: script loading and caching,
/// context and failure mapping, and the canary through planning with real Lua.
@Suite("ScriptTransformer", .offThePool)
struct ScriptTransformerTests {
    static let scripts: [String: String] = [
        "scripts/upper.lua": "if attributeValue == nil then return nil end\nreturn attributeValue:upper()\n",
        "scripts/nt-hash.lua": "if attributeValue == nil then return nil end\n"
            + "return attributeValue:hash('nt'):encode('hex'):upper()\n",
        "scripts/context.lua": "if attributeValue == nil then return nil end\n"
            + "return attributeValue .. '|' .. context.system .. '|' .. context.attribute .. '|' .. "
            + "context.operation .. '|' .. context.uid .. '|' .. context.mail\n",
        "scripts/runtime.lua": "if attributeValue == nil then return nil end\n"
            + "error('boom-message ' .. attributeValue:len())\n",
        "scripts/leaky-error.lua": "if attributeValue == nil then return nil end\n"
            + "error(attributeValue .. ' was the password')\n",
        "scripts/loop.lua": "if attributeValue == nil then return nil end\nwhile true do end\n",
        "scripts/plain.lua": "if attributeValue == nil then return nil end\nreturn 'plain text'\n",
        "scripts/print.lua": "print(attributeValue)\nreturn nil\n",
        "scripts/syntax.lua": "return (\n",
    ]

    /// Counts loads per path and serves ``scripts``.
    final class CountingLoader: Sendable {
        let loads = Mutex<[String: Int]>([:])

        func load(_ path: String) throws -> String {
            loads.withLock { $0[path, default: 0] += 1 }
            guard let source = ScriptTransformerTests.scripts[path] else { throw CocoaError(.fileNoSuchFile) }
            return source
        }
    }

    static func transformer(_ loader: CountingLoader = CountingLoader()) -> ScriptTransformer {
        ScriptTransformer(
            engine: Sandbox.engine,
            limits: { path in path == "scripts/loop.lua" ? ScriptLimits(instructions: 20_000) : ScriptLimits() },
            loader: { try loader.load($0) })
    }

    static let context = TransformationContext(
        system: "ldap", attribute: "__PASSWORD__", operation: .reset, uid: "alice",
        attributes: ["mail": "alice@example.com", "uid": "spoofed"])

    @Test func itTransformsWithTheScript() throws {
        let result = try Self.transformer().transform(
            script: "scripts/nt-hash.lua", password: GuardedString("password"), context: Self.context)
        #expect(result?.withPlaintext { $0 } == "8846F7EAEE8FB117AD06BDD830B7586C")
    }

    @Test func nilGoesInAndComesOut() throws {
        let result = try Self.transformer().transform(script: "scripts/upper.lua", password: nil, context: Self.context)
        #expect(result == nil)
    }

    @Test func theScriptSeesTheContext() throws {
        let result = try Self.transformer().transform(
            script: "scripts/context.lua", password: GuardedString("pw"), context: Self.context)
        #expect(result?.withPlaintext { $0 } == "pw|ldap|__PASSWORD__|reset|alice|alice@example.com")
    }

    @Test(arguments: PlanRequest.Kind.allCases)
    func theOperationMapsOneToOne(kind: PlanRequest.Kind) {
        #expect(ScriptContext.Operation(kind).rawValue == kind.rawValue)
    }

    @Test func eachScriptIsLoadedAndCheckedOnceAcrossThreads() async throws {
        let loader = CountingLoader()
        let transformer = Self.transformer(loader)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    let script = index.isMultiple(of: 2) ? "scripts/upper.lua" : "scripts/nt-hash.lua"
                    _ = try transformer.transform(
                        script: script, password: GuardedString("v\(index)"), context: Self.context)
                }
            }
            try await group.waitForAll()
        }
        #expect(loader.loads.withLock { $0 } == ["scripts/upper.lua": 1, "scripts/nt-hash.lua": 1])
    }

    @Test(
        arguments: [
            ("scripts/runtime.lua", TransformationFailure.Code.runtime),
            ("scripts/leaky-error.lua", .runtime),
            ("scripts/loop.lua", .budget),
            ("scripts/plain.lua", .badReturn),
            ("scripts/print.lua", .forbidden),
            ("scripts/syntax.lua", .compile),
            ("scripts/missing.lua", .unavailable),
        ])
    func failuresCarryTheScriptIDAndAFixedCodeOnly(script: String, code: TransformationFailure.Code) {
        let failure = #expect(throws: TransformationFailure.self) {
            try Self.transformer().transform(
                script: script, password: GuardedString(Canary.password), context: Self.context)
        }
        #expect(failure == TransformationFailure(scriptID: script, code: code))
        var dumped = ""
        dump(failure, to: &dumped)
        for text in [String(describing: failure), String(reflecting: failure), dumped] {
            #expect(!text.contains(Canary.password))
            #expect(!text.contains("CANARY"))
            #expect(!text.contains("boom-message"))
            #expect(!text.contains("was the password"))
        }
    }

    @Test func aRefusedScriptIsNotKeptSoAFixedFileIsPickedUp() throws {
        let source = Mutex("print(attributeValue)\nreturn nil\n")
        let transformer = ScriptTransformer(engine: Sandbox.engine, loader: { _ in source.withLock { $0 } })
        #expect(throws: TransformationFailure.self) {
            try transformer.transform(script: "s.lua", password: GuardedString("a"), context: Self.context)
        }
        source.withLock { $0 = Self.scripts["scripts/upper.lua"]! }
        let result = try transformer.transform(script: "s.lua", password: GuardedString("a"), context: Self.context)
        #expect(result?.withPlaintext { $0 } == "A")
    }

    @Test func sandboxCodesMapByName() {
        let codes: [ScriptError.Code] = [.compile, .runtime, .budget, .memory, .badReturn, .forbidden, .internal]
        for code in codes {
            #expect(TransformationFailure.Code(code).description == code.description)
        }
    }
}

/// The canary through the planner with real Lua scripts: success, policy
/// failure and script failure.
@Suite("ScriptTransformer: planning with real scripts", .offThePool)
struct ScriptTransformerPlanningTests {
    static let here = SourceLocation(file: "connectors/ldap.yaml", line: 1, column: 1)
    static let alice = Identity(username: "alice", email: "alice@example.com")

    static func system(_ name: String, type: String = "ldap", scripts: [String: String]) -> ConnectorDefinition {
        ConnectorDefinition(
            name: name, type: type,
            attributes: [
                AttributeMapping(name: "uid", source: .identity("username"), isUID: true, location: here),
                AttributeMapping(name: "mail", source: .identity("email"), location: here),
            ]
                + scripts.sorted { $0.key < $1.key }.map { attribute, script in
                    AttributeMapping(name: attribute, isPassword: true, transform: script, location: here)
                },
            location: here)
    }

    static let ldap = system(
        "ldap", scripts: ["__PASSWORD__": "scripts/upper.lua", "sambaNTPassword": "scripts/nt-hash.lua"])
    static let broken = system(
        "broken", type: "ad", scripts: ["__PASSWORD__": "scripts/upper.lua", "legacy": "scripts/leaky-error.lua"])

    static func planner(defaultValidate: [String] = []) -> ProvisioningPlanner {
        ProvisioningPlanner(
            catalog: PolicyCatalog(
                policies: [PasswordPolicy(name: "long", minLength: 30)], defaultValidate: defaultValidate,
                commonPasswords: CommonPasswordList(["Password123!"]), words: WordList(["alpha", "bravo", "charlie"])),
            transformer: ScriptTransformerTests.transformer())
    }

    static var canary: PlanRequest.Password { .chosen(GuardedString(Canary.password)) }

    static func expectNoCanary(in value: Any, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        var dumped = ""
        dump(value, to: &dumped)
        for text in [String(describing: value), String(reflecting: value), dumped] {
            for fragment in [Canary.password, Canary.password.uppercased(), "CANARY", "7f3a9c", "was the password"] {
                #expect(!text.contains(fragment), "\(fragment) leaked", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func aPlanMadeWithRealScriptsShowsNoCanary() throws {
        let plan = try Self.planner().plan(
            PlanRequest(kind: .create, identity: Self.alice, systems: [Self.ldap], password: Self.canary))
        let create = try #require(plan[system: "ldap"]?.operations?.first)
        #expect(create[attribute: "__PASSWORD__"]?.secretValue == GuardedString(Canary.password.uppercased()))
        #expect(create[attribute: "__PASSWORD__"]?.transformedBy == "scripts/upper.lua")
        let hash = try #require(create[attribute: "sambaNTPassword"]?.secretValue)
        #expect(hash.count == 32)
        Self.expectNoCanary(in: plan)
        Self.expectNoCanary(in: create)
    }

    @Test func aPolicyFailureWithRealScriptsShowsNoCanaryAndRunsNoScript() throws {
        let loader = ScriptTransformerTests.CountingLoader()
        let planner = ProvisioningPlanner(
            catalog: Self.planner(defaultValidate: ["long"]).catalog,
            transformer: ScriptTransformerTests.transformer(loader))
        let error = try #require(throws: PlanningError.self) {
            try planner.plan(
                PlanRequest(kind: .change, identity: Self.alice, systems: [Self.ldap], password: Self.canary))
        }
        #expect(error.code == .policyViolation)
        #expect(loader.loads.withLock { $0.isEmpty })
        Self.expectNoCanary(in: error)
        Self.expectNoCanary(in: error as any Error)
    }

    @Test func aScriptFailureWithRealScriptsShowsNoCanaryOrLuaMessage() throws {
        let plan = try Self.planner().plan(
            PlanRequest(
                kind: .change, identity: Self.alice, systems: [Self.ldap, Self.broken], password: Self.canary))
        let error = try #require(plan[system: "broken"]?.error)
        #expect(error.code == .scriptFailed)
        #expect(error.scriptID == "scripts/leaky-error.lua")
        #expect(error.attribute == "legacy")
        #expect(error.scriptFailure == .runtime)
        #expect(plan[system: "ldap"]?.operations?.count == 2)
        Self.expectNoCanary(in: error)
        Self.expectNoCanary(in: error as any Error)
        Self.expectNoCanary(in: plan)
    }

    @Test func revealIsAllowedOnlyWhereEveryMappingAllowsIt() {
        let here = Self.here
        let systems = [
            ConnectorDefinition(
                name: "a", type: "ldap",
                attributes: [
                    AttributeMapping(
                        name: "__PASSWORD__", isPassword: true, transform: "r.lua", allowReveal: true, location: here),
                    AttributeMapping(
                        name: "x", isPassword: true, transform: "mixed.lua", allowReveal: true, location: here),
                ], location: here),
            ConnectorDefinition(
                name: "b", type: "ldap",
                attributes: [AttributeMapping(name: "y", isPassword: true, transform: "mixed.lua", location: here)],
                location: here),
        ]
        let limits = ScriptTransformer.limits(for: systems, base: ScriptLimits(instructions: 5000))
        #expect(limits("r.lua").allowReveal)
        #expect(limits("r.lua").instructions == 5000)
        #expect(!limits("mixed.lua").allowReveal)
        #expect(!limits("other.lua").allowReveal)
    }
}
