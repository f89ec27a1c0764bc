import Foundation
import KeywardConfiguration
import KeywardCore
import KeywardTestSupport
import Testing

@Suite("Secret references", .offThePool)
struct SecretReferenceTests {
    @Test(
        "valid references parse",
        arguments: [
            ("${env:KEYWARD_LDAP_BIND_PASSWORD}", SecretReference.Source.environment(name: "KEYWARD_LDAP_BIND_PASSWORD")),
            ("${env:_x1}", .environment(name: "_x1")),
            ("${file:/run/secrets/bind}", .file(path: "/run/secrets/bind")),
            ("${file:secrets/bind password.txt}", .file(path: "secrets/bind password.txt")),
        ])
    func valid(_ text: String, _ source: SecretReference.Source) {
        #expect(SecretReference(parsing: text)?.source == source)
        #expect(SecretReference(parsing: text)?.description == text)
    }

    @Test(
        "anything else is not a reference",
        arguments: ["plain", "$env:X", "${env:}", "${env:1X}", "${env:A-B}", "${ENV:X}", "${vault:x}", "${file:}", "${file: x}", "x${env:X}", "${env:X}y", "${env:X}${env:Y}", "${env:X"])
    func invalid(_ text: String) {
        #expect(SecretReference(parsing: text) == nil)
    }

    @Test("a reference and a connection value convert both ways")
    func connectionValues() {
        #expect(SecretReference(.environment("A"))?.connectionValue == .environment("A"))
        #expect(SecretReference(.file("f"))?.connectionValue == .file("f"))
        #expect(SecretReference(.plain("p")) == nil)
    }

    @Test("an environment variable resolves into a GuardedString")
    func environment() throws {
        let reference = try #require(SecretReference(parsing: "${env:BIND}"))
        let secret = try reference.resolve(environment: ["BIND": Canary.password])
        #expect(secret == GuardedString(Canary.password))
        #expect("\(secret)" == GuardedString.redacted)
    }

    @Test("without a dictionary, the process environment is read at the moment of use")
    func processEnvironment() throws {
        let name = "KEYWARD_TEST_SECRET_\(UInt32.random(in: 0...UInt32.max))"
        let reference = SecretReference(.environment(name: name))
        #expect(throws: ConfigurationError.self) { try reference.resolve() }
        setenv(name, Canary.password, 1)
        defer { unsetenv(name) }
        #expect(try reference.resolve() == GuardedString(Canary.password))
    }

    @Test("a missing variable names the variable and what to do")
    func missingVariable() throws {
        let reference = SecretReference(.environment(name: "KEYWARD_NOT_SET"))
        do {
            _ = try reference.resolve(environment: [:])
            Issue.record("resolved a variable that is not set")
        } catch {
            #expect(error.code == .secretUnavailable)
            #expect(error.message.contains("environment variable `KEYWARD_NOT_SET` is not set"))
            #expect(error.message.contains("export it"))
        }
    }

    @Test("an empty variable is refused")
    func emptyVariable() throws {
        let reference = SecretReference(.environment(name: "EMPTY"))
        #expect(throws: ConfigurationError.self) { try reference.resolve(environment: ["EMPTY": ""]) }
    }

    @Test("a file resolves relative to keyward.yaml's folder, one trailing newline stripped")
    func file() throws {
        let folder = try ConfigFolder(["secrets/bind": Canary.password + "\n"], baseline: false)
        let reference = try #require(SecretReference(parsing: "${file:secrets/bind}", relativeTo: folder.url.path))
        #expect(try reference.resolve() == GuardedString(Canary.password))
        try folder.write("secrets/crlf", Canary.password + "\r\n")
        #expect(try SecretReference(.file(path: "secrets/crlf"), relativeTo: folder.url.path).resolve() == GuardedString(Canary.password))
        try folder.write("secrets/two", Canary.password + "\n\n")
        #expect(try SecretReference(.file(path: "secrets/two"), relativeTo: folder.url.path).resolve() == GuardedString(Canary.password + "\n"))
    }

    @Test("a missing file names the path, never a value")
    func missingFile() throws {
        let reference = SecretReference(.file(path: "secrets/none"), relativeTo: "/nonexistent")
        do {
            _ = try reference.resolve()
            Issue.record("resolved a file that does not exist")
        } catch {
            #expect(error.code == .secretUnavailable)
            #expect(error.message.contains("secret file `secrets/none` does not exist"))
        }
    }

    @Test("errors about a file never show its contents")
    func fileContentsNeverShown() throws {
        let folder = try ConfigFolder(["big": String(repeating: Canary.password, count: 5_000), "empty": "\n"], baseline: false)
        for name in ["big", "empty"] {
            do {
                _ = try SecretReference(.file(path: name), relativeTo: folder.url.path).resolve()
                Issue.record("\(name) resolved")
            } catch {
                #expect(!error.description.contains(Canary.password))
                #expect(error.message.contains("`\(name)`"))
            }
        }
    }

    @Test(
        "secret field names",
        arguments: [
            ("bindPassword", true), ("password", true), ("clientSecret", true), ("apiToken", true), ("credentials", true),
            ("api_key", true), ("privateKey", true), ("BIND_PASSWD", true), ("url", false), ("bindDN", false),
            ("keyId", false), ("publicKey", false), ("username", false), ("tokenURL", false), ("passwordColumn", false),
            ("sslPassphrase", true),
        ])
    func secretNames(_ key: String, _ isSecret: Bool) throws {
        let value = "literal-\(key)-value"
        let folder = try ConfigFolder([
            "connectors/ldap.yaml": """
                type: external
                connection:
                  executable: bin/plugin
                  \(key): \(value)
                mapping:
                  attributes:
                    - { name: uid, source: username, uid: true }

                """
        ])
        let result = try folder.load()
        #expect(result.errors.contains { $0.code == .literalSecret } == isSecret, "\(result.errors)")
        #expect(result.errors.allSatisfy { !$0.message.contains(value) })
    }
}
