/// R1, death is terminal, and its sub-rules: a recorded death ends every enrollment of the
/// person (automatic decisions, ``decisionsVerdict(member:lookup:)``); a death a cross-check
/// reports holds the person's payments until the township verifies it (a desk case,
/// ``reportedVerdict(lead:lookup:)``); only the county undoes a death (R1c).
///
/// Not built yet: R1a (a household programme continues without the person: the household's
/// amount is recalculated by someone with authority) and R1b (a visit or payment dated after
/// the death freezes payments). docs/rules.md lists them; no code decides them today.
public enum DeathRule {
    /// R1c: an op that sets a deceased member alive again is the county's alone.
    /// `current` is the member as the hub holds it (nil for a new record).
    public static func undoVerdict(of op: Op, writer: ScopePrefix, current: RecordState?) -> RuleVerdict {
        guard op.record.type == .member, op.fields["vital_status"] == .text("alive"), writer.level != .county,
            let current, current.resolution(of: "vital_status").value == .text("deceased")
        else { return .admit }
        return .refuse(
            AdmissionRefusal(.r1c, "R1c: \(op.record) is recorded as deceased; only the county can undo a death"))
    }

    /// A date of death after `today` (the hub's day): the field problem the hub refuses an op with.
    public static func futureDateProblem(of op: Op, today: CivilDate) -> String? {
        guard case .text(let text)? = op.fields["death_date"],
            let date = try? CivilDate.parse(text, field: "death_date"), date > today
        else { return nil }
        return "death_date: is in the future"
    }
}
