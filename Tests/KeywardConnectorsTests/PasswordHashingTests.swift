import Foundation
import KeywardConnectors
import KeywardCore
import KeywardTestSupport
import Testing

/// The password storages: formats, known vectors, verification and refusals.
@Suite("SQL: password hashing", .offThePool)
struct PasswordHashingTests {
    static let password = GuardedString("correct horse battery staple")
    static let wrong = GuardedString("correct horse battery stapler")

    @Test func bcryptWritesB2WithItsCostAndAFreshSalt() throws {
        let storage = PasswordHashing.bcrypt(cost: 4)
        let first = try storage.hash(Self.password)
        let second = try storage.hash(Self.password)
        #expect(first.hasPrefix("$2b$04$"))
        #expect(first.utf8.count == 60)
        #expect(first != second)
        #expect(storage.verify(Self.password, against: first))
        #expect(storage.verify(Self.password, against: second))
        #expect(!storage.verify(Self.wrong, against: first))
        #expect(!storage.verify(GuardedString(""), against: first))
        #expect(try PasswordHashing.bcrypt(cost: 5).hash(Self.password).hasPrefix("$2b$05$"))
    }

    @Test func bcryptVerifiesAKnownHash() {
        // From the OpenBSD / Openwall crypt_blowfish test vectors.
        let stored = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"
        #expect(PasswordHashing.bcrypt(cost: 12).verify(GuardedString("U*U"), against: stored))
        #expect(!PasswordHashing.bcrypt(cost: 12).verify(GuardedString("U*V"), against: stored))
    }

    @Test func bcryptRefusesWhatItWouldTruncate() throws {
        let storage = PasswordHashing.bcrypt(cost: 4)
        let longest = GuardedString(String(repeating: "a", count: 72))
        #expect(storage.verify(longest, against: try storage.hash(longest)))
        let tooLong = #expect(throws: ConnectorError.self) {
            try storage.hash(GuardedString(String(repeating: "a", count: 73)))
        }
        #expect(tooLong?.kind == .policyRejected)
        #expect(tooLong?.message.contains("bcrypt uses only the first 72 bytes") == true)
        let nul = #expect(throws: ConnectorError.self) { try storage.hash(GuardedString(bytes: [0x61, 0x00, 0x62])) }
        #expect(nul?.kind == .policyRejected)
        #expect(nul?.message.contains("NUL") == true)
        // A stored hash made by truncating never verifies a longer candidate.
        let hashOf72 = try storage.hash(longest)
        #expect(!storage.verify(GuardedString(String(repeating: "a", count: 73)), against: hashOf72))
    }

    @Test func pbkdf2WritesPasslibsFormat() throws {
        let storage = PasswordHashing.pbkdf2SHA256(iterations: 1_000)
        let stored = try storage.hash(Self.password)
        let fields = stored.split(separator: "$", omittingEmptySubsequences: false)
        #expect(fields.count == 5)
        #expect(fields[1] == "pbkdf2-sha256")
        #expect(fields[2] == "1000")
        #expect(fields[3].count == 22)
        #expect(fields[4].count == 43)
        #expect(!stored.contains("+") && !stored.contains("="))
        #expect(storage.verify(Self.password, against: stored))
        #expect(!storage.verify(Self.wrong, against: stored))
        #expect(try storage.hash(Self.password) != stored)
    }

    @Test func pbkdf2VerifiesAVectorComputedWithPythonHashlib() {
        // python3: hashlib.pbkdf2_hmac('sha256', b'correct horse battery staple', bytes(range(16)), 1000, 32),
        // salt and hash in passlib's ab64.
        let stored = "$pbkdf2-sha256$1000$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4"
        // The stored iteration count wins over the configured one.
        let storage = PasswordHashing.pbkdf2SHA256(iterations: 600_000)
        #expect(storage.verify(Self.password, against: stored))
        #expect(!storage.verify(Self.wrong, against: stored))
        #expect(!storage.verify(Self.password, against: stored.replacingOccurrences(of: "$1000$", with: "$1001$")))
    }

    @Test func sha256HexIsLowercaseHex() throws {
        let stored = try PasswordHashing.sha256Hex.hash(Self.password)
        #expect(stored == "c4bbcb1fbec99d65bf59d85c8cb62ee2db963f0fe106f483d9afa73bd4e39a8a")
        #expect(try PasswordHashing.sha256Hex.hash(GuardedString(""))
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(PasswordHashing.sha256Hex.verify(Self.password, against: stored))
        #expect(PasswordHashing.sha256Hex.verify(Self.password, against: stored.uppercased()))
        #expect(!PasswordHashing.sha256Hex.verify(Self.wrong, against: stored))
    }

    @Test func cleartextHasNoHashButVerifies() {
        let error = #expect(throws: ConnectorError.self) { try PasswordHashing.cleartext.hash(Self.password) }
        #expect(error?.kind == .unsupported)
        #expect(PasswordHashing.cleartext.verify(Self.password, against: "correct horse battery staple"))
        #expect(!PasswordHashing.cleartext.verify(Self.password, against: "correct horse battery stapler"))
    }

    static let malformed = [
        "", "*0", "$2b$04$", "$2b$04$tooshort", "$pbkdf2-sha256$1000$AAEC$", "$pbkdf2-sha256$0$AAECAwQFBgcICQoLDA0ODw$ppsX",
        "$pbkdf2-sha256$x$AAECAwQFBgcICQoLDA0ODw$ppsX", "$pbkdf2-sha256$1000$AA+C$ppsX", "$pbkdf2-sha512$1000$AAEC$ppsX",
        "correct horse battery staple",
    ]

    @Test(arguments: [PasswordHashing.bcrypt(cost: 4), .pbkdf2SHA256(iterations: 1_000), .sha256Hex])
    func aMalformedStoredValueVerifiesNothing(storage: PasswordHashing) {
        for stored in Self.malformed {
            #expect(!storage.verify(Self.password, against: stored), "\(storage): \(stored)")
        }
    }

    @Test func eachStorageVerifiesOnlyItsOwnFormat() throws {
        let bcrypt = try PasswordHashing.bcrypt(cost: 4).hash(Self.password)
        let pbkdf2 = try PasswordHashing.pbkdf2SHA256(iterations: 1_000).hash(Self.password)
        #expect(!PasswordHashing.bcrypt(cost: 4).verify(Self.password, against: pbkdf2))
        #expect(!PasswordHashing.pbkdf2SHA256(iterations: 1_000).verify(Self.password, against: bcrypt))
        #expect(!PasswordHashing.sha256Hex.verify(Self.password, against: bcrypt))
    }
}
