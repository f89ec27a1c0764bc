import CLuaSandbox
import Foundation
import KeywardTestSupport
import Testing

/// The hash primitives behind `hash()`, on published test vectors.
@Suite("Digest vectors", .offThePool)
struct DigestVectorTests {
    static func hex(_ algorithm: String, _ text: String) -> String? {
        var out = [UInt8](repeating: 0, count: 64)
        let bytes = Array(text.utf8)
        let length = bytes.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { CLuaSandbox_digest(algorithm, input.baseAddress, input.count, $0.baseAddress, $0.count) }
        }
        guard length > 0 else { return nil }
        return out[0..<Int(length)].map { String(format: "%02x", $0) }.joined()
    }

    /// RFC 1320, appendix A.5: all seven MD4 test vectors.
    @Test(arguments: [
        ("", "31d6cfe0d16ae931b73c59d7e0c089c0"),
        ("a", "bde52cb31de33e46245e05fbdbd6fb24"),
        ("abc", "a448017aaf21d8525fc10ae87aa6729d"),
        ("message digest", "d9130a8164549fe818874806e1c7014b"),
        ("abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "043f8582f241db351ce627e153e7f0e4"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "e33b4ddc9c38f2199c3e7b164fcc0536"),
    ])
    func md4(_ input: String, _ expected: String) {
        #expect(Self.hex("md4", input) == expected)
    }

    @Test func shaAndNTVectors() {
        #expect(Self.hex("sha1", "abc") == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Self.hex("sha256", "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Self.hex("sha512", "abc")?.hasPrefix("ddaf35a193617abacc417349ae204131") == true)
        #expect(Self.hex("nt", "password") == "8846f7eaee8fb117ad06bdd830b7586c")
        #expect(Self.hex("md5", "abc") == nil)
    }
}
