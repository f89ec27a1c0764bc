import KeywardCore

/// A password a fake service keeps: a salted PBKDF2 hash, never the text;
/// or a value stored so that nobody can log in with it.
enum FakeStoredPassword: Sendable {
    case hashed(PasswordHistory)
    case unusable

    /// `password`, hashed.
    static func hash(_ password: String) -> FakeStoredPassword {
        var history = PasswordHistory(iterations: 1000)
        history.record(GuardedString(password), keeping: 1)
        return .hashed(history)
    }

    /// Whether `password` logs in.
    func verifies(_ password: String) -> Bool {
        guard case .hashed(let history) = self else { return false }
        return history.contains(GuardedString(password))
    }
}

/// Entra ID's password rule for cloud accounts: 8 to 256 characters, and
/// three of lowercase, uppercase, digits and symbols.
enum FakeComplexity {
    static func accepts(_ password: String) -> Bool {
        guard (8...256).contains(password.count) else { return false }
        let classes = [
            password.contains(where: \.isLowercase), password.contains(where: \.isUppercase),
            password.contains(where: \.isNumber),
            password.contains { !$0.isLetter && !$0.isNumber },
        ]
        return classes.filter { $0 }.count >= 3
    }
}
