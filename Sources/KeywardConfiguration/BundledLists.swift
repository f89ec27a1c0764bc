import Foundation
public import KeywardCore

/// The lists Keyward ships in its resources: common passwords for the
/// dictionary rule and words for passphrases (sources and licences in
/// `Resources/SOURCES.md`).
///
/// Each list is read from `Bundle.module` the first time it is used, once,
/// thread-safely (a `static let`). A missing or unreadable resource is a
/// broken installation, not a configuration error, and stops the process
/// with a message naming the file: running on with an empty dictionary
/// would silently weaken every policy.
public enum BundledLists {
    /// The shipped common-password list (`common-passwords.txt`, 30,000
    /// entries, lowercased).
    public static let commonPasswords = CommonPasswordList(lines: text(of: "common-passwords"))

    /// The shipped passphrase word list (`passphrase-words.txt`, 8,192
    /// common English words of 3–9 lowercase ASCII letters: 13 bits a word).
    public static let passphraseWords = WordList(lines: text(of: "passphrase-words"))

    private static func text(of resource: String) -> String {
        guard let url = Bundle.module.url(forResource: resource, withExtension: "txt", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: resource, withExtension: "txt")
        else {
            preconditionFailure("the bundled list \(resource).txt is missing from the KeywardConfiguration resources; reinstall Keyward")
        }
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            preconditionFailure("the bundled list \(resource).txt cannot be read (\(error)); reinstall Keyward")
        }
    }
}
