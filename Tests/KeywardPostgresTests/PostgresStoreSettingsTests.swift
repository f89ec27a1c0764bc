import Foundation
@testable import KeywardPostgres
import KeywardStore
import KeywardTestSupport
import Testing

/// The `store: postgres://…` URL and where its password comes from.
@Suite("PostgreSQL: store settings", .offThePool)
struct PostgresStoreSettingsTests {
    private let secret = Canary.password

    @Test func aFullURLIsReadWithItsDefaultsAndNeverShowsThePassword() throws {
        let settings = try PostgresStoreSettings.parse(
            url: "postgres://keyward@db.example.org:6543/queue", environment: ["PGPASSWORD": secret])
        #expect(settings.host == "db.example.org" && settings.port == 6543)
        #expect(settings.user == "keyward" && settings.database == "queue")
        #expect(settings.tlsMode == .verifyFull && settings.rootCertificatePath == nil && settings.warnings.isEmpty)
        #expect(settings.poolSize == 10 && settings.lease == .seconds(60) && settings.timeout == .seconds(15))
        var dumped = ""
        dump(settings, to: &dumped)
        #expect(!dumped.contains(secret) && dumped.contains("db.example.org"))
        #expect("\(settings)" == "postgres://keyward@db.example.org:6543/queue (sslmode=verify-full)")
        let tuned = try PostgresStoreSettings.parse(
            url: "postgresql://k@h/d?sslmode=require&pool=3&lease=5&timeout=2", environment: ["PGPASSWORD": secret])
        #expect(tuned.port == 5432 && tuned.tlsMode == .require && tuned.poolSize == 3)
        #expect(tuned.lease == .seconds(5) && tuned.timeout == .seconds(2))
        #expect(tuned.warnings.count == 1 && tuned.warnings[0].contains("does not verify"))
        let plain = try PostgresStoreSettings.parse(url: "postgres://k@h/d?sslmode=disable", environment: ["PGPASSWORD": secret])
        #expect(plain.tlsMode == .disable && plain.warnings[0].contains("unencrypted"))
    }

    @Test(arguments: [
        ("postgres://keyward:\(Canary.password)@h/d", "holds a password"),
        ("mysql://k@h/d", "is not a postgres:// URL"),
        ("postgres://h/d", "names no user"),
        ("postgres://k@h", "names no database"),
        ("postgres://k@h/d?sslmode=prefer", "has sslmode=prefer; use verify-full"),
        ("postgres://k@h/d?pool=0", "has pool=0; give a whole number from 1"),
        ("postgres://k@h/d?lease=soon", "has lease=soon"),
        ("postgres://k@h/d?password=x", "has the unknown setting 'password'"),
        ("postgres://k@h/d?sslrootcert=/nonexistent/ca.pem", "sslrootcert=/nonexistent/ca.pem, which cannot be read"),
    ])
    func badURLsAreRefusedWithWhatToFix(url: String, problem: String) {
        let error = #expect(throws: StoreError.self) {
            try PostgresStoreSettings.parse(url: url, environment: ["PGPASSWORD": "x"])
        }
        #expect(error?.kind == .misconfigured)
        #expect(error?.message.hasPrefix("store: the PostgreSQL URL ") == true)
        #expect(error?.message.contains(problem) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(Canary.password) == false)
    }

    @Test func thePasswordFileIsReadLikeLibpqAndOnlyWhenPrivate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("keyward-pgpass-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = folder + "/pgpass"
        try """
            # comment
            other:5432:d:k:wrong
            h:5432:d:k:\(secret.replacingOccurrences(of: ":", with: "\\:"))
            *:*:*:*:fallback
            """.write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o600)
        let url = "postgres://k@h/d"
        #expect(try Self.password(url, ["PGPASSFILE": file]) == secret)
        #expect(try Self.password("postgres://k@elsewhere/d", ["PGPASSFILE": file]) == "fallback")
        #expect(try Self.password(url, ["PGPASSFILE": file, "PGPASSWORD": "from-env"]) == "from-env")
        #expect(try Self.password(url, ["HOME": folder, "PGPASSFILE": file]) == secret)

        chmod(file, 0o644)
        let error = #expect(throws: StoreError.self) { try PostgresStoreSettings.parse(url: url, environment: ["PGPASSFILE": file]) }
        #expect(error?.kind == .misconfigured)
        #expect(error?.message.contains("is ignored because others may read it (mode 644); chmod 0600 \(file)") == true)
        #expect(error?.message.contains(secret) == false)
        let missing = #expect(throws: StoreError.self) {
            try PostgresStoreSettings.parse(url: url, environment: ["HOME": folder])
        }
        #expect(missing?.message.contains("PGPASSWORD is not set, and \(folder)/.pgpass does not exist") == true)
    }

    /// The password the settings found.
    private static func password(_ url: String, _ environment: [String: String]) throws -> String {
        try PostgresStoreSettings.parse(url: url, environment: environment).password
    }
}
