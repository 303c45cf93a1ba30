import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthStore

struct EnrollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: "Apply for a program for a member, or for every living member of a household.",
        discussion: """
            Programs: \(Program.allCases.map { "\($0.rawValue) (\($0.chineseName))" }.joined(separator: ", ")).
            Prints the new enrollment ids, one per line. The enrollment starts as applied (申请), decision pending.
            Refused when implausible (R6): an amount above the program's ceiling (`hearth hub setting list`), dibao of
            the other household type, a child benefit from 18, the old-age allowance under 80, a disability program
            without its grade; unless --override gives the reason it is right.
            """)

    @OptionGroup var replica: ReplicaOptions
    @Option(help: "The member: its id, ID number or name.") var member: String?
    @Option(help: "Enroll every living member of this household instead (an id, or a member's ID number or name).")
    var household: String?
    @Option(help: "Program code.") var program: String
    @Option(
        parsing: .unconditional,
        help:
            "Monthly amount per person: yuan (fixed), std (the county's standard, following every raise) or std-326 (a top-up 补差: the standard less the household's income per person, here 326 yuan); default: std."
    )
    var amount: String?
    @Option(help: "First month, YYYY-MM.") var start: String
    @Option(
        help: ArgumentHelp(
            "Why an amount above the program's ceiling, or a prerequisite not met, is right; the audit keeps it.",
            valueName: "reason"))
    var override: String?

    func run() throws {
        try guarded {
            let open = try replica.open()
            let ids = try open.enroll(
                EnrollInput(
                    member: try member.map { try RecordReference($0).resolve(.member, in: open) },
                    household: try household.map { try RecordReference($0).resolve(.household, in: open) },
                    program: program, amount: amount, start: start, override: override),
                author: try replica.author, nowMillis: nowMillis())
            for id in ids { print(id) }
        }
    }
}

/// approve / reject / suspend / resume share one shape.
protocol EnrollmentActionCommand: ParsableCommand {
    static var action: EnrollmentAction { get }
    var replica: ReplicaOptions { get }
    var id: String { get }
    var note: String? { get }
}

extension EnrollmentActionCommand {
    func run() throws {
        try guarded {
            let open = try replica.open()
            let enrollment = try RecordReference(id).resolve(Self.action.target, in: open)
            let recommendation = try open.changeEnrollment(
                enrollment, Self.action, note: note, author: try replica.author, nowMillis: nowMillis())
            print(enrollment)
            if recommendation {
                print("recorded as a recommendation only (R7): the township decides on this program")
            }
        }
    }
}

struct ApproveCommand: EnrollmentActionCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve an application (在保). On a village node this is a recommendation.")
    static let action = EnrollmentAction.approve
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The enrollment: its id, or the member's ID number or name when it has one such enrollment.")
    var id: String
    @Option(help: "A note.") var note: String?
}

struct RejectCommand: EnrollmentActionCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Reject an application.")
    static let action = EnrollmentAction.reject
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The enrollment: its id, or the member's ID number or name when it has one such enrollment.")
    var id: String
    @Option(help: "A note.") var note: String?
}

struct SuspendCommand: EnrollmentActionCommand {
    static let configuration = CommandConfiguration(commandName: "suspend", abstract: "Suspend payments (暂停).")
    static let action = EnrollmentAction.suspend
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The enrollment: its id, or the member's ID number or name when it has one such enrollment.")
    var id: String
    @Option(help: "A note.") var note: String?
}

struct ResumeCommand: EnrollmentActionCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a suspended enrollment.")
    static let action = EnrollmentAction.resume
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The enrollment: its id, or the member's ID number or name when it has one such enrollment.")
    var id: String
    @Option(help: "A note.") var note: String?
}

struct ExitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exit", abstract: "End an enrollment (退出).")
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The enrollment: its id, or the member's ID number or name when it has one such enrollment.")
    var id: String
    @Option(help: "Why the enrollment ends.") var reason: String
    @Option(help: "Last month paid, YYYY-MM.") var end: String

    func run() throws {
        try guarded {
            let open = try replica.open()
            let enrollment = try RecordReference(id).resolve(
                .enrollment(statuses: EnrollmentTargets.live, action: "ended"), in: open)
            try open.exitEnrollment(
                enrollment, reason: reason, end: end, author: try replica.author, nowMillis: nowMillis())
            print(enrollment)
        }
    }
}

struct EnrollmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enrollment", abstract: "Enrollments (救助关系): edit the amount, show, list.",
        subcommands: [EnrollmentEdit.self, EnrollmentShow.self, EnrollmentList.self])
}

struct EnrollmentEdit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit", abstract: "Change the monthly amount from a month on; earlier months keep their amounts.")
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The enrollment: its id, or the member's ID number or name when it has one such enrollment.")
    var id: String
    @Option(
        parsing: .unconditional,
        help: "New monthly amount: yuan, std (the standard) or std-326 (the standard less 326 yuan, 补差).") var amount:
        String
    @Option(help: "First month of the new amount, YYYY-MM.") var from: String
    @Option(help: "Why the amount changes.") var reason: String
    @Option(
        help: ArgumentHelp(
            "Why an amount above the program's ceiling (or for a member the program's prerequisites do not fit) is "
                + "right; the audit keeps it.",
            valueName: "reason"))
    var override: String?

    func run() throws {
        try guarded {
            let opened = try replica.open()
            let id = try RecordReference(self.id).resolve(
                .enrollment(statuses: EnrollmentTargets.live, action: "changed"), in: opened)
            try opened.changeAmount(
                id, amount: amount, from: from, reason: reason, override: override, author: try replica.author,
                nowMillis: nowMillis())
            print(id)
            // Below the program's approving rank, money on an approved enrollment is a recommendation (R7).
            if let record = RecordID(id), let state = try opened.state(of: record), Admission.isApproved(state),
                let program = state.resolution(of: "program").value.textValue.flatMap(Program.init(rawValue:)),
                opened.info.scope.level < ApprovalAuthority.approver(for: program)
            {
                FileHandle.standardError.write(
                    Data(
                        ("note: \(record) is approved; from a \(opened.info.scope.level.rawValue) this change is a "
                            + "recommendation: the hub holds it, and the old amount is paid, until the county releases it "
                            + "(R7)\n").utf8))
            }
        }
    }
}

struct EnrollmentShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show an enrollment.")
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var display: ShowOptions
    @Argument(help: "The enrollment: its id, or the member's ID number or name when it has one such enrollment.")
    var id: String

    func run() throws {
        try guarded { try showRecord(id, expected: .enrollment, replica: replica, display: display) }
    }
}

struct EnrollmentList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List enrollments.")
    @OptionGroup var replica: ReplicaOptions
    @Option(help: "Only this member's enrollments (an id, ID number or name).") var member: String?
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        try guarded {
            let open = try replica.open()
            let member = try self.member.map { try RecordReference($0).resolve(.member, in: open) }
            let ids = try open.list(.enrollment, where: member == nil ? nil : "member", equals: member)
            try listRecords(
                ids, replica: open, json: json,
                columns: ["member", "program", "status", "decision", "amount", "start_month", "end_month"])
        }
    }
}

struct VisitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visit", abstract: "Home visits and verifications (入户核查).",
        subcommands: [VisitAdd.self, VisitList.self])
}

struct VisitAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Record a visit. Prints its id.")
    @OptionGroup var replica: ReplicaOptions
    @Option(help: "The household: its id, or a member's ID number or name (that member's household).")
    var household: String
    @Option(help: "What was found.") var note: String
    @Option(help: "Date of the visit, YYYY-MM-DD (default today).") var date: String?

    func run() throws {
        try guarded {
            let open = try replica.open()
            print(
                try open.addVisit(
                    household: try RecordReference(household).resolve(.household, in: open), note: note, date: date,
                    author: try replica.author, nowMillis: nowMillis()))
        }
    }
}

struct VisitList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List visits.")
    @OptionGroup var replica: ReplicaOptions
    @Option(help: "Only visits to this household (an id, or a member's ID number or name).") var household: String?
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        try guarded {
            let open = try replica.open()
            let household = try self.household.map { try RecordReference($0).resolve(.household, in: open) }
            let ids = try open.list(.visit, where: household == nil ? nil : "household", equals: household)
            try listRecords(ids, replica: open, json: json, columns: ["household", "date", "worker", "note"])
        }
    }
}

/// Which of a member's enrollments each command can act on, when it is given the member.
enum EnrollmentTargets {
    /// Not ended: what exit and an amount's change take.
    static let live: Set<String> = ["applied", "approved", "suspended"]
}

extension EnrollmentAction {
    /// The member's enrollments this action can take: an application to approve or reject, an
    /// approved one to suspend, a suspended one to resume.
    var target: RecordReference.Target {
        switch self {
        case .approve: return .enrollment(statuses: ["applied"], action: "approved")
        case .reject: return .enrollment(statuses: ["applied"], action: "rejected")
        case .suspend: return .enrollment(statuses: ["approved"], action: "suspended")
        case .resume: return .enrollment(statuses: ["suspended"], action: "resumed")
        }
    }
}
