import Foundation
import HearthText

/// An op's cause (why it was written) in the reader's language.
///
/// Why by pattern: a cause is part of the op, hashed, signed and replicated as written, so it
/// stays the English the writing code gave it; old ops keep theirs forever. What Hearth itself
/// writes follows a few fixed forms (a county resolution, rule R1's decisions, a roster line, a
/// move), and those are put into the reader's words when shown. Anything else, a clerk's own
/// note above all, is shown as it was written.
public enum CauseText {
    /// A fixed form of cause: the pattern its English has, the catalogue entry it is shown with,
    /// and the names of its captured parts in order.
    struct Form: Sendable {
        let pattern: String
        let key: String
        let parts: [String]
    }

    static let forms: [Form] = [
        Form(
            pattern: #"^(resolution|acknowledgement) of ([a-z_]+) \(rule (R[0-9a-z]+), rule set ([0-9]+)\): (.*)$"#,
            key: "cause.settlement", parts: ["kind", "field", "rule", "set", "note"]),
        Form(
            pattern: #"^rule R1 \(rule set ([0-9]+)\): death of (\S+) ends the enrollment \(trigger (\S+)\)$"#,
            key: "cause.r1_death", parts: ["set", "member", "trigger"]),
        Form(
            pattern: #"^rule R1 \(rule set ([0-9]+)\): the end month follows the settled date of death of (\S+)$"#,
            key: "cause.r1_end_month", parts: ["set", "member"]),
        Form(pattern: #"^death of (\S+)$"#, key: "cause.death", parts: ["member"]),
        Form(
            pattern: #"^end month follows the settled date of death of (\S+)$"#, key: "cause.end_month",
            parts: ["member"]),
        Form(pattern: #"^division ([0-9]+): (.*)$"#, key: "cause.division", parts: ["code", "name"]),
        Form(pattern: #"^roster import: (.*) line ([0-9]+)$"#, key: "cause.roster", parts: ["file", "line"]),
        Form(
            pattern: #"^cross-check against the ([a-z_]+) list, line ([0-9]+)$"#, key: "cause.crosscheck",
            parts: ["list", "line"]),
        Form(
            pattern: #"^death reported by a cross-check \(lead (\S+)\): suspended pending verification$"#,
            key: "cause.crosscheck_death", parts: ["lead"]),
        Form(
            pattern: #"^death report refuted \(lead (\S+)\): payments resume$"#, key: "cause.death_refuted",
            parts: ["lead"]),
        Form(pattern: #"^lead (confirmed|refuted) by (\S+)$"#, key: "cause.lead", parts: ["outcome", "worker"]),
        Form(pattern: #"^household moved to ([0-9]+)$"#, key: "cause.household_moved", parts: ["village"]),
        Form(pattern: #"^member moved to (\S+)$"#, key: "cause.member_moved", parts: ["household"]),
        Form(pattern: #"^moved from (\S+) to (\S+)$"#, key: "cause.moved", parts: ["from", "to"]),
        Form(pattern: #"^archived: (.*)$"#, key: "cause.archived", parts: ["why"]),
        Form(pattern: #"^recommendation by (\S+) \(R7\)$"#, key: "cause.recommendation", parts: ["worker"]),
        Form(pattern: #"^amount change: (.*)$"#, key: "cause.amount_change", parts: ["why"]),
        Form(pattern: #"^compensates refused op (\S+): (.*)$"#, key: "cause.compensates", parts: ["op", "reason"]),
    ]

    /// The forms with their patterns compiled, once per process: `status` and `show --history`
    /// put every cause they print through them.
    static let compiled: [(form: Form, expression: NSRegularExpression)] = forms.map { form in
        // The patterns are literals above; CauseTextTests matches every one.
        (form, try! NSRegularExpression(pattern: form.pattern))
    }

    /// `cause` in `language`: its fixed form's catalogue entry with the parts it holds, or the
    /// cause as written when it has no fixed form (or the reader reads English).
    public static func localized(_ cause: String, in language: Language = .current) -> String {
        guard language != .en else { return cause }
        let whole = NSRange(cause.startIndex..., in: cause)
        for (form, expression) in compiled {
            guard let match = expression.firstMatch(in: cause, range: whole),
                match.numberOfRanges == form.parts.count + 1
            else { continue }
            var values: [String: String] = [:]
            for (index, part) in form.parts.enumerated() {
                guard let range = Range(match.range(at: index + 1), in: cause) else { continue }
                values[part] = String(cause[range])
            }
            if let field = values["field"] {
                values["field"] = Catalogue.entries(language)["field.\(field)"] ?? field
            }
            if let kind = values["kind"] { values["kind"] = Catalogue.text("cause.kind.\(kind)", in: language) }
            if let outcome = values["outcome"] {
                values["outcome"] = Catalogue.text("cause.outcome.\(outcome)", in: language)
            }
            if let list = values["list"] { values["list"] = Catalogue.valueName(list, field: "source", in: language) }
            return Catalogue.text(form.key, values, in: language)
        }
        return cause
    }
}
