extension Unicode.Scalar {
    /// `A–Z`, `a–z` or `0–9`: what names, ids and codes from a service or a
    /// setting are made of, with a few punctuation marks each allows.
    var isASCIIAlphanumeric: Bool {
        ("A"..."Z").contains(self) || ("a"..."z").contains(self) || ("0"..."9").contains(self)
    }

    /// An ASCII letter or digit, or one of `others`.
    func isASCIIAlphanumeric(or others: String) -> Bool {
        isASCIIAlphanumeric || others.unicodeScalars.contains(self)
    }
}
