import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthStore

struct HubPayroll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payroll",
        abstract: L("cmd.hub.payroll.abstract"), discussion: L("cmd.hub.payroll.discussion"))
    @OptionGroup var replica: HubReplicaOptions
    @Option(help: .text("opt.hub.payroll.month")) var month: String
    @Option(help: .text("opt.hub.payroll.out"))
    var out: String
    @Flag(help: .text("opt.hub.payroll.lock"))
    var lock = false
    @Flag(help: .text("opt.hub.payroll.json")) var json = false
    @Option(help: .text("opt.hub.payroll.format"))
    var format = "csv"

    func run() async throws {
        try await guardedAsync {
            // The roll is read once and the command ends: the book is freed beside the bank roll.
            BackgroundRelease.enableForOneShotCommand()
            let period = try Month.parse(month, field: "month")
            let printing = format.lowercased() == "print"
            let fileFormat = printing ? nil : try PayrollFormat.parse(format, out: out)
            // A county's roll takes seconds to compute: an --out already there is refused first.
            try PayrollFormat.refuseExisting(out, csv: fileFormat == .csv)
            let hub = try await replica.open()
            let worker = try replica.author
            guard let fileFormat else {
                try await PrintFormat.roll(hub: hub, month: period, out: out, worker: worker, lock: lock, json: json)
                return
            }
            let progress = ProgressLine(quiet: json)
            progress.update(L("payroll.reading", ["month": period]), force: true)
            let now = nowMillis()
            let (roll, bank) = try await hub.payrollWithBankRoll(for: period, nowMillis: now, settling: lock)
            // Not freed one by one when the command ends (``KeptUntilExit``).
            defer { KeptUntilExit.keep((roll, bank)) }
            progress.update(L("payroll.writing", ["month": period]), force: true)
            let paths = try await fileFormat.write(bank, hub: hub, to: out, worker: worker, nowMillis: nowMillis())
            if lock { try await hub.lock(roll, worker: worker, nowMillis: nowMillis()) }
            progress.finish()
            let adjustments = roll.rows.filter { $0.kind != .regular }
            let reasons = roll.leftOut.sorted { $0.key < $1.key }
            if json {
                try Output.json(
                    PayrollDocument(
                        month: period.description, county: bank.county, file: out,
                        files: PayrollDocument.Files(
                            disbursement: paths.disbursement, noCard: paths.noCard, recovery: paths.recovery,
                            summary: paths.summary),
                        rows: Int64(roll.rows.count), totalYuan: roll.total.yuanText, lines: Int64(bank.lines.count),
                        disbursementYuan: bank.total.yuanText, regularYuan: bank.regularTotal.yuanText,
                        backPayYuan: bank.backPayTotal.yuanText, linesWithoutCard: Int64(bank.withoutCard.count),
                        withoutCardYuan: bank.withoutCardTotal.yuanText, recoveryLines: Int64(bank.recoveries.count),
                        recoveryYuan: bank.recoveryTotal.yuanText, adjustments: Int64(adjustments.count),
                        locked: lock || roll.locked,
                        leftOut: Dictionary(uniqueKeysWithValues: reasons.map { ($0.key, Int64($0.value.count)) })))
                return
            }
            print(out)
            let state = roll.locked ? L("payroll.locked_already") : lock ? L("payroll.now_locked") : ""
            print(
                L(
                    "payroll.summary",
                    [
                        "month": period, "lines": bank.lines.count, "total": bank.total.yuanText,
                        "regular": bank.regularTotal.yuanText, "back": bank.backPayTotal.yuanText, "state": state,
                    ]))
            print(
                "  "
                    + L(
                        "payroll.no_card",
                        [
                            "lines": bank.withoutCard.count, "total": bank.withoutCardTotal.yuanText,
                            "file": paths.noCard,
                        ]))
            print(
                "  "
                    + L(
                        "payroll.recovery",
                        [
                            "lines": bank.recoveries.count, "total": bank.recoveryTotal.yuanText,
                            "file": paths.recovery,
                        ]))
            print("  " + L("payroll.subtotals", ["file": paths.summary]))
            for line in adjustments {
                let month = line.forMonth?.description ?? ""
                print(
                    "  "
                        + L(
                            "payroll.adjustment",
                            [
                                "kind": valueName(line.kind.rawValue, field: "payroll_kind"),
                                "enrollment": line.enrollment, "month": month,
                                "amount": line.amount.yuanText,
                            ]))
            }
            for (reason, ids) in reasons {
                print("  " + L("payroll.left_out", ["count": ids.count, "reason": Payroll.reasonText(reason)]))
            }
        }
    }
}
