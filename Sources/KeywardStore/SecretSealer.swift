import Crypto
package import Foundation
package import KeywardCore

/// A secret as confidential storage holds it: AES-GCM's nonce, ciphertext
/// and tag, and the id of the key that sealed it.
package struct SealedSecret: Sendable {
    /// The key's id (``MasterKey/id``).
    package var keyID: String
    /// Nonce (12 bytes), ciphertext, tag (16 bytes).
    package var combined: Data

    /// Creates a sealed value read back from storage.
    package init(keyID: String, combined: Data) {
        self.keyID = keyID
        self.combined = combined
    }
}

/// What a sealed value is bound to: the associated data that authenticates
/// it to its row, and how messages name it.
package struct SealBinding: Sendable {
    /// Authenticated with the value: a value copied elsewhere fails to open.
    var associatedData: Data
    /// The names below, made only when a message needs them: sealing and
    /// opening run on the store's one writer, for every secret.
    private let names: @Sendable () -> (owner: String, name: String, remedy: String)

    /// `operation 5's secret` (for the wrong-key message).
    var owner: String { names().owner }
    /// `operation 5's secret __PASSWORD__` (for the damaged-value message).
    var name: String { names().name }
    /// What to do when it cannot be opened: `cancel the operation`.
    var remedy: String { names().remedy }

    /// Creates a binding; `names` gives the owner, the name and the remedy.
    init(associatedData: Data, names: @escaping @Sendable () -> (owner: String, name: String, remedy: String)) {
        self.associatedData = associatedData
        self.names = names
    }

    /// A queued operation's secret.
    package static func secret(operationID: Int64, name: String) -> SealBinding {
        SealBinding(associatedData: SecretSealer.associatedData(operationID: operationID, name: name)) {
            ("operation \(operationID)'s secret", "operation \(operationID)'s secret \(name)", "cancel the operation")
        }
    }
}

/// AES-GCM sealing of secrets, bound to their row so that a value copied to
/// another operation or name fails authentication.
package enum SecretSealer {
    /// Names the format, the operation and the secret's name.
    static func associatedData(operationID: Int64, name: String) -> Data {
        Data("keyward-secret-v1|\(operationID)|\(name)".utf8)
    }

    /// Encrypts `secret` under `key` with a fresh random nonce.
    package static func seal(
        _ secret: GuardedString, operationID: Int64, name: String, key: MasterKey
    ) throws(StoreError) -> SealedSecret {
        try seal(secret, binding: .secret(operationID: operationID, name: name), key: key)
    }

    /// Decrypts a stored value with the keyring's key of its id.
    package static func open(
        _ sealed: SealedSecret, operationID: Int64, name: String, keyring: Keyring
    ) throws(StoreError) -> GuardedString {
        try open(sealed, binding: .secret(operationID: operationID, name: name), keyring: keyring)
    }

    /// Encrypts `secret` under `key`, bound to `binding`, with a fresh random nonce.
    package static func seal(_ secret: GuardedString, binding: SealBinding, key: MasterKey) throws(StoreError) -> SealedSecret {
        do {
            let box = try secret.withUnsafeBytes { plaintext in
                try AES.GCM.seal(plaintext, using: key.key, nonce: AES.GCM.Nonce(), authenticating: binding.associatedData)
            }
            guard let combined = box.combined else {
                throw StoreError(.database, "could not encrypt \(binding.name)")
            }
            return SealedSecret(keyID: key.id, combined: combined)
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.database, "could not encrypt \(binding.name)")
        }
    }

    /// Decrypts a value bound to `binding` with the keyring's key of its id.
    package static func open(_ sealed: SealedSecret, binding: SealBinding, keyring: Keyring) throws(StoreError) -> GuardedString {
        guard let key = keyring.key(id: sealed.keyID) else {
            let configured = keyring.ids
            let which =
                configured.count == 1
                ? "which is not the configured key (\(configured[0]))"
                : "which is none of the configured keys (\(configured.joined(separator: ", ")))"
            throw StoreError(
                .decryptionFailed,
                "\(binding.owner) was encrypted with key \(sealed.keyID), \(which); configure that key, or \(binding.remedy)"
            )
        }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.combined)
            var plaintext = try AES.GCM.open(box, using: key.key, authenticating: binding.associatedData)
            defer { plaintext.resetBytes(in: 0..<plaintext.count) }
            return GuardedString(bytes: plaintext)
        } catch {
            throw StoreError(
                .decryptionFailed,
                "\(binding.name) does not decrypt with key \(sealed.keyID): the stored value was altered, or the key is not the one that sealed it; restore the right key, or \(binding.remedy)"
            )
        }
    }
}
