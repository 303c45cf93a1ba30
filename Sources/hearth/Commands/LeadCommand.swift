import Foundation
import ArgumentParser
import HearthCore
import HearthLedger
import HearthStore

/// `hearth lead …` on a node: the problem leads (问题线索) the county's cross-checks sent to
/// this township or village, and their verification.
struct LeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lead", abstract: L("cmd.lead.abstract"),
        subcommands: [LeadList.self, LeadConfirm.self, LeadRefute.self], defaultSubcommand: LeadList.self)
}

struct LeadList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: L("cmd.lead.list.abstract"))
    @OptionGroup var replica: ReplicaOptions
    @Option(help: .text("opt.lead.status")) var status: String?
    @Flag(help: .text("opt.json")) var json = false

    func run() throws {
        try guarded { try printLeads(try replica.open().leads(status: try leadStatus(status)), json: json) }
    }
}

struct LeadConfirm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm",
        abstract: L("cmd.lead.confirm.abstract"), discussion: L("cmd.lead.confirm.discussion"))
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: .text("arg.lead"))
    var id: String
    @Option(help: .text("opt.lead.confirm.note")) var note: String
    @Option(help: .text("opt.lead.confirm.date")) var date: String?

    func run() throws {
        try guarded {
            let open = try replica.open()
            let ended = try open.decideLead(
                try RecordReference(id).resolve(.lead(statuses: ["open"], action: "confirmed"), in: open),
                confirm: true, note: note, date: date, author: try replica.author, nowMillis: nowMillis())
            for enrollment in ended { print(enrollment.value) }
        }
    }
}

struct LeadRefute: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refute",
        abstract: L("cmd.lead.refute.abstract"), discussion: L("cmd.lead.refute.discussion"))
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: .text("arg.lead"))
    var id: String
    @Option(help: .text("opt.lead.refute.note")) var note: String

    func run() throws {
        try guarded {
            let open = try replica.open()
            let resumed = try open.decideLead(
                try RecordReference(id).resolve(.lead(statuses: ["open"], action: "refuted"), in: open),
                confirm: false, note: note, date: nil, author: try replica.author, nowMillis: nowMillis())
            for enrollment in resumed { print(enrollment.value) }
        }
    }
}

func leadStatus(_ raw: String?) throws -> String? {
    guard let raw else { return nil }
    guard ["open", "confirmed", "refuted", "conflict"].contains(raw) else {
        throw InputError(field: "status", "input.lead_status")
    }
    return raw
}

func printLeads(_ leads: [LeadEntry], json: Bool) throws {
    if json {
        try Output.json(leads.map(LeadDocument.init))
        return
    }
    guard !leads.isEmpty else {
        print(L("lead.none"))
        return
    }
    let order = ["in conflict": 0, "open": 1, "confirmed": 2, "refuted": 3]
    Output.table(
        [
            FieldWords.name("id"), L("leads.status"), L("leads.source"), L("leads.village"), L("leads.member"),
            L("leads.name"), L("leads.date"), L("leads.detail"),
        ],
        leads.sorted { (order[$0.status] ?? 9, $0.village, $0.id) < (order[$1.status] ?? 9, $1.village, $1.id) }.map {
            [
                $0.id.value, FieldWords.value($0.status.replacingOccurrences(of: " ", with: "_"), field: "status"),
                FieldWords.value($0.source, field: "source"), $0.village, $0.member?.value ?? "", $0.name ?? "",
                $0.reportedDate ?? "",
                String($0.detail.prefix(60)),
            ]
        })
}
