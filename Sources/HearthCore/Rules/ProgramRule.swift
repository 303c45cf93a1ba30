/// R6, programme exclusivity and prerequisites, over the county's ``ProgramRules``: programs
/// one person may not hold together (dibao and tekun) and what a live enrollment needs of its
/// member (a disability grade, a least age) are desk cases, the payments held; an enrollment
/// written with an implausible program or amount is refused at the hub unless its writer
/// recorded an override reason (``admissionVerdict(of:lookup:)``), and an override enters the
/// audit trail (``overrideVerdict(of:)``).
public enum ProgramRule {
    /// The program an enrollment shows, when it is one of the county's.
    static func program(_ enrollment: RecordState) -> Program? {
        enrollment.text("program").flatMap(Program.init(rawValue:))
    }

    /// A member with live enrollments in both groups of an exclusion: one desk case for the
    /// member (`R6:<member>`), holding every live enrollment of the groups broken.
    public static func exclusivityVerdict<Lookup: RuleLookup>(member: RecordID, lookup: inout Lookup) throws
        -> RuleVerdict
    {
        let rules = try lookup.countyConfiguration().programs
        let live = try lookup.enrollments(ofMember: member).filter {
            $0.isLiveEnrollment && $0.reference("member") == member
        }
        var broken: [ProgramRules.Exclusion] = []
        var village: String?
        for exclusion in rules.exclusions {
            let first = live.filter { program($0).map(exclusion.first.contains) ?? false }
            let second = live.filter { program($0).map(exclusion.second.contains) ?? false }
            guard !first.isEmpty, !second.isEmpty else { continue }
            broken.append(exclusion)
            let lowest = first.compactMap { $0.text("village") }.min()
            village = [village, lowest].compactMap { $0 }.min()
        }
        guard !broken.isEmpty else { return .admit }
        let programs = broken.reduce(into: Set<Program>()) { $0.formUnion($1.programs) }
        let enrollments = live.filter { program($0).map(programs.contains) ?? false }.map(\.id).sorted()
        return .desk(
            DeskCase(
                id: "R6:\(member)", rule: .r6, kind: "exclusive-programs", village: village,
                records: [member] + enrollments, detail: broken.map(\.detail).joined(separator: "; "),
                holds: enrollments))
    }

    /// A live enrollment in a program with prerequisites whose member does not meet them: a
    /// desk case for the enrollment (`R6:<enrollment>`), its payments held. A program with a
    /// grade needs one recorded; one with a least age needs a birth date and that age by the
    /// last day of the start month (an age a program stops at is a scheduled end, not a case).
    public static func prerequisiteVerdict<Lookup: RuleLookup>(enrollment: RecordState, lookup: inout Lookup) throws
        -> RuleVerdict
    {
        let rules = try lookup.countyConfiguration().programs
        guard enrollment.id.type == .enrollment, enrollment.isLiveEnrollment, let program = program(enrollment),
            rules.prerequisitePrograms.contains(program), let memberID = enrollment.reference("member"),
            memberID.type == .member, let member = try lookup.state(of: memberID)
        else { return .admit }
        var problem: String?
        if rules.grades[program] != nil, member.integer("disability_grade") == nil {
            problem = "\(program.rawValue) needs a disability grade on \(memberID)"
        }
        if let minimum = rules.ages[program]?.minimum {
            let born = member.text("birth_date").flatMap { try? CivilDate.parse($0, field: "born") }
            let start = enrollment.text("start_month").flatMap { try? Month.parse($0, field: "start") }
            if let born, let start, born.age(on: start.lastDay) < minimum {
                problem =
                    "\(rules.deskName(program)) needs age \(minimum) by the start month; \(memberID) is "
                    + "\(born.age(on: start.lastDay))"
            } else if born == nil {
                problem = "\(rules.deskName(program)) needs a birth date on \(memberID)"
            }
        }
        guard let problem else { return .admit }
        return .desk(
            DeskCase(
                id: "R6:\(enrollment.id)", rule: .r6, kind: "prerequisite", village: enrollment.text("village"),
                records: [enrollment.id, memberID], detail: problem, holds: [enrollment.id]))
    }
}
