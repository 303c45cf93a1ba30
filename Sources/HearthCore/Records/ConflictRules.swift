import HearthText

/// Which rule of docs/rules.md governs a conflict on a field, and why no machine settles it.
///
/// The rule set is versioned: every automatic decision and resolution records the rule id
/// and this version, so it can be explained later ("rule R2, rule set 1").
public enum ConflictRules {
    public static let ruleSetVersion = 1

    public struct Rule: Hashable, Sendable {
        /// The rule, typed; ``id`` is its stored form.
        public let ruleID: RuleID
        /// How the desk names the field's conflict (not always docs/rules.md's title of the rule).
        public let title: String
        /// Why the rule could not decide (shown at the desk), or how it decided (soft rules).
        public let reason: String
        /// Hard rules need a person; soft ones decided and are listed for optional review.
        public let hard: Bool

        init(_ rule: RuleID, title: String, reason: String, hard: Bool) {
            self.ruleID = rule
            self.title = title
            self.reason = reason
            self.hard = hard
        }

        /// ``title`` in the reader's language (`rule.title.<words>` in the catalogue); the
        /// stored English title when the catalogue has no entry for it.
        public var localizedTitle: String { localizedTitle(in: .current) }

        /// ``title`` in `language`.
        public func localizedTitle(in language: Language) -> String {
            let key = "rule.title." + title.lowercased().split { !$0.isLetter }.joined(separator: "_")
            return Catalogue.entries(.en)[key] == nil ? title : Catalogue.text(key, in: language)
        }

        /// The rule's id as decisions and the desk store it ("R4b").
        public var id: String { ruleID.rawValue }
    }

    /// The rule for concurrent values of a field under its policy.
    public static func rule(for type: RecordType, field: String) -> Rule {
        let policy = RecordSchema.field(field, of: type)?.policy ?? .lww
        switch (type, field) {
        case (.member, "name"), (.member, "id_number"), (.member, "birth_date"), (.member, "sex"):
            return Rule(
                .r4c, title: "identity field",
                reason:
                    "identity fields are never picked by a machine; the duplicate check runs again after the choice",
                hard: true)
        case (.household, "population"):
            return Rule(
                .r8, title: "household structure",
                reason:
                    "members were added, moved or split off concurrently: check where each person belongs and the registered population",
                hard: true)
        case (.household, "head"), (.member, "household"):
            return Rule(
                .r8, title: "household structure",
                reason: "a person is in one live household with exactly one head: a person must decide", hard: true)
        case (.member, "death_date"):
            return Rule(
                .r1, title: "date of death", reason: "two different dates of death: a person must decide",
                hard: true)
        case (.enrollment, "decision"):
            return Rule(
                .r7, title: "approval authority",
                reason: "writers of equal authority decided differently", hard: true)
        default:
            break
        }
        switch policy {
        case .human:
            return Rule(
                .r4b, title: "money and eligibility field",
                reason: "amounts and eligibility are never picked by a machine; payments that depend on it are held",
                hard: true)
        case .lww:
            return Rule(.r4a, title: "descriptive field", reason: "the latest write (by HLC) was kept", hard: false)
        case .priority:
            return Rule(
                .r3, title: "status order", reason: "the safer value was kept by the declared order", hard: false)
        case .authority:
            return Rule(
                .r7, title: "approval authority", reason: "writers of equal authority decided differently",
                hard: true)
        case .union:
            return Rule(.r9, title: "union", reason: "the sets were united", hard: false)
        }
    }

    /// Fields whose open conflict holds the payments that depend on them (issue: holds). Where the
    /// money goes decides money too: two payees, two cards or two account names (户名) on record
    /// hold the payment until the county says which is right, rather than pay one at random.
    public static func decidesMoney(_ type: RecordType, _ field: String) -> Bool {
        switch type {
        case .enrollment: return ["status", "decision", "amount", "start_month", "end_month"].contains(field)
        case .member:
            return [
                "name", "id_number", "birth_date", "disability_grade", "vital_status", "death_date", "household",
                "bank_card", "account_name",
            ].contains(field)
        case .household:
            return ["income", "assets", "bank_card", "head", "type", "population", "payee", "account_name"]
                .contains(field)
        case .visit, .standard, .lead, .setting, .division: return false
        }
    }
}
