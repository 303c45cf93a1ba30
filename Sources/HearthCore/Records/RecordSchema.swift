/// The declared field table: every field of every record type, with its conflict policy.
///
/// This is the one table the merge obeys (docs/architecture.md, "Conflict rules are data");
/// Protocol/field-policies.md documents it and a test keeps the two equal.
public enum RecordSchema {
    public static let enrollmentStatusOrder = ["exited", "suspended", "approved", "applied"]
    public static let vitalStatusOrder = ["deceased", "alive"]
    public static let householdStatusOrder = ["archived", "active"]

    public static func fields(of type: RecordType) -> [FieldSpec] {
        switch type {
        case .household: return household
        case .member: return member
        case .enrollment: return enrollment
        case .visit: return visit
        case .standard: return standard
        case .lead: return lead
        case .setting: return setting
        case .division: return division
        }
    }

    public static func field(_ name: String, of type: RecordType) -> FieldSpec? {
        index[Int(type.position)][name]
    }

    /// Each type's fields by name, at the type's position (``RecordType/position``): the hub looks
    /// up every field of every op it admits at least twice (its form and bounds, then its
    /// references), and a table keyed by the type hashed it first.
    private static let index: [[String: FieldSpec]] = RecordType.allCases.map { type in
        Dictionary(uniqueKeysWithValues: fields(of: type).map { ($0.name, $0) })
    }

    public static let household: [FieldSpec] = [
        FieldSpec("village", .division, .lww, "village or community division code (12 digits)"),
        FieldSpec("address", .text(maxLength: 200), .lww, "address"),
        FieldSpec("type", .code(["rural", "urban"]), .human, "household type: rural 农村 / urban 城镇"),
        FieldSpec("head", .reference(.member), .human, "head of household 户主 (a member id)"),
        FieldSpec("population", .integer(0...99), .human, "registered population"),
        FieldSpec("income", .money, .human, "verified monthly income per person, fen"),
        FieldSpec("assets", .text(maxLength: 500), .human, "assets note"),
        FieldSpec("phone", .text(maxLength: 32), .lww, "contact phone"),
        FieldSpec("bank_card", .sealed, .human, "bank card for payments 一卡通 (sensitive)"),
        FieldSpec(
            "payee", .reference(.member), .human,
            "the member paid for household programs 领款人; the head 户主 when none is named"),
        FieldSpec("account_name", .text(maxLength: 50), .human, "account holder's name 户名 on the household's card"),
        FieldSpec("status", .code(householdStatusOrder), .priority(householdStatusOrder), "active / archived"),
        FieldSpec("tags", .set, .union, "flags set by workers"),
        FieldSpec("note", .text(maxLength: 500), .lww, "free note"),
    ]

    public static let member: [FieldSpec] = [
        FieldSpec("household", .reference(.household), .human, "the household the person belongs to"),
        FieldSpec("village", .division, .lww, "the household's village, kept for scoping"),
        FieldSpec("name", .text(maxLength: 50), .human, "name 姓名"),
        FieldSpec("id_number", .sealed, .human, "resident ID number 身份证号 (sensitive)"),
        FieldSpec("sex", .code(["male", "female"]), .human, "sex, derived from the ID number"),
        FieldSpec("birth_date", .date, .human, "birth date, derived from the ID number"),
        FieldSpec(
            "relation", .code(["head", "spouse", "child", "parent", "other"]), .lww, "relation to the head"),
        FieldSpec("disability_grade", .integer(1...4), .human, "disability grade 残疾等级 1-4"),
        FieldSpec("health", .text(maxLength: 200), .lww, "health note"),
        FieldSpec("work_capacity", .text(maxLength: 200), .lww, "work-capacity note"),
        FieldSpec("vital_status", .code(vitalStatusOrder), .priority(vitalStatusOrder), "alive / deceased"),
        FieldSpec("death_date", .date, .human, "date of death"),
        FieldSpec("bank_card", .sealed, .human, "the person's own bank card, paid for their own programs (sensitive)"),
        FieldSpec("account_name", .text(maxLength: 50), .human, "account holder's name 户名 on the person's own card"),
        FieldSpec("note", .text(maxLength: 500), .lww, "free note"),
    ]

    public static let enrollment: [FieldSpec] = [
        FieldSpec("member", .reference(.member), .lww, "the enrolled member"),
        FieldSpec("household", .reference(.household), .lww, "the member's household"),
        FieldSpec("village", .division, .lww, "the household's village, kept for scoping"),
        FieldSpec("program", .code(Program.allCases.map(\.rawValue)), .lww, "program code"),
        FieldSpec(
            "status", .code(enrollmentStatusOrder), .priority(enrollmentStatusOrder),
            "applied 申请 / approved 在保 / suspended 暂停 / exited 退出"),
        FieldSpec(
            "decision", .code(["pending", "approved", "rejected"]), .authority,
            "the approval decision; county over township over village"),
        FieldSpec(
            "amount", .schedule, .human,
            "monthly amount schedule: fen, the standard, or the standard less fen, from each month"),
        FieldSpec("start_month", .month, .human, "first month paid"),
        FieldSpec("end_month", .month, .human, "last month paid"),
        FieldSpec("exit_reason", .text(maxLength: 200), .lww, "why the enrollment ended"),
        FieldSpec("approver", .text(maxLength: 64), .lww, "worker who recorded the decision"),
        FieldSpec("note", .text(maxLength: 500), .lww, "free note"),
        FieldSpec(
            "recommendation", .code(["approve", "reject"]), .lww,
            "a recommendation below the program's approving rank (R7)"),
        FieldSpec("suspended_from", .month, .lww, "the first month a suspension withholds"),
    ]

    public static let visit: [FieldSpec] = [
        FieldSpec("household", .reference(.household), .lww, "the visited household"),
        FieldSpec("village", .division, .lww, "the household's village"),
        FieldSpec("date", .date, .lww, "date of the visit"),
        FieldSpec("worker", .text(maxLength: 64), .lww, "who visited"),
        FieldSpec("note", .text(maxLength: 2000), .lww, "findings 核查情况"),
    ]

    /// County configuration, so it lives under the county-wide code (`<county>000000`) that
    /// every replica of the county pulls. Only the hub writes it (R7 as for approvals).
    public static let standard: [FieldSpec] = [
        FieldSpec(
            "village", .division, .lww, "the county-wide code `<county>000000`: every node of the county holds it"),
        FieldSpec("program", .code(Program.allCases.map(\.rawValue)), .lww, "program code"),
        FieldSpec(
            "band", .text(maxLength: 16), .lww,
            "band: `1-2`/`3-4` (disability_living), `scattered`/`institutional`, ages `80-89`"),
        FieldSpec("from_month", .month, .lww, "first month the standard is in force (提标 month)"),
        FieldSpec("amount", .money, .human, "the standard, fen per person per month"),
        FieldSpec("note", .text(maxLength: 500), .lww, "free note, e.g. the document that set it"),
    ]

    /// County configuration like standards: under the county-wide code, written by the hub.
    public static let setting: [FieldSpec] = [
        FieldSpec(
            "village", .division, .lww, "the county-wide code `<county>000000`: every node of the county holds it"),
        FieldSpec("name", .code(CountySetting.allCases.map(\.rawValue)), .lww, "which setting"),
        FieldSpec("value", .text(maxLength: 64), .human, "the setting's value"),
        FieldSpec("note", .text(maxLength: 500), .lww, "free note, e.g. the document that decided it"),
    ]

    /// County configuration like settings: the name the county registered for a township or
    /// village code, under the county-wide code so every node shows names, written by the hub.
    public static let division: [FieldSpec] = [
        FieldSpec(
            "village", .division, .lww, "the county-wide code `<county>000000`: every node of the county holds it"),
        FieldSpec("code", .text(maxLength: 12), .lww, "the township (9 digits) or village (12 digits) named"),
        FieldSpec("name", .text(maxLength: 64), .lww, "the name, e.g. 新庄镇 or 新庄村"),
        FieldSpec("note", .text(maxLength: 500), .lww, "free note, e.g. the document that named it"),
    ]

    public static let leadStatusOrder = ["open", "confirmed", "refuted"]

    /// A problem lead lives in the member's village, so it reaches the owning township.
    public static let lead: [FieldSpec] = [
        FieldSpec("member", .reference(.member), .lww, "the member the other department's list matched"),
        FieldSpec("household", .reference(.household), .lww, "the member's household"),
        FieldSpec("village", .division, .lww, "the member's village, kept for scoping"),
        FieldSpec(
            "source", .code(["death", "pension", "vehicle", "other"]), .lww,
            "which list matched: death, pension, vehicle, other"),
        FieldSpec("detail", .text(maxLength: 500), .lww, "what the list said (never the ID number)"),
        FieldSpec("reported_date", .date, .lww, "the date the list gives (date of death for a death list)"),
        FieldSpec("status", .code(leadStatusOrder), .human, "open 待核实 / confirmed 属实 / refuted 不属实"),
        FieldSpec("note", .text(maxLength: 500), .lww, "the verifier's note"),
        FieldSpec("verifier", .text(maxLength: 64), .lww, "worker who confirmed or refuted the lead"),
        FieldSpec("suspended", .set, .union, "enrollments the lead suspended at once (a death list)"),
    ]
}
