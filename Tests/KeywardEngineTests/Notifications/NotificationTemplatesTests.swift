import Foundation
import KeywardCore
import KeywardEngine
import KeywardTestSupport
import Testing

/// Loading templates: the shipped ones, overrides per system, and every
/// template that would put a secret where it must not be, refused with the
/// file (and line and column) named.
@Suite("Notification templates", .offThePool)
struct NotificationTemplatesTests {
    @Test("the shipped templates load, and every kind renders")
    func shipped() throws {
        let renderer = try MailFixture.renderer()
        for kind in NotificationKind.allCases {
            let mail = try MailFixture.render(
                kind, renderer: renderer, password: kind.carriesPassword ? GuardedString(Canary.password) : nil,
                link: kind == .initializeTwoWay ? GuardedString("https://k.example.org/t/abc") : nil)
            #expect(mail.subject.contains("ldap"), "\(kind)")
            #expect(!mail.subject.contains("{{"))
        }
    }

    @Test(
        "a subject that names the password or the link is refused at load, naming the file, line and column",
        arguments: [
            ("initialize-one-way.subject.mustache", "Welcome, here is {{password}}", ":1:18", "password"),
            ("initialize-one-way.subject.mustache", "Welcome {{{ password }}}", ":1:9", "password"),
            ("initialize-one-way.subject.mustache", "{{#password}}yes{{/password}}", ":1:1", "password"),
            ("initialize-one-way.subject.mustache", "Hi {{=<% %>=}}<% password %>", ":1:15", "password"),
            ("reset.subject.mustache", "A\n  {{& password}}", ":2:3", "password"),
            ("initialize-two-way.subject.mustache", "Go to {{link}}", ":1:7", "one-time link"),
        ])
    func secretInSubject(_ file: String, _ text: String, _ place: String, _ what: String) throws {
        let folder = try TemplateFolderFixture()
        try folder.write("ldap/\(file)", text)
        let error = try #require(folder.loadError())
        #expect(error.kind == .template)
        #expect(error.message.contains("ldap/\(file)\(place): the subject cannot hold the \(what)"), "\(error.message)")
    }

    @Test("a comment may mention the password; a subject with only other names loads")
    func harmlessSubject() throws {
        let folder = try TemplateFolderFixture()
        try folder.write("ldap/initialize-one-way.subject.mustache", "{{! never the password here }}Account for {{person.username}}")
        #expect(folder.loadError() == nil)
    }

    @Test("a confirmation that shows the password is refused; one-way and two-way must show theirs")
    func bodyRules() throws {
        let folder = try TemplateFolderFixture()
        try folder.write("ldap/reset.html.mustache", "<p>{{password}}</p>")
        try folder.write("initialize-one-way.text.mustache", "No password here, {{person.displayName}}")
        try folder.write("hr/initialize-two-way.html.mustache", "<p>Hello</p>")
        try folder.write("reset-one-way.html.mustache", "<p>Your password was reset</p>")
        let error = try #require(folder.loadError())
        #expect(
            error.message.contains(
                "ldap/reset.html.mustache:1:4: only initialize-one-way and reset-one-way mails carry the password"))
        #expect(error.message.contains("/reset-one-way.html.mustache: a generated reset (reset-one-way) mail must show the password"))
        #expect(error.message.contains("/initialize-one-way.text.mustache: a one-way initialization mail must show the password"))
        #expect(error.message.contains("hr/initialize-two-way.html.mustache: a two-way initialization mail must show the link"))
    }

    @Test("a misspelt file, a missing default, a syntax error, a missing folder: each named")
    func badFiles() throws {
        let folder = try TemplateFolderFixture()
        try folder.write("ldap/initialise-one-way.subject.mustache", "Hi")
        try folder.remove("unlock.html.mustache")
        try folder.write("change.text.mustache", "Hello {{#person}}{{username}}{{/persons}}")
        let error = try #require(folder.loadError())
        #expect(error.message.contains("ldap/initialise-one-way.subject.mustache: not a template name Keyward knows"))
        #expect(error.message.contains("/unlock.html.mustache is missing"))
        #expect(error.message.contains("/change.text.mustache:1:"))
        #expect(error.message.contains("Mustache syntax error"))
        #expect(throws: MailError.self) { try NotificationTemplates.load(folder: folder.path + "/nowhere") }
    }

    @Test("a system's folder overrides part by part; a connector's folder replaces TEMPLATES/SYSTEM")
    func overrides() throws {
        let folder = try TemplateFolderFixture()
        try folder.write("ldap/reset.subject.mustache", "LDAP reset for {{person.username}}")
        try folder.write("elsewhere/reset.subject.mustache", "HR says: reset for {{person.username}}")
        let templates = try folder.load(systemFolders: ["hr": folder.path + "/elsewhere"])
        let renderer = NotificationRenderer(templates: templates, sender: MailFixture.sender)
        func subject(_ system: String) throws -> String {
            let context = MailFixture.context(system: NotificationSystem(name: system))
            return try #require(try renderer.render(kind: .reset, context: context)).subject
        }
        #expect(try subject("ldap") == "LDAP reset for jdoe")
        #expect(try subject("hr") == "HR says: reset for jdoe")
        #expect(try subject("crm") == "The password of your crm account was reset")
        let ldap = try #require(try renderer.render(kind: .reset, context: MailFixture.context()))
        #expect(MailFixture.text(of: ldap).contains("was reset"))
        #expect(templates.systemsWithOverrides == ["elsewhere", "hr", "ldap"])
    }

    @Test("the password goes only where it belongs")
    func passwordArguments() throws {
        let renderer = try MailFixture.renderer()
        let context = MailFixture.context()
        #expect(throws: MailError.self) { try renderer.render(kind: .initializeOneWay, context: context) }
        #expect(throws: MailError.self) { try renderer.render(kind: .reset, context: context, password: GuardedString("x")) }
        #expect(throws: MailError.self) { try renderer.render(kind: .initializeTwoWay, context: context) }
    }

    @Test("a password hidden in a section that does not render is caught when rendering")
    func hiddenPassword() throws {
        let folder = try TemplateFolderFixture()
        try folder.write("ldap/initialize-one-way.text.mustache", "{{#requester}}{{password}}{{/requester}}")
        let renderer = NotificationRenderer(templates: try folder.load(), sender: MailFixture.sender)
        var context = MailFixture.context()
        context.requester = nil
        #expect {
            try renderer.render(kind: .initializeOneWay, context: context, password: GuardedString(Canary.password))
        } throws: { error in
            (error as? MailError)?.message.contains("rendered without the password") == true
        }
    }
}
