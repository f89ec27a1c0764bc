import Foundation
import KeywardTestSupport
import Logging
import Synchronization
import Testing
@testable import KeywardCore

/// No path shows the plaintext, and the bytes are wiped on release.
@Suite("GuardedString", .offThePool)
struct GuardedStringTests {
    let secret = GuardedString(Canary.password)

    @Test func everyTextRenderingIsRedacted() {
        var dumped = ""
        dump(secret, to: &dumped)
        var printed = ""
        print(secret, to: &printed)
        var debugPrinted = ""
        debugPrint(secret, to: &debugPrinted)
        let mirror = Mirror(reflecting: secret)
        let renderings = [
            "\(secret)", String(describing: secret), String(reflecting: secret), dumped, printed,
            debugPrinted, "\(mirror.children.map { "\($0.label ?? ""): \($0.value)" })",
            "\([secret])", "\(["key": secret])", "\(Optional(secret) as Any)",
        ]
        for text in renderings {
            #expect(!text.contains(Canary.password), "leaked through: \(text.count) chars")
        }
        #expect("\(secret)" == "<redacted>")
        #expect(mirror.children.isEmpty)
    }

    @Test func aStructHoldingOneShowsNothingEither() {
        struct Account { let uid: String; let password: GuardedString }
        let account = Account(uid: "alice", password: secret)
        var dumped = ""
        dump(account, to: &dumped)
        #expect(!"\(account)".contains(Canary.password))
        #expect(!String(reflecting: account).contains(Canary.password))
        #expect(!dumped.contains(Canary.password))
    }

    @Test func itIsNotEncodable() {
        // GuardedString does not conform to Encodable, so a Codable struct
        // holding one does not compile; reflection-based encoders see no
        // children. The runtime check below fails if someone adds a conformance.
        #expect(!(secret as Any is any Encodable))
        #expect(!(secret as Any is any Decodable))
        #expect(!(secret as Any is any Hashable))
    }

    @Test func errorsThatCarryOneAreRedacted() {
        struct Failure: Error { let value: GuardedString }
        let error: any Error = Failure(value: secret)
        #expect(!"\(error)".contains(Canary.password))
        #expect(!String(reflecting: error).contains(Canary.password))
        #expect(!error.localizedDescription.contains(Canary.password))
    }

    @Test func swiftLogMetadataShowsRedacted() {
        let lines = LogCapture()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(capture: lines) }
        logger.info("changing password", metadata: ["password": "\(secret)", "object": .stringConvertible(secret)])
        let captured = lines.lines
        #expect(captured.count == 1)
        #expect(!captured.joined().contains(Canary.password))
        #expect(captured.joined().contains("<redacted>"))
    }

    @Test func plaintextIsReachableOnlyInsideTheClosure() {
        #expect(secret.withPlaintext { $0 } == Canary.password)
        #expect(secret.count == Canary.password.utf8.count)
        #expect(secret.withUnsafeBytes { Array($0) } == Array(Canary.password.utf8))
    }

    @Test func equalityComparesContent() {
        #expect(GuardedString("abc") == GuardedString("abc"))
        #expect(GuardedString("abc") != GuardedString("abd"))
        #expect(GuardedString("abc") != GuardedString("abcd"))
        #expect(GuardedString("") == GuardedString(bytes: []))
    }

    @Test func theBytesAreWipedBeforeTheMemoryIsReleased() {
        let seen = Mutex<[UInt8]?>(nil)
        do {
            let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: 32, alignment: 16)
            storage.copyBytes(from: Array(repeating: 0xAB, count: 32))
            let value = GuardedString(adopting: storage, count: 20) { buffer in
                seen.withLock { $0 = Array(buffer) }
                buffer.deallocate()
            }
            #expect(value.count == 20)
        }
        let bytes = seen.withLock { $0 }
        #expect(bytes?.count == 32)
        #expect(bytes?.allSatisfy { $0 == 0 } == true)
    }

    @Test func aFailingInitialiserWipesWhatItWrote() {
        struct Stop: Error {}
        #expect(throws: Stop.self) {
            try GuardedString(count: 8) { buffer in
                buffer.copyBytes(from: Array("partial!".utf8))
                throw Stop()
            }
        }
    }
}
