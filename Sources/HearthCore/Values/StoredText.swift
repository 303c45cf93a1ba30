extension Month {
    /// A month as the store writes it (`2026-11`), read straight from its bytes: nil for any
    /// other text, which ``parse(_:field:)`` then judges, and for a month it would refuse.
    ///
    /// Why: a roll reads three months and two dates of each of a county's hundred thousand
    /// enrollments; a cache of parsed texts hashed each one, and a county's birth dates are
    /// tens of thousands of distinct texts. This reads the ten or so bytes and nothing else.
    /// Where it answers, it answers as `parse` does (`StoredTextTests`).
    public init?(storedText text: String) {
        var text = text
        let parts = text.withUTF8 { bytes -> (Int, Int)? in
            guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"),
                let year = StoredDigits.number(bytes, 0, 4), let month = StoredDigits.number(bytes, 5, 2)
            else { return nil }
            return (year, month)
        }
        guard let (year, month) = parts, (1900...2200).contains(year) else { return nil }
        self.init(year: year, month: month)
    }
}

extension CivilDate {
    /// A date as the store writes it (`1950-03-01`), read straight from its bytes: nil for any
    /// other text, which ``parse(_:field:)`` then judges, and for a date it would refuse.
    /// See ``Month/init(storedText:)``.
    public init?(storedText text: String) {
        var text = text
        let parts = text.withUTF8 { bytes -> (Int, Int, Int)? in
            guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                let year = StoredDigits.number(bytes, 0, 4), let month = StoredDigits.number(bytes, 5, 2),
                let day = StoredDigits.number(bytes, 8, 2)
            else { return nil }
            return (year, month, day)
        }
        guard let (year, month, day) = parts, (1900...2200).contains(year), (1...12).contains(month) else {
            return nil
        }
        self.init(year: year, month: month, day: day)
    }
}

/// ASCII digits at a place in a text's bytes.
enum StoredDigits {
    static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        var result = 0
        for index in start..<(start + count) {
            let byte = bytes[index]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            result = result * 10 + Int(byte - 0x30)
        }
        return result
    }
}
