/// The flags of AD's `userAccountControl` and of the constructed
/// `msDS-User-Account-Control-Computed`.
///
/// The stored attribute does not keep ``lockout`` or ``passwordExpired``
/// up to date: read them from the computed one.
public struct UserAccountControl: OptionSet, Sendable, Hashable {
    /// The attribute's integer value.
    public let rawValue: Int

    /// Creates flags from the attribute's integer value.
    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// `ACCOUNTDISABLE` (0x2): the account cannot log on.
    public static let accountDisabled = UserAccountControl(rawValue: 0x2)
    /// `LOCKOUT` (0x10): too many failed logons; computed only.
    public static let lockout = UserAccountControl(rawValue: 0x10)
    /// `PASSWD_NOTREQD` (0x20): the account may have an empty password.
    public static let passwordNotRequired = UserAccountControl(rawValue: 0x20)
    /// `NORMAL_ACCOUNT` (0x200): an ordinary user account.
    public static let normalAccount = UserAccountControl(rawValue: 0x200)
    /// `DONT_EXPIRE_PASSWORD` (0x10000).
    public static let passwordNeverExpires = UserAccountControl(rawValue: 0x10000)
    /// `PASSWORD_EXPIRED` (0x800000): the password must change at next logon; computed only.
    public static let passwordExpired = UserAccountControl(rawValue: 0x80_0000)

    /// `value` parsed from the attribute's decimal text; nil when it is not a number.
    init?(attribute value: String?) {
        guard let value, let number = Int(value) else { return nil }
        self.init(rawValue: number)
    }
}
