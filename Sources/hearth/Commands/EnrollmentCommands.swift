import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthStore

struct EnrollCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enroll",
        abstract: L("cmd.enroll.abstract"),
        discussion: L(
            "cmd.enroll.discussion",
            ["programs": Program.allCases.map { "\($0.chineseName) (\($0.rawValue))" }.joined(separator: ", ")]))

    @OptionGroup var replica: ReplicaOptions
    @Option(help: .text("opt.death.member")) var member: String?
    @Option(help: .text("opt.enroll.household"))
    var household: String?
    @Option(help: .text("opt.enroll.program")) var program: String
    @Option(
        parsing: .unconditional,
        help: .text("opt.enroll.amount"))
    var amount: String?
    @Option(help: .text("opt.enroll.start")) var start: String
    @Option(
        help: ArgumentHelp(L("opt.override"), valueName: "reason"))
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
                print(L("enrollment.recommendation"))
            }
        }
    }
}

struct ApproveCommand: EnrollmentActionCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: L("cmd.approve.abstract"))
    static let action = EnrollmentAction.approve
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: .text("arg.enrollment"))
    var id: String
    @Option(help: .text("opt.note")) var note: String?
}

struct RejectCommand: EnrollmentActionCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: L("cmd.reject.abstract"))
    static let action = EnrollmentAction.reject
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: .text("arg.enrollment"))
    var id: String
    @Option(help: .text("opt.note")) var note: String?
}

struct SuspendCommand: EnrollmentActionCommand {
    static let configuration = CommandConfiguration(commandName: "suspend", abstract: L("cmd.suspend.abstract"))
    static let action = EnrollmentAction.suspend
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: .text("arg.enrollment"))
    var id: String
    @Option(help: .text("opt.note")) var note: String?
}

struct ResumeCommand: EnrollmentActionCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: L("cmd.resume.abstract"))
    static let action = EnrollmentAction.resume
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: .text("arg.enrollment"))
    var id: String
    @Option(help: .text("opt.note")) var note: String?
}

struct ExitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "exit", abstract: L("cmd.exit.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: .text("arg.enrollment"))
    var id: String
    @Option(help: .text("opt.exit.reason")) var reason: String
    @Option(help: .text("opt.exit.end")) var end: String

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
        commandName: "enrollment", abstract: L("cmd.enrollment.abstract"),
        subcommands: [EnrollmentEdit.self, EnrollmentShow.self, EnrollmentList.self])
}

struct EnrollmentEdit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edit", abstract: L("cmd.enrollment.edit.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: .text("arg.enrollment"))
    var id: String
    @Option(
        parsing: .unconditional,
        help: .text("opt.enrollment.amount")) var amount: String
    @Option(help: .text("opt.enrollment.from")) var from: String
    @Option(help: .text("opt.enrollment.reason")) var reason: String
    @Option(
        help: ArgumentHelp(L("opt.override"), valueName: "reason"))
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
                        (L(
                            "enrollment.amount_recommendation",
                            ["id": record, "level": valueName(opened.info.scope.level.rawValue, field: "level")])
                            + "\n").utf8))
            }
        }
    }
}

struct EnrollmentShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: L("cmd.enrollment.show.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var display: ShowOptions
    @Argument(help: .text("arg.enrollment"))
    var id: String

    func run() throws {
        try guarded { try showRecord(id, expected: .enrollment, replica: replica, display: display) }
    }
}

struct EnrollmentList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: L("cmd.enrollment.list.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Option(help: .text("opt.enrollment.list.member")) var member: String?
    @Flag(help: .text("opt.json")) var json = false

    func run() throws {
        try guarded {
            let open = try replica.open()
            let member = try self.member.map { try RecordReference($0).resolve(.member, in: open) }
            try listRecords(
                .enrollment, where: "member", equals: member, replica: open, json: json,
                columns: ["member", "program", "status", "decision", "amount", "start_month", "end_month"])
        }
    }
}

struct VisitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visit", abstract: L("cmd.visit.abstract"),
        subcommands: [VisitAdd.self, VisitList.self])
}

struct VisitAdd: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: L("cmd.visit.add.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Option(help: .text("opt.visit.household"))
    var household: String
    @Option(help: .text("opt.visit.note")) var note: String
    @Option(help: .text("opt.visit.date")) var date: String?

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
    static let configuration = CommandConfiguration(commandName: "list", abstract: L("cmd.visit.list.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Option(help: .text("opt.visit.list.household")) var household: String?
    @Flag(help: .text("opt.json")) var json = false

    func run() throws {
        try guarded {
            let open = try replica.open()
            let household = try self.household.map { try RecordReference($0).resolve(.household, in: open) }
            try listRecords(
                .visit, where: "household", equals: household, replica: open, json: json,
                columns: ["household", "date", "worker", "note"])
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
