import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthStore

struct HubPayroll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payroll",
        abstract: "Write the month's payment roll (一卡通发放名册) for the bank, and say what was left out and why.",
        discussion: """
            Never a deceased or exited person, a suspended or held enrollment, a member without an ID number, or the \
            same person twice. One line per payee per program: a household program (低保, 临时救助) pays the \
            household's payee (`household edit --payee`, else the head) into the household's card, with the account \
            name (户名, `--account-name`, else the payee's name); a person's own program pays the person's own card \
            (`member edit --bank-card`), else the household's. Regular money and back pay (补发) are separate columns.

            --out roll.csv writes four files beside each other:
              roll.csv            the disbursement for the bank. Line 1: month, county code and name, number of lines,
                                  total (regular, back pay), lines kept apart, locked or not. Line 2: headers. Then
                                  one line per payee per program, and a 合计 line.
              roll-no-card.csv    lines the bank is not given (no card, no account holder), with the reason.
              roll-recovery.csv   recovery (追缴) for the townships to collect: never netted into the bank's total.
              roll-summary.csv    subtotals per township and village, and the county's total.
            --format xlsx --out roll.xlsx writes one Excel workbook instead, its four worksheets the four files above
            (发放名册, 无卡另列, 追缴, 发放汇总 with 小计 per township and village and the 合计): Chinese headers, ID and card
            numbers as text (never turned into numbers), yuan as numbers.
            They hold ID and bank card numbers in clear: readable by their owner only, UTF-8 with a BOM for Excel,
            never over an existing file (if any of the four exists, none is written), and recorded in
            `hearth hub audit` with --worker, the month and the number of lines.

            Output: the disbursement file's path alone on the first line, then the summary; --json prints one JSON
            document instead (totals in yuan; recovery negative).
            """)
    @OptionGroup var replica: HubReplicaOptions
    @Option(help: "The month, YYYY-MM.") var month: String
    @Option(
        help:
            "The disbursement CSV file to write (must not exist; the other three are named after it), the workbook with --format xlsx, or the page with --format print."
    )
    var out: String
    @Flag(
        help: """
            Record the roll as paid: the month is never rewritten; later changes become adjustments (补发/追缴) in a \
            later roll.
            """)
    var lock = false
    @Flag(help: "Print the summary as one JSON document.") var json = false
    @Option(
        help: """
            csv: the four CSV files (default); xlsx: one Excel workbook of four sheets; print: one HTML page to print \
            and sign (A4, 小计 and 合计, page numbers, lines for 制表人, 审核人, 负责人 and 日期), written to --out.
            """)
    var format = "csv"

    func run() async throws {
        try await guardedAsync {
            let hub = try replica.open()
            let worker = try replica.author
            let period = try Month.parse(month, field: "month")
            if format.lowercased() == "print" {
                try await PrintFormat.roll(hub: hub, month: period, out: out, worker: worker, lock: lock, json: json)
                return
            }
            let fileFormat = try PayrollFormat.parse(format, out: out)
            let progress = ProgressLine(quiet: json)
            progress.update(L("payroll.reading", ["month": period]), force: true)
            let roll = try hub.replica.payroll(for: period, nowMillis: nowMillis())
            progress.update(L("payroll.accounts", ["month": period, "lines": roll.rows.count]), force: true)
            let bank = try await hub.bankRoll(roll)
            progress.update(L("payroll.writing", ["month": period]), force: true)
            let paths = try fileFormat.write(bank, hub: hub, to: out, worker: worker, nowMillis: nowMillis())
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
                                "kind": line.kind.chineseName, "enrollment": line.enrollment, "month": month,
                                "amount": line.amount.yuanText,
                            ]))
            }
            for (reason, ids) in reasons {
                print("  " + L("payroll.left_out", ["count": ids.count, "reason": reason]))
            }
        }
    }
}
