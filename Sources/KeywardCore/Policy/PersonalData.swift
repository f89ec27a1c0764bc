/// The personal-data rule's search: which of a person's values share a run
/// of characters with the password.
enum PersonalData {
    /// The names of the identity's fields (`username`, `given name`,
    /// `family name`, `email address`) of which some run of `minMatchLength`
    /// scalars occurs in `lowered` (the password, lowercased). Values shorter
    /// than the run are ignored; a run length below 1 counts as 1.
    ///
    /// A run of exactly `minMatchLength` is enough to look for: any longer
    /// common run contains one.
    static func matchingFields(of identity: Identity, in lowered: borrowing SecretScalars, minMatchLength: Int) -> [String] {
        let length = max(minMatchLength, 1)
        var fields: [String] = []
        for (field, value) in values(of: identity) {
            let scalars = Array(value.lowercased().unicodeScalars)
            guard scalars.count >= length else { continue }
            for start in 0...(scalars.count - length) where lowered.contains(run: scalars[start..<(start + length)]) {
                fields.append(field)
                break
            }
        }
        return fields
    }

    /// The identity's personal values by field name; the email contributes
    /// its local part (before the last `@`).
    static func values(of identity: Identity) -> [(String, String)] {
        var values: [(String, String)] = [("username", identity.username)]
        if let given = identity.givenName { values.append(("given name", given)) }
        if let family = identity.familyName { values.append(("family name", family)) }
        if let email = identity.email {
            let local = email.lastIndex(of: "@").map { String(email[..<$0]) } ?? email
            values.append(("email address", local))
        }
        return values
    }
}
