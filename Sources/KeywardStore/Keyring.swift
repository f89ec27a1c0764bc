/// The master keys a store decrypts with: the current one, which seals every
/// new value, and previous ones, kept only to read values sealed before a
/// rotation (``Store/rotateKey(to:)`` re-seals them under the current key).
public struct Keyring: Sendable {
    /// The key that seals new values.
    public var current: MasterKey
    /// Older keys, tried only for values stored under their id.
    public var previous: [MasterKey]

    /// Creates a keyring.
    public init(current: MasterKey, previous: [MasterKey] = []) {
        self.current = current
        self.previous = previous
    }

    /// The key with this id, if the keyring holds it.
    public func key(id: String) -> MasterKey? {
        if current.id == id { return current }
        return previous.first { $0.id == id }
    }

    /// The ids of every key held, current first.
    public var ids: [String] {
        [current.id] + previous.map(\.id)
    }

    /// The keyring after a rotation to `newKey`: it becomes current, and the
    /// old keys stay readable.
    package func rotated(to newKey: MasterKey) -> Keyring {
        let older = ([current] + previous).filter { $0.id != newKey.id }
        return Keyring(current: newKey, previous: older)
    }
}
