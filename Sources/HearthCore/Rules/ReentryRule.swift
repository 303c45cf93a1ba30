/// R13, re-entry is new: a person holds at most one live enrollment per program, and someone
/// whose enrollment in a program ended is enrolled again in a new enrollment, never by
/// reopening the old one. (docs/rules.md links the new enrollment to the old; no field records
/// that link yet.)
public enum ReentryRule {
    /// Refuses a new enrollment of `member` in `program` while one of `enrollments` (the
    /// member's) is live in it, naming the live one (the least id); `admit` otherwise.
    public static func verdict(member: RecordID, program: Program, enrollments: [RecordState]) -> RuleVerdict {
        let live = enrollments.filter {
            $0.reference("member") == member && $0.shows("program", program.rawValue) && $0.isLiveEnrollment
        }.map(\.id).min()
        guard let live else { return .admit }
        return .refuse(
            AdmissionRefusal(.r13, "\(member) already has a live \(program.rawValue) enrollment (\(live))"))
    }

    /// ``verdict(member:program:enrollments:)`` with the member's enrollments from the lookup.
    public static func verdict<Lookup: RuleLookup>(member: RecordID, program: Program, lookup: inout Lookup) throws
        -> RuleVerdict
    {
        verdict(member: member, program: program, enrollments: try lookup.enrollments(ofMember: member))
    }
}
