import Testing

@testable import HearthLedger

/// A spreadsheet row's cells packed into one buffer (``PackedCells``) give back exactly the
/// cells they were made of, whatever their lengths and however the cells as written map to
/// the cleaned ones, and a row filled from the row above changes the one cell it fills.
@Suite("Packed spreadsheet cells")
struct PackedCellsTests {
    /// A cell: empty, short (inline in a `String`), long (past 127 bytes, so its length takes
    /// two bytes), Chinese, or with a line break and quotes.
    static func cell(_ random: inout SplitMix64) -> String {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return ""
        case 1: return String(Int.random(in: 0..<1_000_000, using: &random))
        case 2: return "421281" + String(Int.random(in: 100_000_000_000...999_999_999_999, using: &random))
        case 3: return String(repeating: "新庄村", count: Int.random(in: 1...60, using: &random))
        case 4: return "他说\n\"好\",\t" + String(Int.random(in: 0..<100, using: &random))
        default: return String(repeating: "a", count: Int.random(in: 100...400, using: &random))
        }
    }

    /// A row's cells as written, the cleaned ones (some equal to the written cell, some not),
    /// and which cleaned cell each written column was cleaned into (none for a column without
    /// a header).
    static func row(_ random: inout SplitMix64) -> (cleaned: [String], written: [String], map: [Int?]) {
        let written = (0..<Int.random(in: 0...20, using: &random)).map { _ in cell(&random) }
        var cleaned: [String] = []
        var map: [Int?] = []
        for value in written {
            if random.chance(20) {
                map.append(nil)
            } else {
                map.append(cleaned.count)
                cleaned.append(random.chance(60) ? value : "\t" + value)
            }
        }
        return (cleaned, written, map)
    }

    @Test("cells come back as they went in, for 2,000 seeded rows", arguments: [1, 2, 3, 4] as [UInt64])
    func roundTrip(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0..<500 {
            let (cleaned, written, map) = Self.row(&random)
            let packed = PackedCells(cleaned: cleaned, written: written) { map[$0] }
            #expect(packed.cleanedCells == cleaned)
            #expect(packed.writtenCells == written)
            for (position, value) in cleaned.enumerated() { #expect(packed.cleaned(position) == value) }
            #expect(packed.cleaned(cleaned.count) == "")
            #expect(packed.cleaned(-1) == "")
        }
    }

    @Test("a written cell equal to its cleaned cell is stored once")
    func sharedCells() {
        let long = String(repeating: "新庄村", count: 20)
        let same = PackedCells(cleaned: [long], written: [long]) { _ in 0 }
        let apart = PackedCells(cleaned: [long], written: [long]) { _ in nil }
        #expect(same.writtenCells == [long])
        #expect(apart.writtenCells == [long])
        #expect(same.byteCount < apart.byteCount - long.utf8.count + 8, "\(same.byteCount) \(apart.byteCount)")
        // A map that names a cleaned cell which differs keeps the written cell itself.
        let differs = PackedCells(cleaned: ["0012"], written: ["=\"0012\""]) { _ in 0 }
        #expect(differs.writtenCells == ["=\"0012\""])
    }

    @Test(
        "filling sets the cleaned cell and the written one, the columns growing to hold it",
        arguments: [5, 6] as [UInt64])
    func filling(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        for _ in 0..<300 {
            let (cleaned, written, map) = Self.row(&random)
            let packed = PackedCells(cleaned: cleaned, written: written) { map[$0] }
            let value = Self.cell(&random)
            let column = Int.random(in: 0...(written.count + 3), using: &random)
            let position = column < map.count ? map[column] : nil
            let filled = packed.filling(position: position, column: column, with: value)
            var wantCleaned = cleaned
            if let position { wantCleaned[position] = value }
            var wantWritten = written + Array(repeating: "", count: max(0, column + 1 - written.count))
            wantWritten[column] = value
            #expect(filled.cleanedCells == wantCleaned)
            #expect(filled.writtenCells == wantWritten)
            // Filling no written column changes the cleaned cell alone.
            let cleanedOnly = packed.filling(position: position, column: nil, with: value)
            #expect(cleanedOnly.cleanedCells == wantCleaned)
            #expect(cleanedOnly.writtenCells == written)
        }
    }
}
