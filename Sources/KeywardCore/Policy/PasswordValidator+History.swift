extension PasswordValidator {
    /// Every rule `password` breaks, the history and minimum-age rules
    /// included.
    ///
    /// - Parameters:
    ///   - history: the account's remembered passwords; the policy's
    ///     `history` count says how many of the most recent ones are refused.
    ///     nil skips the rule. Each checked entry costs one PBKDF2.
    ///   - lastChanged: when the account's password last changed; nil skips
    ///     the minimum-age rule (an administrator's reset is not restricted by it).
    ///   - now: the current time.
    public func violations(
        of password: GuardedString,
        identity: Identity? = nil,
        history: PasswordHistory?,
        lastChanged: PasswordTimestamp?,
        now: PasswordTimestamp
    ) -> [PolicyViolation] {
        var found = violations(of: password, identity: identity)
        if policy.history > 0, let history, history.contains(password, inLast: policy.history) {
            let remembered =
                policy.history == 1
                ? "your current password"
                : "any of your last \(policy.history) passwords"
            found.append(
                PolicyViolation(
                    policy: policy.name, rule: "history",
                    message: "Choose a password you have not used recently; it may not be \(remembered)."))
        }
        if let lastChanged, let earliest = PasswordAge.earliestChange(lastChanged: lastChanged, policy: policy),
            now < earliest
        {
            let wait = PasswordAge.describe(seconds: earliest.secondsSince1970 - now.secondsSince1970)
            found.append(
                PolicyViolation(
                    policy: policy.name, rule: "minAge",
                    message: "Your password was changed too recently; you can change it again in \(wait)."))
        }
        return found
    }
}
