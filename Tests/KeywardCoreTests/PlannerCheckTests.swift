import KeywardCore
import KeywardTestSupport
import Testing

/// The checks the planner makes before it generates a password or runs a
/// script, and the smaller decisions around them.
@Suite("Planner: checks before anything runs", .offThePool)
struct PlannerCheckTests {
    typealias F = PlannerFixtures

    /// Plans `request` expecting an error; no script may have run.
    func refusal(
        _ request: PlanRequest,
        defaultGenerate: String? = nil,
        defaultValidate: [String] = []
    ) throws -> PlanningError {
        let transformer = RecordingTransformer()
        let planner = F.planner(transformer, defaultGenerate: defaultGenerate, defaultValidate: defaultValidate)
        let error = try #require(throws: PlanningError.self) { try planner.plan(request) }
        #expect(transformer.calls.isEmpty)
        return error
    }

    @Test func aRequestWithoutSystemsIsRefused() throws {
        let error = try refusal(PlanRequest(kind: .change, identity: F.alice, systems: [], password: F.canary))
        #expect(error.code == .noSystems)
    }

    @Test func aSystemNamedTwiceIsRefused() throws {
        let error = try refusal(
            PlanRequest(kind: .change, identity: F.alice, systems: [F.ldap(), F.ldap()], password: F.canary))
        #expect(error.code == .duplicateSystem)
        #expect(error.system == "ldap")
    }

    @Test func anUnknownConnectorTypeIsRefused() throws {
        let error = try refusal(
            PlanRequest(
                kind: .change, identity: F.alice, systems: [F.simple(name: "x", type: "mainframe")], password: F.canary))
        #expect(error.code == .unknownConnectorType)
        #expect(error.message.contains("'mainframe'"))
    }

    @Test func aPlannerCanBeGivenMoreConnectorTypes() throws {
        let planner = ProvisioningPlanner(
            catalog: F.catalog(), transformer: RecordingTransformer(),
            connectorTypes: ConnectorType.builtIn + [
                ConnectorType(name: "mainframe", operations: [.reset], implemented: true)
            ])
        let system = F.simple(name: "x", type: "mainframe")
        let plan = try planner.plan(
            PlanRequest(kind: .reset, identity: F.alice, systems: [system], password: F.canary))
        #expect(plan.isComplete)
        #expect(throws: PlanningError.self) {
            try planner.plan(PlanRequest(kind: .change, identity: F.alice, systems: [system], password: F.canary))
        }
    }

    @Test func aDisabledSystemIsRefused() throws {
        var system = F.ldap()
        system.enabled = false
        let error = try refusal(PlanRequest(kind: .change, identity: F.alice, systems: [system], password: F.canary))
        #expect(error.code == .systemDisabled)
    }

    @Test func creatingAnAccountNeedsInitialize() throws {
        let planner = ProvisioningPlanner(
            catalog: F.catalog(), transformer: RecordingTransformer(),
            connectorTypes: [ConnectorType(name: "resetOnly", operations: [.reset], implemented: true)])
        let refused = #expect(throws: PlanningError.self) {
            try planner.plan(
                PlanRequest(
                    kind: .create, identity: F.alice, systems: [F.simple(name: "r", type: "resetOnly")],
                    password: F.canary))
        }
        #expect(refused?.code == .unsupportedOperation)
        #expect(refused?.message.contains("needs initialize") == true)
    }

    @Test func anUndefinedSystemPolicyIsRefused() throws {
        let error = try refusal(
            PlanRequest(
                kind: .create, identity: F.alice, systems: [F.ldap(validate: ["corprate"])], password: .generate))
        #expect(error.code == .unknownPolicy)
        #expect(error.policy == "corprate")
        #expect(error.system == "ldap")
    }

    @Test func anUndefinedDefaultPolicyIsRefused() throws {
        let error = try refusal(
            PlanRequest(kind: .create, identity: F.alice, systems: [F.ldap()], password: .generate),
            defaultGenerate: "missing")
        #expect(error.code == .unknownPolicy)
        #expect(error.system == nil)
        #expect(error.message.contains("defaults"))
    }

    @Test func aPasswordChangeNeedsAPasswordAttribute() throws {
        let system = ConnectorDefinition(
            name: "plain", type: "ldap",
            attributes: [AttributeMapping(name: "uid", source: .identity("username"), isUID: true, location: F.here)],
            location: F.here)
        let error = try refusal(PlanRequest(kind: .change, identity: F.alice, systems: [system], password: F.canary))
        #expect(error.code == .noPasswordAttribute)
    }

    @Test func aPasswordAttributeWithoutThePasswordFlagIsRefused() throws {
        let old = ConnectorDefinition(
            name: "old", type: "ldap",
            attributes: [
                AttributeMapping(name: "uid", source: .identity("username"), isUID: true, location: F.here),
                AttributeMapping(
                    name: "__PASSWORD__", transform: "scripts/ldap.lua",
                    location: SourceLocation(file: "connectors/old.yaml", line: 9, column: 7)),
            ], location: F.here)
        let error = try refusal(PlanRequest(kind: .create, identity: F.alice, systems: [old], password: F.canary))
        #expect(error.code == .unflaggedPassword)
        #expect(error.message.hasPrefix("connectors/old.yaml:9:7: "))
        #expect(error.message.contains("keyward config migrate"))
    }

    @Test func creatingAnAccountWithoutPasswordAttributesNeedsNoPassword() throws {
        let system = ConnectorDefinition(
            name: "plain", type: "ldap",
            attributes: [AttributeMapping(name: "uid", source: .identity("username"), isUID: true, location: F.here)],
            location: F.here)
        let plan = try F.planner(defaultGenerate: "strong").plan(
            PlanRequest(kind: .create, identity: F.alice, systems: [system], password: .generate))
        #expect(plan.password == nil)
        #expect(plan[system: "plain"]?.operations?.first?.attributes.map(\.name) == ["uid"])
    }

    @Test func anUnknownUIDIsRefused() throws {
        let noUIDAttribute = ConnectorDefinition(
            name: "x", type: "ldap",
            attributes: [AttributeMapping(name: "__PASSWORD__", isPassword: true, location: F.here)], location: F.here)
        let first = try refusal(
            PlanRequest(kind: .change, identity: F.alice, systems: [noUIDAttribute], password: F.canary))
        #expect(first.code == .noUID)
        #expect(first.message.contains("uid: true"))

        let noEmail = Identity(username: "bob")
        let second = try refusal(
            PlanRequest(
                kind: .change, identity: noEmail, systems: [F.simple(name: "ad", type: "ad")], password: F.canary))
        #expect(second.code == .noUID)
        #expect(second.message.contains("'login'"))
    }

    @Test func aKnownUIDFromTheRequestWins() throws {
        let plan = try F.planner().plan(
            PlanRequest(
                kind: .change, identity: Identity(username: "bob"), systems: [F.simple(name: "ad", type: "ad")],
                password: F.canary, uids: ["ad": "CN=Bob,OU=People"]))
        #expect(plan[system: "ad"]?.operations?.first?.uid == "CN=Bob,OU=People")
    }

    @Test func aPasswordAttributeWithoutAScriptSendsThePasswordItself() throws {
        let system = ConnectorDefinition(
            name: "db", type: "sql",
            attributes: [
                AttributeMapping(name: "login", source: .identity("username"), isUID: true, location: F.here),
                AttributeMapping(name: "__PASSWORD__", isPassword: true, location: F.here),
            ], location: F.here)
        let plan = try F.planner().plan(
            PlanRequest(kind: .change, identity: F.alice, systems: [system], password: F.canary))
        let attribute = try #require(plan[system: "db"]?.operations?.first?[attribute: "__PASSWORD__"])
        #expect(attribute.secretValue == GuardedString(Canary.password))
        #expect(attribute.transformedBy == nil)
    }

    @Test func aScriptReturningNilSendsNil() throws {
        struct NilTransformer: PasswordTransformer {
            func transform(
                script: String, password: GuardedString?, context: TransformationContext
            ) throws(TransformationFailure) -> GuardedString? { nil }
        }
        let plan = try F.planner(NilTransformer()).plan(
            PlanRequest(kind: .change, identity: F.alice, systems: [F.ldap()], password: F.canary))
        let attributes = try #require(plan[system: "ldap"]?.operations).flatMap(\.attributes)
        #expect(attributes.allSatisfy { $0.value == nil && $0.isPassword && $0.transformedBy != nil })
    }

    @Test func capabilitiesAreCheckedBeforePolicies() throws {
        let error = try refusal(
            PlanRequest(
                kind: .change, identity: F.alice,
                systems: [F.ldap(validate: ["missing"]), F.simple(name: "e", type: "entra")], password: F.canary))
        #expect(error.code == .unsupportedOperation)
    }

    @Test func theRequestPasswordDescriptionIsRedacted() {
        #expect(F.canary.description == "chosen(<redacted>)")
        #expect(PlanRequest.Password.generate.description == "generate")
    }
}
