import Foundation
import Testing

/// Looks for a secret in files and texts, as UTF-8 and as UTF-16LE (the
/// encoding of AD's `unicodePwd`, and of anything a Windows-minded server
/// might dump).
struct QueueCanaryScan {
    let utf8: [UInt8]
    let utf16LE: [UInt8]

    init(_ secret: String) {
        utf8 = Array(secret.utf8)
        utf16LE = secret.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    /// The encodings of the secret that `bytes` hold: `UTF-8`, `UTF-16LE`.
    func encodings(in bytes: Data) -> [String] {
        var found: [String] = []
        if bytes.range(of: Data(utf8)) != nil { found.append("UTF-8") }
        if bytes.range(of: Data(utf16LE)) != nil { found.append("UTF-16LE") }
        return found
    }

    /// Every regular file under `folder` (at any depth) that holds the
    /// secret, as `path: encoding`.
    func files(under folder: String) throws -> [String] {
        try files(Self.regularFiles(under: folder))
    }

    /// Which of `paths` hold the secret, as `path: encoding`.
    func files(_ paths: [String]) throws -> [String] {
        try paths.flatMap { path in
            try encodings(in: Data(contentsOf: URL(fileURLWithPath: path))).map { "\(path): \($0)" }
        }
    }

    /// The texts that hold the secret.
    func texts(_ texts: [String]) -> [String] {
        texts.filter { !encodings(in: Data($0.utf8)).isEmpty }
    }

    /// The paths of the regular files under `folder`, at any depth, sorted.
    static func regularFiles(under folder: String) throws -> [String] {
        let root = URL(fileURLWithPath: folder)
        guard let walk = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        else { throw CocoaError(.fileReadNoSuchFile) }
        let files = walk.compactMap { $0 as? URL }.filter { url in
            (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true
        }
        return files.map(\.path).sorted()
    }
}

extension QueueCanaryScan {
    /// The control: the same scans find the canary once it is planted as
    /// UTF-16LE in a new file of `folder`, as UTF-8 at the end of a copy of
    /// the server's log `log` in `folder`, and in one more text.
    func expectFindsPlantedCanary(
        in folder: URL, copying log: String, texts: [String],
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let planted = folder.appendingPathComponent("planted.bin")
        let copy = folder.appendingPathComponent("planted.log")
        defer {
            try? FileManager.default.removeItem(at: planted)
            try? FileManager.default.removeItem(at: copy)
        }
        try Data([0x00] + utf16LE + [0x00]).write(to: planted)
        try (Data(contentsOf: URL(fileURLWithPath: log)) + Data(utf8) + Data("\n".utf8)).write(to: copy)

        #expect(
            try files(under: folder.path) == ["\(planted.path): UTF-16LE", "\(copy.path): UTF-8"],
            sourceLocation: sourceLocation)
        let line = "info operation 1 executed: \(String(decoding: utf8, as: UTF8.self))"
        #expect(self.texts(texts + [line]) == [line], sourceLocation: sourceLocation)
    }
}
