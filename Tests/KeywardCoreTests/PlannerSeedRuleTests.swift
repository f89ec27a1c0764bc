import KeywardCore
import KeywardTestSupport
import Testing

/// Each rule of DESIGN.md "Rules from the seeds" that the planner enforces,
/// in a test named after it.
@Suite("Planner: rules from the seeds", .offThePool)
struct PlannerSeedRuleTests {
    typealias F = PlannerFixtures

    // MARK: Create and change

    @Test("create sends the password with all other attributes in one operation")
    func createSendsEverythingInOneOperation() throws {
        let plan = try F.planner().plan(
            PlanRequest(kind: .create, identity: F.alice, systems: [F.ldap()], password: F.canary))
        let operations = try #require(plan[system: "ldap"]?.operations)
        #expect(operations.count == 1)
        let create = try #require(operations.first)
        #expect(create.kind == .create)
        #expect(create.uid == "alice")
        #expect(create.attributes.map(\.name) == ["uid", "mail", "__PASSWORD__", "ou", "sambaNTPassword"])
        #expect(create[attribute: "uid"]?.plainValue == "alice")
        #expect(create[attribute: "mail"]?.plainValue == "alice@example.com")
        #expect(create[attribute: "ou"]?.plainValue == "people")
        #expect(
            create[attribute: "__PASSWORD__"]?.secretValue
                == RecordingTransformer.expected("scripts/ldap.lua", Canary.password))
        #expect(
            create[attribute: "sambaNTPassword"]?.secretValue
                == RecordingTransformer.expected("scripts/nt-hash.lua", Canary.password))
    }

    @Test(
        "a password change sends __PASSWORD__ with the uid alone, then the other password attributes in a second operation"
    )
    func changeSplitsThePasswordAttributes() throws {
        let plan = try F.planner().plan(
            PlanRequest(kind: .change, identity: F.alice, systems: [F.ldap()], password: F.canary))
        let operations = try #require(plan[system: "ldap"]?.operations)
        #expect(operations.map(\.kind) == [.update, .update])
        #expect(operations.map(\.uid) == ["alice", "alice"])
        #expect(operations[0].attributes.map(\.name) == ["__PASSWORD__"])
        #expect(operations[1].attributes.map(\.name) == ["sambaNTPassword"])
        #expect(operations.allSatisfy { $0.attributes.allSatisfy(\.isPassword) })
        #expect(
            operations[0][attribute: "__PASSWORD__"]?.secretValue
                == RecordingTransformer.expected("scripts/ldap.lua", Canary.password))
    }

    @Test("sendPasswordAttributesTogether makes one operation with the uid and every password attribute")
    func togetherMakesOneOperation() throws {
        let plan = try F.planner().plan(
            PlanRequest(kind: .change, identity: F.alice, systems: [F.ldap(together: true)], password: F.canary))
        let operations = try #require(plan[system: "ldap"]?.operations)
        #expect(operations.count == 1)
        #expect(operations[0].kind == .update)
        #expect(operations[0].uid == "alice")
        #expect(operations[0].attributes.map(\.name) == ["__PASSWORD__", "sambaNTPassword"])
    }

    @Test("sendPasswordAttributesTogether does not change account creation")
    func togetherDoesNotChangeCreate() throws {
        let plan = try F.planner().plan(
            PlanRequest(kind: .create, identity: F.alice, systems: [F.ldap(together: true)], password: F.canary))
        let operations = try #require(plan[system: "ldap"]?.operations)
        #expect(operations.count == 1)
        #expect(operations[0].attributes.count == 5)
    }

    @Test(
        "reset and initialize of an existing account are password changes",
        arguments: [PlanRequest.Kind.reset, .initialize])
    func resetAndInitializeAreChanges(kind: PlanRequest.Kind) throws {
        let plan = try F.planner().plan(
            PlanRequest(kind: kind, identity: F.alice, systems: [F.ldap()], password: F.canary))
        let operations = try #require(plan[system: "ldap"]?.operations)
        #expect(operations.map { $0.attributes.map(\.name) } == [["__PASSWORD__"], ["sambaNTPassword"]])
        #expect(operations.allSatisfy { $0.kind == .update })
    }

    @Test("a password change with only __PASSWORD__ mapped is one operation")
    func changeWithOnlyTheMainPassword() throws {
        let plan = try F.planner().plan(
            PlanRequest(
                kind: .change, identity: F.alice, systems: [F.simple(name: "dir", type: "ldap")], password: F.canary))
        let operations = try #require(plan[system: "dir"]?.operations)
        #expect(operations.map { $0.attributes.map(\.name) } == [["__PASSWORD__"]])
        #expect(operations[0].uid == "alice@example.com")
    }

    // MARK: Password attributes and scripts

    @Test("__PASSWORD__ and every password attribute carry isPassword")
    func passwordAttributesAreMarked() throws {
        let plan = try F.planner().plan(
            PlanRequest(kind: .create, identity: F.alice, systems: [F.ldap()], password: F.canary))
        let create = try #require(plan[system: "ldap"]?.operations?.first)
        let marked = create.attributes.filter(\.isPassword).map(\.name)
        #expect(marked == ["__PASSWORD__", "sambaNTPassword"])
        #expect(create.attributes.filter { !$0.isPassword }.allSatisfy { $0.secretValue == nil })
    }

    @Test("non-password attributes take their values from identity fields and constants")
    func plainAttributesComeFromTheIdentity() throws {
        let here = F.here
        let system = ConnectorDefinition(
            name: "hr", type: "sql",
            attributes: [
                AttributeMapping(name: "login", source: .identity("username"), isUID: true, location: here),
                AttributeMapping(name: "first", source: .identity("givenName"), location: here),
                AttributeMapping(name: "last", source: .identity("familyName"), location: here),
                AttributeMapping(name: "boss", source: .identity("managerEmail"), location: here),
                AttributeMapping(name: "dept", source: .identity("attributes.department"), location: here),
                AttributeMapping(name: "kind", source: .constant("employee"), location: here),
                AttributeMapping(name: "empty", location: here),
                AttributeMapping(name: "__PASSWORD__", isPassword: true, location: here),
            ], location: here)
        let plan = try F.planner().plan(
            PlanRequest(kind: .create, identity: F.alice, systems: [system], password: F.canary))
        let create = try #require(plan[system: "hr"]?.operations?.first)
        let plain = create.attributes.filter { !$0.isPassword }.map { "\($0.name)=\($0.plainValue ?? "nil")" }
        #expect(
            plain == [
                "login=alice", "first=Alice", "last=Liddell", "boss=nil", "dept=Research", "kind=employee", "empty=nil",
            ])
    }

    @Test("every password attribute is transformed by its script before provisioning")
    func everyPasswordAttributeIsTransformed() throws {
        let transformer = RecordingTransformer()
        let plan = try F.planner(transformer).plan(
            PlanRequest(kind: .change, identity: F.alice, systems: [F.ldap()], password: F.canary))
        #expect(transformer.calls.map(\.script) == ["scripts/ldap.lua", "scripts/nt-hash.lua"])
        let sent = try #require(plan[system: "ldap"]?.operations).flatMap(\.attributes)
        #expect(sent.map(\.transformedBy) == ["scripts/ldap.lua", "scripts/nt-hash.lua"])
        #expect(sent.allSatisfy { $0.secretValue != GuardedString(Canary.password) })
    }

    @Test("a script sees the system, attribute, operation, uid and the non-secret attributes")
    func scriptsSeeTheirContext() throws {
        let transformer = RecordingTransformer()
        _ = try F.planner(transformer).plan(
            PlanRequest(
                kind: .reset, identity: F.alice, systems: [F.ldap()], password: F.canary, uids: ["ldap": "uid=alice"]))
        let context = try #require(transformer.calls.first?.context)
        #expect(context.system == "ldap")
        #expect(context.attribute == "__PASSWORD__")
        #expect(context.operation == .reset)
        #expect(context.uid == "uid=alice")
        #expect(context.attributes == ["uid": "alice", "mail": "alice@example.com", "ou": "people"])
        #expect(transformer.calls.map(\.context.attribute) == ["__PASSWORD__", "sambaNTPassword"])
    }

    @Test("one password goes to every script of the request, across all systems")
    func onePasswordForEveryScript() throws {
        let transformer = RecordingTransformer()
        let systems = [F.ldap(), F.simple(name: "ad", type: "ad"), F.simple(name: "sql", type: "sql")]
        _ = try F.planner(transformer).plan(
            PlanRequest(kind: .change, identity: F.alice, systems: systems, password: F.canary))
        let calls = transformer.calls
        #expect(calls.count == 4)
        #expect(Set(calls.map(\.context.system)) == ["ldap", "ad", "sql"])
        let canary = GuardedString(Canary.password)
        #expect(calls.allSatisfy { $0.password == canary })
    }

    @Test("a generated password is generated once and the identical password goes to every script")
    func oneGeneratedPasswordForEveryScript() throws {
        let transformer = RecordingTransformer()
        let systems = [F.ldap(generate: "strong"), F.simple(name: "ad", type: "ad")]
        let plan = try F.planner(transformer).plan(
            PlanRequest(kind: .create, identity: F.alice, systems: systems, password: .generate))
        let generated = try #require(plan.password)
        let calls = transformer.calls
        #expect(calls.count == 3)
        #expect(calls.allSatisfy { $0.password === generated })
        #expect(calls.allSatisfy { $0.password == generated })
    }

    // MARK: Generation

    @Test("the password is generated by the system's generate policy")
    func generationUsesTheSystemsPolicy() throws {
        let plan = try F.planner(defaultGenerate: "strong").plan(
            PlanRequest(
                kind: .create, identity: F.alice, systems: [F.ldap(generate: "digits")], password: .generate))
        #expect(plan.generatePolicy == "digits")
        let password = try #require(plan.password).testPlaintext
        #expect(password.count == 16 && password.allSatisfy(\.isNumber))
    }

    @Test("without a system generate policy the password is generated by the default generate policy")
    func generationFallsBackToTheDefault() throws {
        let plan = try F.planner(defaultGenerate: "digits").plan(
            PlanRequest(kind: .create, identity: F.alice, systems: [F.ldap()], password: .generate))
        #expect(plan.generatePolicy == "digits")
        #expect(try #require(plan.password).testPlaintext.count == 16)
    }

    @Test("without any generate policy no password is generated and nil goes into every script")
    func withoutGeneratePolicyNilGoesIntoEveryScript() throws {
        let transformer = RecordingTransformer()
        let plan = try F.planner(transformer).plan(
            PlanRequest(
                kind: .create, identity: F.alice, systems: [F.ldap(), F.simple(name: "ad", type: "ad")],
                password: .generate))
        #expect(plan.password == nil)
        #expect(plan.generatePolicy == nil)
        #expect(transformer.calls.count == 3)
        #expect(transformer.calls.allSatisfy { $0.password == nil })
        let create = try #require(plan[system: "ldap"]?.operations?.first)
        #expect(create[attribute: "__PASSWORD__"].map { $0.value == nil } == true)
        #expect(create[attribute: "__PASSWORD__"]?.isPassword == true)
    }

    @Test(
        "several generate policies: one password from the first system's, paired with every system's validate policies"
    )
    func severalGeneratePolicies() throws {
        let systems = [
            F.simple(name: "first", type: "ldap", validate: ["corporate"]),
            F.simple(name: "second", type: "ad", generate: "strong"),
            F.simple(name: "third", type: "sql", generate: "digits", validate: ["fourDigits"]),
        ]
        for _ in 0..<50 {
            let plan = try F.planner().plan(
                PlanRequest(kind: .initialize, identity: F.alice, systems: systems, password: .generate))
            #expect(plan.generatePolicy == "strong")
            let password = try #require(plan.password).testPlaintext
            #expect(password.count == 24)
            #expect(password.filter(\.isNumber).count >= 4)
            #expect(plan.isComplete)
        }
    }

    // MARK: Validation

    @Test(
        "the password is checked against the validate policies of every system it reaches and the default, before any operation exists"
    )
    func validationComesFirst() throws {
        let transformer = RecordingTransformer()
        let systems = [F.ldap(validate: ["corporate"]), F.simple(name: "ad", type: "ad", validate: ["long"])]
        let error = #expect(throws: PlanningError.self) {
            try F.planner(transformer, defaultValidate: ["short"]).plan(
                PlanRequest(
                    kind: .change, identity: F.alice, systems: systems,
                    password: .chosen(GuardedString("aB3$efghijkl"))))
        }
        #expect(error?.code == .policyViolation)
        #expect(transformer.calls.isEmpty)
        #expect(error?.violations.map(\.system) == ["ad"])
        #expect(error?.violations.first?.violations.map(\.policy) == ["long"])
    }

    @Test("policy failures are listed per system, the default policies included")
    func violationsArePerSystem() throws {
        let systems = [F.ldap(validate: ["corporate"]), F.simple(name: "ad", type: "ad", validate: ["long"])]
        let error = #expect(throws: PlanningError.self) {
            try F.planner(defaultValidate: ["short"]).plan(
                PlanRequest(
                    kind: .change, identity: F.alice, systems: systems,
                    password: .chosen(GuardedString("lowercase only and much too long for short"))))
        }
        let violations = try #require(error?.violations)
        #expect(violations.map(\.system) == ["ldap", "ad"])
        #expect(Set(violations[0].violations.map(\.policy)) == ["corporate", "short"])
        #expect(Set(violations[1].violations.map(\.policy)) == ["short"])
        #expect(error?.description.contains("ldap: ") == true)
        #expect(error?.description.contains("ad: ") == true)
    }

    @Test("a generated password is checked like a chosen one")
    func generatedPasswordsAreValidated() throws {
        // "digits" cannot satisfy "corporate"; the generator is told so, and if
        // it still produced one, validation would stop it: either way, no plan.
        let transformer = RecordingTransformer()
        #expect(throws: PlanningError.self) {
            try F.planner(transformer).plan(
                PlanRequest(
                    kind: .create, identity: F.alice, systems: [F.ldap(generate: "digits", validate: ["corporate"])],
                    password: .generate))
        }
        #expect(transformer.calls.isEmpty)
    }

    // MARK: Script errors

    @Test("a script error aborts the request for that system with the script id and a fixed code")
    func scriptErrorAbortsTheSystem() throws {
        let transformer = FailingTransformer(failing: ["scripts/ldap.lua"], code: .budget)
        let plan = try F.planner(transformer).plan(
            PlanRequest(kind: .change, identity: F.alice, systems: [F.ldap()], password: F.canary))
        let error = try #require(plan[system: "ldap"]?.error)
        #expect(plan[system: "ldap"]?.operations == nil)
        #expect(error.code == .scriptFailed)
        #expect(error.system == "ldap")
        #expect(error.attribute == "__PASSWORD__")
        #expect(error.scriptID == "scripts/ldap.lua")
        #expect(error.scriptFailure == .budget)
        #expect(!plan.isComplete)
        // The system's later scripts do not run once one failed.
        #expect(transformer.recorder.calls.map(\.script) == ["scripts/ldap.lua"])
    }

    @Test("a script error leaves the other systems' plans standing")
    func scriptErrorLeavesOtherSystems() throws {
        let transformer = FailingTransformer(failing: ["scripts/ad.lua"])
        let plan = try F.planner(transformer).plan(
            PlanRequest(
                kind: .change, identity: F.alice,
                systems: [F.ldap(), F.simple(name: "ad", type: "ad"), F.simple(name: "sql", type: "sql")],
                password: F.canary))
        #expect(plan.systems.map(\.system) == ["ldap", "ad", "sql"])
        #expect(plan[system: "ldap"]?.operations?.count == 2)
        #expect(plan[system: "ad"]?.error?.scriptID == "scripts/ad.lua")
        #expect(plan[system: "sql"]?.operations?.count == 1)
        #expect(plan.failures.map(\.system) == ["ad"])
    }

    // MARK: Capabilities

    @Test(
        "an operation the system's type does not support is an error before anything runs",
        arguments: [("entra", PlanRequest.Kind.change), ("servicenow", .change), ("servicenow", .reset)])
    func unsupportedOperationComesFirst(type: String, kind: PlanRequest.Kind) throws {
        let transformer = RecordingTransformer()
        let systems = [F.ldap(generate: "strong"), F.simple(name: "cloud", type: type)]
        let error = #expect(throws: PlanningError.self) {
            try F.planner(transformer).plan(
                PlanRequest(kind: kind, identity: F.alice, systems: systems, password: .generate))
        }
        #expect(error?.code == .unsupportedOperation)
        #expect(error?.system == "cloud")
        #expect(error?.message.contains("does not support password \(kind.rawValue)") == true)
        #expect(transformer.calls.isEmpty)
    }

    @Test(
        "an operation the system's type supports is planned",
        arguments: [
            ("entra", PlanRequest.Kind.initialize), ("entra", .reset), ("entra", .create), ("servicenow", .initialize),
            ("servicenow", .create), ("ad", .change), ("ldap", .reset),
        ])
    func supportedOperationIsPlanned(type: String, kind: PlanRequest.Kind) throws {
        let plan = try F.planner().plan(
            PlanRequest(kind: kind, identity: F.alice, systems: [F.simple(name: "s", type: type)], password: F.canary))
        #expect(plan.isComplete)
    }
}
