/// R3, R4 and its sub-rules, and R9: concurrent values of one field, settled by the field's
/// policy in ``RecordSchema`` (the merge, ``Resolution``) under the rule ``ConflictRules``
/// names. Different fields merge (R4); a descriptive field keeps the latest write (R4a), a
/// status the safer value (R3), a set the union (R9): soft, listed for review. Money,
/// eligibility and identity fields (R4b, R4c), a household's structure (R8), a date of death
/// (R1) and a tie of approvers (R7) are never picked by a machine: the desk decides.
public enum FieldConflictRule {
    /// How a field of a record reads after the merge.
    public enum Outcome: Hashable, Sendable {
        /// One value, or concurrent writes of the same value: nothing to review (R4).
        case merged
        /// Concurrent different values the field's policy settled: listed for optional review.
        case settled(RuleID)
        /// Concurrent different values no machine picks: the desk decides.
        case open(RuleID)
    }

    /// The rule that governs concurrent values of the field.
    public static func rule(for type: RecordType, field: String) -> RuleID {
        ConflictRules.rule(for: type, field: field).ruleID
    }

    /// The field's outcome, as the desk lists it.
    public static func outcome(of state: RecordState, field: String) -> Outcome {
        let resolution = state.resolution(of: field)
        guard resolution.candidates.count > 1,
            resolution.candidates.contains(where: { !$0.value.sameMeaning(as: resolution.candidates[0].value) })
        else { return .merged }
        let rule = rule(for: state.id.type, field: field)
        return resolution.inConflict ? .open(rule) : .settled(rule)
    }

    /// A desk case (`<record>/<field>`, as the desk names conflicts) for a field no machine
    /// may settle; `admit` for one that merged or was settled by its policy. It names no holds:
    /// which enrollments a conflict holds is read per enrollment, from the fields that decide
    /// its money on it, its member and its household (``ConflictRules/decidesMoney(_:_:)``).
    public static func verdict(of state: RecordState, field: String) -> RuleVerdict {
        guard case .open(let rule) = outcome(of: state, field: field) else { return .admit }
        return .desk(
            DeskCase(
                id: "\(state.id)/\(field)", rule: rule, kind: "conflict", village: state.text("village"),
                records: [state.id], detail: ConflictRules.rule(for: state.id.type, field: field).reason,
                holds: []))
    }
}
