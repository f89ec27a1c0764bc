import Foundation
public import KeywardCore

extension KeywardConfiguration {
    /// The common-password list requests are validated against: the bundled
    /// list, plus every admin dictionary file a policy names (one password
    /// per line, relative to `keyward.yaml`'s folder). One list serves every
    /// policy whose `dictionary` rule is on.
    ///
    /// - Throws: ``ConfigurationError`` when a named file cannot be read
    ///   (the loader already refused files that do not exist).
    public func commonPasswords() throws(ConfigurationError) -> CommonPasswordList {
        var list = BundledLists.commonPasswords
        let files = Set(policies.values.compactMap(\.dictionary).flatMap(\.files))
        for file in files.sorted() {
            let text: String
            do {
                text = try String(contentsOfFile: path(for: file), encoding: .utf8)
            } catch {
                throw ConfigurationError(
                    .unreadable, "dictionary file `\(file)` cannot be read as UTF-8 text", at: nil)
            }
            list = list.union(CommonPasswordList(lines: text))
        }
        return list
    }
}
