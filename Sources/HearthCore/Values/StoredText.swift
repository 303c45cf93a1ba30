extension Month {
    /// A month as the store writes it (`2026-11`), read straight from its bytes: nil for any
    /// other text, which ``parse(_:field:)`` then judges, and for a month it would refuse.
    ///
    /// Why: a roll reads three months and two dates of each of a county's hundred thousand
    /// enrollments; a cache of parsed texts hashed each one, and a county's birth dates are
    /// tens of thousands of distinct texts. This reads the ten or so bytes, with `parse`'s own
    /// checks, and nothing else (`StoredTextTests`).
    public init?(storedText text: String) {
        var text = text
        guard let (year, month) = text.withUTF8({ Month.components($0, allowCompact: false) }),
            ValueText.years.contains(year)
        else { return nil }
        self.init(year: year, month: month)
    }
}

extension CivilDate {
    /// A date as the store writes it (`1950-03-01`), read straight from its bytes: nil for any
    /// other text, which ``parse(_:field:)`` then judges, and for a date it would refuse.
    /// See ``Month/init(storedText:)``.
    public init?(storedText text: String) {
        var text = text
        guard let (year, month, day) = text.withUTF8({ CivilDate.components($0, allowCompact: false) }),
            ValueText.years.contains(year), (1...12).contains(month)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }
}
