import ArgumentParser
import HearthCore
import HearthLedger
import HearthStore

/// `hearth lead …` on a node: the problem leads (问题线索) the county's cross-checks sent to
/// this township or village, and their verification.
struct LeadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lead", abstract: "Problem leads (问题线索) from the county's cross-checks: list, confirm, refute.",
        subcommands: [LeadList.self, LeadConfirm.self, LeadRefute.self], defaultSubcommand: LeadList.self)
}

struct LeadList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the leads this replica holds (open first), with what the list said.")
    @OptionGroup var replica: ReplicaOptions
    @Option(help: "Only leads with this status: open, confirmed, refuted or conflict.") var status: String?
    @Flag(help: "Print one JSON document.") var json = false

    func run() throws {
        try guarded { try printLeads(try replica.open().leads(status: try leadStatus(status)), json: json) }
    }
}

struct LeadConfirm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm",
        abstract:
            "Confirm a lead after verification (属实). A death lead records the death: every benefit of the person ends.",
        discussion: "Prints the enrollments the confirmation ended, one per line.")
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The lead id, e.g. L-3f9a2c71b0d4-12; or the member's ID number or name when one lead is open.")
    var id: String
    @Option(help: "How it was verified (入户核实, 火化证明, …); recorded with the decision.") var note: String
    @Option(help: "The date of death, YYYY-MM-DD, when the list gave none or gave a wrong one.") var date: String?

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
        abstract: "Refute a lead after verification (不属实). A death lead's suspended enrollments resume.",
        discussion: "Prints the enrollments that resumed, one per line.")
    @OptionGroup var replica: ReplicaOptions
    @Argument(help: "The lead id, e.g. L-3f9a2c71b0d4-12; or the member's ID number or name when one lead is open.")
    var id: String
    @Option(help: "How it was verified (本人健在, 同名误报, …); recorded with the decision.") var note: String

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
        throw InputError(field: "status", reason: "must be open, confirmed, refuted or conflict")
    }
    return raw
}

func printLeads(_ leads: [LeadEntry], json: Bool) throws {
    if json {
        try Output.json(leads.map(LeadDocument.init))
        return
    }
    guard !leads.isEmpty else {
        print("(no leads)")
        return
    }
    let order = ["in conflict": 0, "open": 1, "confirmed": 2, "refuted": 3]
    Output.table(
        ["id", "status", "source", "village", "member", "name", "date", "detail"],
        leads.sorted { (order[$0.status] ?? 9, $0.village, $0.id) < (order[$1.status] ?? 9, $1.village, $1.id) }.map {
            [
                $0.id.value, $0.status, $0.source, $0.village, $0.member?.value ?? "", $0.name ?? "",
                $0.reportedDate ?? "",
                String($0.detail.prefix(60)),
            ]
        })
}
