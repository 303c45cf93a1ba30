import HearthCore
import HearthText
import Testing

/// The title of every rule a field's conflict can fall under is in the catalogue, so a hold or a
/// conflict is named in the clerk's language, never in the rule table's English.
@Suite("Rule titles in both languages")
struct RuleTitleTests {
    @Test("every field's rule has a Chinese title and its English title unchanged")
    func everyFieldsRuleIsNamed() {
        var titles: Set<String> = []
        for type in RecordType.allCases {
            for field in RecordSchema.fields(of: type) {
                titles.insert(ConflictRules.rule(for: type, field: field.name).title)
            }
        }
        #expect(titles.count > 3)
        for type in RecordType.allCases {
            for field in RecordSchema.fields(of: type) {
                let rule = ConflictRules.rule(for: type, field: field.name)
                #expect(rule.localizedTitle(in: .en) == rule.title)
                let chinese = rule.localizedTitle(in: .zh)
                #expect(chinese != rule.title, "\(type).\(field.name): \(rule.title) has no Chinese title")
                #expect(!chinese.contains { $0.isASCII && $0.isLetter }, "\(chinese)")
            }
        }
    }
}
