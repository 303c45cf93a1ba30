import Foundation
import HearthText
import XCTest

/// Both catalogues hold the same keys with the same `{parts}`, and every key the code names is
/// in them: a message a clerk would see as its key fails here first.
final class CatalogueTests: XCTestCase {
    func testBothLanguagesHoldTheSameKeys() {
        let english = Set(Catalogue.entries(.en).keys)
        let chinese = Set(Catalogue.entries(.zh).keys)
        XCTAssertEqual(english.subtracting(chinese).sorted(), [], "keys missing from the Chinese catalogue")
        XCTAssertEqual(chinese.subtracting(english).sorted(), [], "keys missing from the English catalogue")
        XCTAssertGreaterThan(english.count, 40)
    }

    /// A command's discussion breaks its lines only between sentences (not at a semicolon),
    /// around a blank line, or before an indented line, a list item (`- `, `• `, `1. `) or a
    /// `{part}`: a line that opens with a flag (`--skip-invalid`) continues its sentence. The argument parser wraps every line
    /// at the terminal's width by itself: a line broken mid-sentence showed as a stub of a few
    /// words in an 80-column terminal (`hub standard set --help` had five), and an indented line
    /// wider than 80 columns is wrapped out of its alignment.
    func testDiscussionsBreakLinesOnlyBetweenSentences() throws {
        let ends: Set<Character> = [".", ":", "!", "?", "。", "：", "！", "？", ")", "）", "}"]
        let item = try NSRegularExpression(pattern: #"^(\s|- |• |\{|\d+[.)] )"#)
        for language in Language.allCases {
            for (key, text) in Catalogue.entries(language) where key.hasPrefix("cmd.") && key.hasSuffix(".discussion") {
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                for (before, after) in zip(lines, lines.dropFirst()) {
                    let end = before.trimmingCharacters(in: .whitespaces)
                    guard let last = end.last, !after.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                    let listed = item.firstMatch(in: after, range: NSRange(after.startIndex..., in: after)) != nil
                    XCTAssertTrue(
                        ends.contains(last) || listed,
                        "\(language) \(key): a line broken mid-sentence, after \"\(end.suffix(30))\"")
                }
                for line in lines where line.first == " " {
                    XCTAssertLessThanOrEqual(
                        columns(of: line), 80,
                        "\(language) \(key): an indented line wider than 80 columns: \(line.prefix(30))")
                }
            }
        }
    }

    /// A line's width in a terminal: a CJK character takes two columns.
    private func columns(of line: String) -> Int {
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
            0xFFE0...0xFFE6,
        ]
        return line.unicodeScalars.reduce(0) { sum, scalar in
            sum + (wide.contains { $0.contains(scalar.value) } ? 2 : 1)
        }
    }

    func testEachEntryHasTheSamePartsInBothLanguages() {
        for (key, english) in Catalogue.entries(.en) {
            guard let chinese = Catalogue.entries(.zh)[key] else { continue }
            XCTAssertEqual(parts(of: english), parts(of: chinese), "the {parts} of \(key) differ between languages")
            XCTAssertFalse(chinese.isEmpty, "\(key) is empty in Chinese")
        }
    }

    /// Every `L("key")`, `.text("key")`, `LocalizedText("key")` and `Catalogue.text("key")` in
    /// Sources names an entry of both catalogues.
    func testEveryKeyTheCodeNamesIsInTheCatalogues() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let pattern = try NSRegularExpression(
            pattern:
                #"(?:\bL|\.text|LocalizedText|Catalogue\.text|\.localized)\(\s*"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)""#)
        var named: [String: String] = [:]
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift", !file.lastPathComponent.hasPrefix("Catalogue+") else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                guard let range = Range(match.range(at: 1), in: text) else { continue }
                named[String(text[range])] = file.lastPathComponent
            }
        }
        XCTAssertGreaterThan(named.count, 10, "the scan found the code's keys")
        for (key, file) in named.sorted(by: { $0.key < $1.key }) {
            XCTAssertNotNil(Catalogue.entries(.en)[key], "\(file) names \(key), which the English catalogue lacks")
            XCTAssertNotNil(Catalogue.entries(.zh)[key], "\(file) names \(key), which the Chinese catalogue lacks")
        }
    }

    func testPartsAreFilledAndUnknownPartsStay() {
        XCTAssertEqual(Catalogue.fill("{a} and {b}", ["a": "x", "b": "y"]), "x and y")
        XCTAssertEqual(Catalogue.fill("{a} and {c}", ["a": "x"]), "x and {c}")
        XCTAssertEqual(Catalogue.fill("no parts {", ["a": "x"]), "no parts {")
        XCTAssertEqual(Catalogue.fill("{a}{a}", ["a": "名"]), "名名")
    }

    func testCodedValuesAreAcceptedInEitherLanguage() {
        XCTAssertEqual(Catalogue.code(named: "农村", field: "type", among: ["rural", "urban"]), "rural")
        XCTAssertEqual(Catalogue.code(named: "Rural", field: "type", among: ["rural", "urban"]), "rural")
        XCTAssertEqual(Catalogue.code(named: "城市", field: "type", among: ["rural", "urban"]), "urban")
        XCTAssertNil(Catalogue.code(named: "牧区", field: "type", among: ["rural", "urban"]))
        XCTAssertEqual(Catalogue.valueName("approved", field: "status", in: .zh), "在保")
        XCTAssertEqual(Catalogue.valueName("approved", field: "status", in: .en), "approved")
        XCTAssertEqual(Catalogue.valueName("unheard", field: "status", in: .zh), "unheard")
    }

    func testTheLanguageComesFromTheFlagThenTheLocale() {
        XCTAssertEqual(Language.resolve(arguments: ["hearth", "--lang", "zh"], environment: ["LANG": "C"]), .zh)
        XCTAssertEqual(Language.resolve(arguments: ["hearth", "--lang=en"], environment: ["LANG": "zh_CN.UTF-8"]), .en)
        XCTAssertEqual(Language.resolve(arguments: ["hearth"], environment: ["LANG": "zh_CN.UTF-8"]), .zh)
        XCTAssertEqual(
            Language.resolve(arguments: ["hearth"], environment: ["LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"]), .en)
        XCTAssertEqual(Language.resolve(arguments: ["hearth"], environment: [:]), .en)
        // After `--`, `--lang` is a value, not the option.
        XCTAssertEqual(Language.resolve(arguments: ["hearth", "--", "--lang", "zh"], environment: [:]), .en)
        XCTAssertEqual(Language.resolve(arguments: ["hearth", "--lang", "xx"], environment: ["LANG": "zh_TW"]), .zh)
    }

    private func parts(of text: String) -> Set<String> {
        var found: Set<String> = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            let after = rest.index(after: open)
            guard let close = rest[after...].firstIndex(of: "}") else { break }
            found.insert(String(rest[after..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return found
    }
}
