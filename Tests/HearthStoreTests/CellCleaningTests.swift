import Foundation
import HearthCore
import Testing

@testable import HearthLedger

/// The hand-written cell checks every import runs on every cell give what Foundation's
/// trimming, normalisation and regular expression gave, on seeded random cells made of the
/// characters that matter: blanks of every kind, the marks spreadsheet programs add, quotes,
/// digits and exponents, Chinese, and combining and decomposable characters.
@Suite("Cleaning cells as Foundation did")
struct CellCleaningTests {
    static let alphabet: [String] = [
        " ", "\t", "\n", "\r", "\u{3000}", "\u{00A0}", "\u{0085}", "\u{2028}", "\u{FEFF}", "\u{200B}", "'", "=",
        "\"", "a", "Z", "0", "7", "e", "E", "+", "-", ".", ",", "王", "村", "\u{3400}", "\u{0301}", "é", "\u{1F600}",
        "ｱ", "\u{FF10}", "\u{202E}", "\u{0007}", "가", "\u{1100}", "\u{1161}", "\u{180E}", "\u{2029}", "\u{1680}",
        "\u{205F}", "\u{2007}", "\u{200C}",
    ]

    static func cell(_ random: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...8, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
    }

    /// What ``SpreadsheetTable/clean(_:)`` was, on Foundation.
    static func foundationClean(_ raw: String) -> String {
        var text = raw.trimmingCharacters(
            in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{FEFF}\u{200B}")))
        if text.hasPrefix("'") { text = String(text.dropFirst()) }
        if text.hasPrefix("=\""), text.hasSuffix("\""), text.count >= 3 {
            text = String(text.dropFirst(2).dropLast())
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// What ``FieldInput/text(_:label:maxLength:)`` gave, its text or its refusal's key.
    static func foundationText(_ raw: String, maxLength: Int) -> String {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
        if text.isEmpty { return "refused input.empty" }
        if text.count > maxLength { return "refused input.too_long" }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            || DisplaySafety.isUnsafe(text)
        {
            return "refused input.control_characters"
        }
        return text
    }

    static func text(_ raw: String, maxLength: Int) -> String {
        do { return try FieldInput.text(raw, label: "f", maxLength: maxLength) } catch {
            return "refused \(error.message.key)"
        }
    }

    @Test(
        "clean, trimmed text and the exponent check agree with Foundation on 20,000 seeded cells",
        arguments: [1, 2] as [UInt64])
    func agrees(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        let exponent = try! NSRegularExpression(pattern: #"^[0-9]+([.,][0-9]+)?[eE][+-]?[0-9]+$"#)
        for _ in 0..<10_000 {
            let raw = Self.cell(&random)
            let cleaned = SpreadsheetTable.clean(raw)
            #expect(
                cleaned.unicodeScalars.elementsEqual(Self.foundationClean(raw).unicodeScalars),
                "\(raw.debugDescription)")
            #expect(
                Self.text(raw, maxLength: 5).unicodeScalars.elementsEqual(
                    Self.foundationText(raw, maxLength: 5).unicodeScalars), "\(raw.debugDescription)")
            let matched =
                exponent.firstMatch(in: cleaned, range: NSRange(cleaned.startIndex..., in: cleaned)) != nil
            #expect(RosterRow.looksLikeExponent(cleaned) == matched, "\(cleaned.debugDescription)")
        }
    }

    @Test("the cells a roster holds: exponents, wrapped digits, names and addresses")
    func examples() {
        for text in ["1.30102E+11", "4.2128119800101E+17", "1E5", "1,5e-3", "12e+07"] {
            #expect(RosterRow.looksLikeExponent(text), "\(text)")
        }
        for text in ["", "E5", "1.E5", "1e", "1e+", "1.5", "421281198001010011", "1e5x", "１E5"] {
            #expect(!RosterRow.looksLikeExponent(text), "\(text)")
        }
        #expect(SpreadsheetTable.clean("\t421281198001010011 ") == "421281198001010011")
        #expect(SpreadsheetTable.clean("=\"0012\"") == "0012")
        #expect(SpreadsheetTable.clean("\u{FEFF}'=\" 7 \"\u{3000}") == "7")
        #expect(SpreadsheetTable.clean("新庄村 三组") == "新庄村 三组")
        #expect((try? FieldInput.text("王秀英", label: "f", maxLength: 50)) == "王秀英")
        #expect((try? FieldInput.text("e\u{0301}", label: "f", maxLength: 50)) == "é")
    }
}
