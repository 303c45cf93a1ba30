import ArgumentParser
import HearthCore
import HearthStore

struct HubPayroll: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payroll",
        abstract: "Write the month's payment roll (一卡通发放名册) as CSV, and say what was left out and why.",
        discussion: """
            Never a deceased or exited person, a suspended or held enrollment, a member without an ID number, or the
            same person twice. The file holds ID and bank card numbers in clear: it is written readable by its owner
            only, UTF-8 with a BOM for Excel, and never over an existing file.
            """)
    @OptionGroup var replica: ReplicaOptions
    @Option(help: "The month, YYYY-MM.") var month: String
    @Option(help: "The CSV file to write (must not exist).") var out: String
    @Flag(help: "Record the roll as paid: the month is never rewritten; later changes become adjustments (补发/追缴) in a later roll.")
    var lock = false
    @Flag(help: "Print the summary as one JSON document.") var json = false

    func run() throws {
        try guarded {
            let hub = try replica.open()
            let period = try Month.parse(month, field: "month")
            let roll = try hub.payroll(for: period, nowMillis: nowMillis())
            try PayrollFile.write(roll, to: out)
            if lock { try hub.lock(roll, worker: try replica.author, nowMillis: nowMillis()) }
            let adjustments = roll.rows.filter { $0.kind != .regular }
            let reasons = roll.leftOut.sorted { $0.key < $1.key }
            if json {
                Output.json(.object([
                    "month": .string(period.description), "file": .string(out), "rows": .integer(Int64(roll.rows.count)),
                    "total_yuan": .string(roll.total.yuanText),
                    "adjustments": .integer(Int64(adjustments.count)), "locked": .bool(lock || roll.locked),
                    "left_out": .object(Dictionary(uniqueKeysWithValues: reasons.map { ($0.key, JSON.integer(Int64($0.value.count))) })),
                ]))
                return
            }
            print(out)
            print("\(period): \(roll.rows.count) rows, total \(roll.total.yuanText) yuan\(roll.locked ? " (locked: as paid)" : lock ? " (now locked)" : "")")
            for line in adjustments {
                print("  \(line.kind.chineseName) \(line.enrollment) for \(line.forMonth?.description ?? ""): \(line.amount.fen < 0 ? "-" + Money(fen: -line.amount.fen).yuanText : line.amount.yuanText)")
            }
            for (reason, ids) in reasons { print("  left out: \(ids.count) \(reason)") }
        }
    }
}
