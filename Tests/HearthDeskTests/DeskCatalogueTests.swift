import Foundation
import HearthCore
import HearthLedger
import Testing

@testable import HearthDesk

/// Every label the desk shows exists in both languages: a key missing from either catalogue
/// fails here, not on a person's screen.
@Suite("The desk's label catalogues")
struct DeskCatalogueTests {
    /// The keys the templates use (`{{t.key}}`).
    static var templateKeys: Set<String> {
        var keys: Set<String> = []
        for source in DeskTemplates.sources.values {
            var rest = source[...]
            while let range = rest.range(of: #"\{\{t\.[a-z0-9_]+\}\}"#, options: .regularExpression) {
                keys.insert(String(rest[range].dropFirst(4).dropLast(2)))
                rest = rest[range.upperBound...]
            }
        }
        return keys
    }

    /// The keys the desk's Swift code names: every string literal inside `catalogue[…]` and as
    /// the first argument of `catalogue.format(…)`, read from the sources themselves.
    static var codeKeys: Set<String> {
        get throws {
            let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Sources/HearthDesk")
            var keys: Set<String> = []
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
                $0.hasSuffix(".swift")
            }
            #expect(files.count > 10, "the desk's sources were not found at \(folder.path)")
            for file in files {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for pattern in [#"catalogue\[[^\]]*\]"#, #"catalogue\.format\(\s*[^,]*,"#] {
                    var rest = text[...]
                    while let range = rest.range(of: pattern, options: .regularExpression) {
                        var call = rest[range]
                        while let literal = call.range(of: #""[a-z][a-z0-9_]*""#, options: .regularExpression) {
                            keys.insert(String(call[literal].dropFirst().dropLast()))
                            call = call[literal.upperBound...]
                        }
                        rest = rest[range.upperBound...]
                    }
                }
            }
            return keys
        }
    }

    /// Keys the code builds rather than names: roles, node states, errors, ages, rules.
    static var builtKeys: Set<String> {
        var keys = Set(DeskRole.allCases.map { "role_\($0.rawValue)" })
        keys.formUnion(["node_active", "node_revoked", "node_forked", "hint_money", "hint_schedule", "hint_other"])
        let errors: [DeskError] = [.sessionEnded, .csrf, .readOnly, .notFound, .badForm("x"), .busy, .internalFailure]
        for error in errors {
            keys.insert(error.message.title)
            keys.insert(error.message.key)
        }
        keys.formUnion(AgeFilter.buckets.map(\.label))
        keys.formUnion(AgeFilter.choices.map(\.label))
        keys.formUnion(ConflictFilter.rules.map(\.title))
        // Every rule a conflict of any field can come under: its title and why it could not decide.
        for type in RecordType.allCases {
            for spec in RecordSchema.fields(of: type) {
                let rule = ConflictRules.rule(for: type, field: spec.name)
                keys.insert(Catalogue.titleKey(rule.title))
                keys.insert(Catalogue.reasonKey(rule.reason))
            }
        }
        return keys
    }

    @Test("the Chinese and English catalogues have the same keys")
    func sameKeys() {
        let zh = Set(DeskLabels.zh.keys)
        let en = Set(DeskLabels.en.keys)
        #expect(zh.subtracting(en).isEmpty, "missing from English: \(zh.subtracting(en).sorted())")
        #expect(en.subtracting(zh).isEmpty, "missing from Chinese: \(en.subtracting(zh).sorted())")
        #expect(DeskLabels.zh.values.allSatisfy { !$0.isEmpty } && DeskLabels.en.values.allSatisfy { !$0.isEmpty })
    }

    @Test("every key the templates and the code use is in both catalogues")
    func everyKeyUsed() throws {
        let used = try Self.templateKeys.union(Self.codeKeys).union(Self.builtKeys)
        #expect(used.count > 100, "too few keys found: the scan is broken")
        for language in DeskLanguage.allCases {
            let missing = used.subtracting(language.labels.keys)
            #expect(missing.isEmpty, "missing from \(language.rawValue): \(missing.sorted())")
        }
    }

    @Test("a message's {names} are the same in both languages")
    func sameBlanks() {
        func blanks(_ text: String) -> Set<String> {
            var found: Set<String> = []
            var rest = text[...]
            while let range = rest.range(of: #"\{[a-z]+\}"#, options: .regularExpression) {
                found.insert(String(rest[range]))
                rest = rest[range.upperBound...]
            }
            return found
        }
        for (key, zh) in DeskLabels.zh {
            #expect(blanks(zh) == blanks(DeskLabels.en[key] ?? ""), "\(key): the blanks differ")
        }
    }
}
