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
