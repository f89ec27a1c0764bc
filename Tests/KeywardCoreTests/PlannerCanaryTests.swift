import Foundation
import KeywardCore
import KeywardTestSupport
import Testing

/// The canary password pushed through planning never shows in any text the
/// planner's results and errors produce.
@Suite("Planner: canary", .offThePool)
struct PlannerCanaryTests {
    typealias F = PlannerFixtures

    /// Every rendering Swift has of `value`.
    static func renderings(_ value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return [String(describing: value), String(reflecting: value), dumped, "\(value)"]
    }

    /// The canary and recognisable pieces of it.
    static let fragments = [Canary.password, "CANARY", "7f3a9c", "P@ss"]

    static func expectNoCanary(in value: Any, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        for text in renderings(value) {
            for fragment in fragments {
                #expect(!text.contains(fragment), "\(fragment) leaked", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func aSuccessfulPlanShowsNoCanary() throws {
        let plan = try F.planner().plan(
            PlanRequest(
                kind: .create, identity: F.alice, systems: [F.ldap(), F.simple(name: "ad", type: "ad")],
                password: F.canary))
        Self.expectNoCanary(in: plan)
        for system in plan.systems {
            Self.expectNoCanary(in: system)
            for operation in system.operations ?? [] {
                Self.expectNoCanary(in: operation)
                operation.attributes.forEach { Self.expectNoCanary(in: $0) }
            }
        }
        #expect(plan.description.contains("__PASSWORD__=<redacted> [password, scripts/ldap.lua]"))
        #expect(plan.description.contains("mail=\"alice@example.com\""))
    }

    @Test func aPasswordChangePlanShowsNoCanary() throws {
        let plan = try F.planner().plan(
            PlanRequest(kind: .change, identity: F.alice, systems: [F.ldap()], password: F.canary))
        Self.expectNoCanary(in: plan)
        #expect(plan.description.contains("update alice: __PASSWORD__=<redacted>"))
    }

    @Test func aPolicyFailureShowsNoCanary() throws {
        // The canary is 21 characters: too short for "long", too long for "short".
        let error = try #require(throws: PlanningError.self) {
            try F.planner(defaultValidate: ["short"]).plan(
                PlanRequest(
                    kind: .change, identity: F.alice, systems: [F.ldap(validate: ["long", "corporate"])],
                    password: F.canary))
        }
        #expect(error.code == .policyViolation)
        #expect(!error.violations.isEmpty)
        Self.expectNoCanary(in: error)
        Self.expectNoCanary(in: error as any Error)
        Self.expectNoCanary(in: error.localizedDescription)
        for entry in error.violations {
            Self.expectNoCanary(in: entry)
            entry.violations.forEach { Self.expectNoCanary(in: $0) }
        }
    }

    @Test func aScriptFailureShowsNoCanary() throws {
        let plan = try F.planner(FailingTransformer(failing: ["scripts/nt-hash.lua"])).plan(
            PlanRequest(
                kind: .change, identity: F.alice, systems: [F.ldap(), F.simple(name: "ad", type: "ad")],
                password: F.canary))
        let error = try #require(plan[system: "ldap"]?.error)
        #expect(error.description.contains("scripts/nt-hash.lua"))
        #expect(error.description.contains("(runtime)"))
        Self.expectNoCanary(in: error)
        Self.expectNoCanary(in: error as any Error)
        Self.expectNoCanary(in: plan)
        Self.expectNoCanary(in: TransformationFailure(scriptID: "scripts/nt-hash.lua", code: .runtime))
    }

    @Test func theRequestShowsNoCanary() {
        let request = PlanRequest(kind: .change, identity: F.alice, systems: [F.ldap()], password: F.canary)
        Self.expectNoCanary(in: request)
    }
}
