import KeywardCore
import KeywardEngine
import KeywardTestSupport
import Testing

/// Who gets which mail: defaults, per-kind and per-system rules, and the
/// errors for people without an address.
@Suite("Recipient rules", .offThePool)
struct RecipientRulesTests {
    static let person = MailFixture.person

    @Test("without rules the person gets every mail")
    func defaults() throws {
        let rules = RecipientRules()
        for kind in NotificationKind.allCases {
            #expect(try rules.addresses(for: kind, system: "ldap", person: Self.person).map(\.address) == ["jdoe@example.org"])
        }
    }

    @Test("`all`, per-kind rules, and a system's rules that replace the defaults for the kinds they name")
    func layers() throws {
        let defaults = try RecipientRules.parse(
            ["all": ["person", "audit@example.org"], "reset": ["manager"]], place: "mail.recipients")
        let hr = try RecipientRules.parse(["unlock": ["Helpdesk <helpdesk@example.org>"], "change": []], place: "hr")
        let rules = RecipientRules(defaults: defaults, systems: ["hr": hr])
        func addresses(_ kind: NotificationKind, _ system: String) throws -> [String] {
            try rules.addresses(for: kind, system: system, person: Self.person).map(\.address)
        }
        #expect(try addresses(.initializeOneWay, "ldap") == ["jdoe@example.org", "audit@example.org"])
        #expect(try addresses(.reset, "ldap") == ["boss@example.org"])
        #expect(try addresses(.unlock, "hr") == ["helpdesk@example.org"])
        #expect(try addresses(.change, "hr") == [])
        #expect(try addresses(.reset, "hr") == ["boss@example.org"])
        let renderer = try MailFixture.renderer(recipients: rules)
        #expect(try renderer.render(kind: .change, context: MailFixture.context(system: NotificationSystem(name: "hr"))) == nil)
    }

    @Test("each address once, whatever the rules repeat")
    func duplicates() throws {
        let rules = RecipientRules(defaults: try RecipientRules.parse(["all": ["person", "JDOE@example.org"]], place: "x"))
        #expect(try rules.addresses(for: .unlock, system: "ldap", person: Self.person).count == 1)
    }

    @Test("a person or manager without an address: an error naming the person, the mail and the system")
    func missing() throws {
        let noMail = Identity(username: "nomail", givenName: "No", familyName: "Mail")
        #expect {
            try RecipientRules().addresses(for: .initializeOneWay, system: "ldap", person: noMail)
        } throws: { error in
            let error = error as! MailError
            return error.kind == .missingAddress && error.message.contains("nomail has no mail address (`email`)")
                && error.message.contains("initialize-one-way mail about the account on ldap")
        }
        let rules = RecipientRules(defaults: [.reset: [.manager]])
        #expect {
            try rules.addresses(for: .reset, system: "hr", person: noMail)
        } throws: { error in
            (error as! MailError).message.contains("the manager of nomail has no mail address (`managerEmail`)")
        }
        let odd = Identity(username: "odd", email: "not an address")
        #expect(throws: MailError.self) { try RecipientRules().addresses(for: .unlock, system: "ldap", person: odd) }
    }

    @Test("rules that cannot be used are refused, saying where")
    func badRules() {
        for (rules, words) in [
            (["resett": ["person"]], "`resett` is not a notification kind"),
            (["reset": ["bob"]], "recipient `bob` is not a mail address"),
            (["all": []], "initialize-one-way needs a recipient"),
            (["reset": ["Bob <bob@exämple.org>"]], "not a mail address"),
        ] {
            #expect {
                _ = try RecipientRules.parse(rules, place: "connectors/hr.yaml notifications.recipients")
            } throws: { error in
                let message = (error as! MailError).message
                return message.hasPrefix("connectors/hr.yaml notifications.recipients: ") && message.contains(words)
            }
        }
    }
}
