import Foundation
import KeywardCore
import KeywardTestSupport
import Testing

@testable import KeywardConfiguration

/// `mail:` in keyward.yaml and `notifications:` in connector files: decoded,
/// checked with file, line and column, and accepted by the JSON Schemas.
@Suite("Mail settings", .offThePool)
struct MailSettingsTests {
    static let mail = """
        mail:
          from: Keyward <keyward@example.org>
          smtp:
            url: smtp://mail.example.org:587
            username: keyward
            password: ${env:KEYWARD_SMTP_PASSWORD}
            caCertificate: ca.pem
            connectTimeoutSeconds: 5
            timeoutSeconds: 30
          transferEncoding: base64
          timeZone: Europe/Paris
          recipients:
            all: [person]
            reset: [person, manager, Helpdesk <helpdesk@example.org>]

        """

    static let notifications = """
        description: The staff directory
        notifications:
          templates: templates/ldap-custom
          recipients:
            initialize-one-way: [manager]

        """

    static func folder(_ mail: String = mail, connector: String = notifications) throws -> ConfigFolder {
        try ConfigFolder([
            "keyward.yaml": Baseline.keyward + mail, "connectors/ldap.yaml": Baseline.ldap + connector,
            "ca.pem": "-----BEGIN CERTIFICATE-----\n", "templates/reset.subject.mustache": "Reset",
            "templates/ldap-custom/reset.subject.mustache": "Reset on LDAP",
        ])
    }

    @Test("a full `mail:` and a connector's `notifications:` decode")
    func decodes() throws {
        let result = try Self.folder().load()
        #expect(result.errors.isEmpty, "\(result.errors)")
        let mail = try #require(result.configuration.mail)
        #expect(mail.from == "Keyward <keyward@example.org>")
        #expect(mail.templates == "templates")
        #expect(mail.transferEncoding == "base64")
        #expect(mail.timeZone == "Europe/Paris")
        #expect(mail.recipients == ["all": ["person"], "reset": ["person", "manager", "Helpdesk <helpdesk@example.org>"]])
        guard case .smtp(let smtp) = mail.transport else { throw ConfigurationError(.invalidValue, "not smtp", at: nil) }
        #expect(smtp.url == "smtp://mail.example.org:587")
        #expect(smtp.username == "keyward")
        #expect(smtp.password?.description == "${env:KEYWARD_SMTP_PASSWORD}")
        #expect(smtp.caCertificate == "ca.pem")
        #expect(smtp.connectTimeoutSeconds == 5 && smtp.timeoutSeconds == 30)
        let ldap = try #require(result.configuration.notifications["ldap"])
        #expect(ldap == ConnectorNotifications(
            templates: "templates/ldap-custom", recipients: ["initialize-one-way": ["manager"]],
            systemDescription: "The staff directory"))
    }

    @Test("a folder transport; no `mail:` at all is fine")
    func folderAndNone() throws {
        let folder = try Self.folder("mail:\n  from: keyward@example.org\n  folder: var/mail\n", connector: "")
        let result = try folder.load()
        #expect(result.errors.isEmpty, "\(result.errors)")
        #expect(result.configuration.mail?.transport == .folder(path: "var/mail"))
        #expect(result.configuration.notifications.isEmpty)
        let none = try ConfigFolder().load()
        #expect(none.configuration.mail == nil)
    }

    @Test(
        "bad mail settings: each reported where it is, secrets never repeated",
        arguments: [
            ("    password: ${env:KEYWARD_SMTP_PASSWORD}", "    password: Hunter2-Secret", "mail.smtp.password` holds a literal password"),
            ("smtp://mail.example.org:587", "smtp://k:Hunter2-Secret@mail.example.org", "holds a password"),
            ("smtp://mail.example.org:587", "http://mail.example.org", "must be smtp://HOST:PORT"),
            ("    username: keyward\n", "", "`username` and `password` together"),
            ("transferEncoding: base64", "transferEncoding: base65", "did you mean `base64`?"),
            ("timeZone: Europe/Paris", "timeZone: Mars/Olympus", "is not a time zone"),
            ("reset: [person, manager", "resett: [person, manager", "unknown key `resett`"),
            ("all: [person]", "all: [bob]", "`bob` is not `person`, `manager`, nor a mail address"),
            ("all: [person]", "initialize-one-way: []", "leaves one-way initialization mails without a recipient"),
            ("caCertificate: ca.pem", "caCertificate: missing.pem", "is not a readable file"),
            ("  from: Keyward <keyward@example.org>\n", "", "missing required key `from`"),
            ("    timeoutSeconds: 30", "    timeoutSeconds: 3000", "between 1 and 600 seconds"),
        ])
    func badMail(_ old: String, _ new: String, _ words: String) throws {
        let folder = try Self.folder(Self.mail.replacingOccurrences(of: old, with: new))
        let result = try folder.load()
        let messages = result.errors.map(\.description)
        #expect(messages.contains { $0.contains(words) && $0.contains("keyward.yaml:") }, "\(messages)")
        #expect(!messages.joined().contains("Hunter2-Secret"))
        #expect(result.configuration.mail == nil)
    }

    @Test("smtp and folder together, or neither, are refused")
    func transports() throws {
        let both = try Self.folder(Self.mail + "  folder: var/mail\n").load()
        #expect(both.errors.contains { $0.message.contains("not both") })
        let neither = try Self.folder("mail:\n  from: keyward@example.org\n").load()
        #expect(neither.errors.contains { $0.message.contains("needs `smtp`") })
    }

    @Test("bad `notifications:` in a connector file: the file is reported and left out")
    func badNotifications() throws {
        for (text, words) in [
            ("notifications:\n  templates: nowhere\n", "`notifications.templates` `nowhere` is not a folder"),
            ("notifications:\n  recipients: { unlok: [person] }\n", "did you mean `unlock`?"),
            ("notifications:\n  recipient: {}\n", "did you mean `recipients`?"),
        ] {
            let result = try Self.folder(connector: text).load()
            #expect(result.errors.contains { $0.message.contains(words) && $0.location?.file.hasSuffix("connectors/ldap.yaml") == true },
                    "\(result.errors)")
            #expect(result.configuration.connectors.isEmpty)
        }
    }

    @Test("the JSON Schemas accept the examples and refuse the malformed")
    func schemas() throws {
        let folder = try Self.folder()
        try folder.write("bad-main.yaml", Baseline.keyward + Self.mail.replacingOccurrences(of: "all: [person]", with: "al: [person]"))
        try folder.write("bad-connector.yaml", Baseline.ldap + "notifications:\n  recipients: { reset: person }\n")
        let path = { (name: String) in folder.url.appendingPathComponent(name).path }
        let results = try JSONSchemaTests.validate([
            (JSONSchemaTests.mainSchema, folder.configPath), (JSONSchemaTests.connectorSchema, path("connectors/ldap.yaml")),
            (JSONSchemaTests.mainSchema, path("bad-main.yaml")), (JSONSchemaTests.connectorSchema, path("bad-connector.yaml")),
        ])
        #expect(results[folder.configPath] == [])
        #expect(results[path("connectors/ldap.yaml")] == [])
        #expect(results[path("bad-main.yaml")]?.isEmpty == false)
        #expect(results[path("bad-connector.yaml")]?.isEmpty == false)
    }
}
