import Foundation
import KeywardTestSupport
import Testing

/// `keyward check scripts/ && keyward test scripts/` on the scripts the
/// repository ships, run from the repository root.
@Suite("the shipped scripts", .offThePool)
struct ShippedScriptsTests {
    static var root: URL { KeywardProcess.repositoryRoot }

    @Test("there are at least five scripts, each with a cases file")
    func everyScriptHasCases() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("scripts").path)
        let scripts = files.filter { $0.hasSuffix(".lua") }
        #expect(scripts.count >= 5)
        for script in scripts {
            #expect(files.contains(String(script.dropLast(4)) + ".cases.yaml"), "\(script) has no cases file")
        }
    }

    @Test("keyward check scripts/ finds nothing at all")
    func checkIsClean() throws {
        let result = try KeywardProcess.run(["check", "--format", "json", "scripts/"], in: Self.root)
        #expect(result.status == 0, "\(result)")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(document["errors"] as? Int == 0)
        #expect(document["warnings"] as? Int == 0)
        let files = try #require(document["files"] as? [[String: Any]])
        #expect(files.count >= 5)
        for file in files {
            #expect((file["findings"] as? [Any])?.isEmpty == true, "\(file)")
        }
    }

    @Test("keyward test scripts/ passes every case")
    func testPasses() throws {
        let result = try KeywardProcess.run(["test", "scripts/"], in: Self.root)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.isEmpty, "every shipped script has cases")
        let summary = try #require(result.stdoutLines.last)
        #expect(summary.hasSuffix(" passed, 0 failed"))
        #expect(!result.stdout.contains("FAIL"))
    }

    @Test("the NT hash of \"password\" is the well-known one")
    func ntHash() throws {
        let result = try KeywardProcess.run(
            ["dry-run", "scripts/nt-hash.lua", "--value", "password", "--reveal", "--json"], in: Self.root)
        #expect(result.status == 0, "\(result)")
        let json = try DryRunJSON(result)
        #expect(json.result?["value"] as? String == "8846F7EAEE8FB117AD06BDD830B7586C")
    }

    @Test("every shipped script returns nil for nil")
    func nilForNil() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("scripts").path)
        for script in files.filter({ $0.hasSuffix(".lua") }) {
            let result = try KeywardProcess.run(
                ["dry-run", "scripts/\(script)", "--null", "--json", "--context", "uid=jdoe"], in: Self.root)
            #expect(result.status == 0, "\(script): \(result)")
            #expect(try DryRunJSON(result).result?["kind"] as? String == "nil", "\(script)")
        }
    }
}
