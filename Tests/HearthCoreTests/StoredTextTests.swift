import HearthCore
import Testing

/// `Month(storedText:)` and `CivilDate(storedText:)`, the rolls' fast reads of what the store
/// wrote: for a text of the stored shape they answer exactly as `parse` does (a month or date
/// it refuses is nil too), and for any other text they answer nil, leaving it to `parse`.
@Suite("Stored months and dates: read from their bytes as parse reads them")
struct StoredTextTests {
    @Test(
        "a text of the stored shape reads as parse reads it; any other text is left to parse",
        arguments: [UInt64(5), 99])
    func agreesWithParse(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        func digits(_ count: Int, around value: Int, spread: Int) -> String {
            let number = max(0, value + Int(random.next() % UInt64(2 * spread + 1)) - spread)
            let text = String(number)
            return String(repeating: "0", count: max(0, count - text.count)) + text.suffix(count)
        }
        var stored = 0
        for _ in 0..<20_000 {
            // Years around the accepted 1900...2200, months and days around their ranges.
            let year = digits(4, around: 2050, spread: 200)
            let month = digits(2, around: 6, spread: 8)
            let day = digits(2, around: 16, spread: 18)
            let monthText = "\(year)-\(month)"
            let dateText = "\(year)-\(month)-\(day)"
            #expect(Month(storedText: monthText) == (try? Month.parse(monthText, field: "m")), "\(monthText)")
            #expect(CivilDate(storedText: dateText) == (try? CivilDate.parse(dateText, field: "d")), "\(dateText)")
            if Month(storedText: monthText) != nil { stored += 1 }
        }
        #expect(stored > 5_000)
        // Other shapes parse may take (compact, spaces, full-width digits) or refuse: nil here.
        for text in ["202611", " 2026-11", "2026-11 ", "２０２６-１１", "2026/11", "2026-1", "26-11", "", "2026-11-01"] {
            #expect(Month(storedText: text) == nil, "\(text)")
        }
        for text in ["19500301", "1950-03-01 ", "１９５０-03-01", "1950-3-1", "1950/03/01", "1950-03", ""] {
            #expect(CivilDate(storedText: text) == nil, "\(text)")
        }
        #expect(Month(storedText: "2026-11") == Month(year: 2026, month: 11))
        #expect(CivilDate(storedText: "2024-02-29") == CivilDate(year: 2024, month: 2, day: 29))
        #expect(CivilDate(storedText: "2023-02-29") == nil)
    }
}
