import KeywardTestSupport
import Testing
@testable import KeywardCore

/// A declared schema may narrow what a system reports, never claim more.
@Suite("Schema: declared against discovered", .offThePool)
struct SchemaComparisonTests {
    static let system: [AttributeSchema] = [
        AttributeSchema(name: "uid", required: true),
        AttributeSchema(name: "mail", multivalued: true),
        AttributeSchema(name: "employeeNumber", updatable: false),
        AttributeSchema.password,
        AttributeSchema(name: "sambaNTPassword", type: .guardedString, readable: false),
    ]

    @Test func aDeclarationThatNarrowsTheSystemIsFine() {
        let declared = [
            AttributeSchema(name: "uid"),
            AttributeSchema(name: "mail", multivalued: true, required: false),
            AttributeSchema(name: "employeeNumber", updatable: false),
            AttributeSchema.password,
            AttributeSchema(name: "sambanTPassword", type: .guardedString, updatable: false, readable: false),
        ]
        #expect(SchemaComparison.differences(declared: declared, discovered: Self.system).isEmpty)
    }

    @Test func anAttributeTheSystemLacksIsAnError() {
        let differences = SchemaComparison.differences(
            declared: [AttributeSchema(name: "uid"), AttributeSchema(name: "shoeSize")], discovered: Self.system)
        #expect(differences == [.init(
            severity: .error, attribute: "shoeSize",
            message: "the system does not have this attribute; remove it or correct its name")])
    }

    @Test func aDifferentTypeIsAnError() {
        let differences = SchemaComparison.differences(
            declared: [AttributeSchema(name: "uid"), AttributeSchema(name: "__PASSWORD__", type: .string)],
            discovered: Self.system)
        #expect(differences.map(\.severity) == [.error])
        #expect(differences.first?.message.contains("guardedString") == true)
    }

    @Test func claimingAnAbilityTheSystemLacksIsAnError() {
        let differences = SchemaComparison.differences(
            declared: [
                AttributeSchema(name: "uid"), AttributeSchema(name: "employeeNumber"),
                AttributeSchema(name: "sambaNTPassword", type: .guardedString),
            ],
            discovered: Self.system)
        #expect(differences.map(\.attribute) == ["employeeNumber", "sambaNTPassword"])
        #expect(differences.allSatisfy { $0.severity == .error })
        #expect(differences[0].message.contains("updatable: false"))
        #expect(differences[1].message.contains("readable: false"))
    }

    @Test func multivaluedAndRequiredDifferencesAreWarnings() {
        let differences = SchemaComparison.differences(
            declared: [AttributeSchema(name: "mail")], discovered: Self.system)
        #expect(differences.map(\.severity) == [.warning, .warning])
        #expect(differences.map(\.attribute) == ["mail", "uid"])
    }
}
