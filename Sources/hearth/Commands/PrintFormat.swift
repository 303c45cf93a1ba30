import Foundation
import HearthCore
import HearthLedger
import HearthStore

/// `--format print` of `hub payroll` and `hub report` (and a node's `report`): one HTML page to
/// print and sign (``PrintPage``), written to `--out`, never over an existing file, owner-only.
/// Kept apart from the commands so each format's handling stays in a file of its own.
enum PrintFormat {
    /// The month's roll as a page; audited as the CSV roll is; locked after it when asked.
    static func roll(hub: HubLedger, month: Month, out: String, worker: String, lock: Bool, json: Bool)
        async throws
    {
        let progress = ProgressLine(quiet: json)
        progress.update(PrintText.computing(month), force: true)
        let now = nowMillis()
        let (roll, bank) = try await hub.payrollWithBankRoll(for: month, nowMillis: now, settling: lock)
        defer { KeptUntilExit.keep((roll, bank)) }
        try await hub.writePrintedRoll(bank, to: out, worker: worker, nowMillis: nowMillis())
        if lock { try await hub.lock(roll, worker: worker, nowMillis: nowMillis()) }
        progress.finish()
        if json {
            try Output.json(
                PrintedRollDocument(
                    month: month.description, county: bank.county, file: out, title: RollPrintPage.title(bank),
                    lines: Int64(bank.lines.count), disbursementYuan: bank.total.yuanText,
                    locked: lock || roll.locked))
            return
        }
        print(out)
        print(PrintText.roll(bank, locked: lock || roll.locked))
    }

    /// The report for the options' period as a page: by village, each township's 小计 from the
    /// report by township.
    static func report(replica: some SnapshotReading, start: Month, end: Month, out: String?) async throws {
        guard let out else { throw CLIError.usage(PrintText.needsOut) }
        let progress = ProgressLine(quiet: false)
        progress.update(PrintText.computingReport, force: true)
        let now = nowMillis()
        let (byVillage, byTownship, names) = try await replica.reading { replica in
            (
                try replica.report(from: start, to: end, by: .village, nowMillis: now),
                try replica.report(from: start, to: end, by: .township, nowMillis: now), try replica.divisionNames()
            )
        }
        progress.finish()
        let html = ReportPrintPage.html(
            byVillage: byVillage, byTownship: byTownship, from: start, to: end, place: replica.info.name,
            scope: replica.info.scope.value, names: names)
        try PrintPageFile.write(html, to: out)
        print(out)
        print(PrintText.report(byVillage.total))
    }
}

/// The words `--format print` prints, together so the message catalogue can take them over.
enum PrintText {
    static var needsOut: String { L("usage.print_needs_out") }
    static var computingReport: String { L("print.computing_report") }

    static func computing(_ month: Month) -> String { L("print.computing_roll", ["month": month]) }

    static func roll(_ bank: BankRoll, locked: Bool) -> String {
        L(
            "print.roll",
            [
                "month": bank.month, "lines": bank.lines.count, "total": bank.total.yuanText,
                "locked": locked ? L("print.locked") : "",
            ])
    }

    static func report(_ total: ReportLine) -> String {
        L(
            "print.report",
            ["households": total.households, "persons": total.persons, "total": total.monthTotal.yuanText])
    }
}

/// `hub payroll --format print --json`: the page written and the roll's figures on it.
struct PrintedRollDocument: Codable, Sendable, Equatable {
    let month: String
    let county: String
    let file: String
    let title: String
    let lines: Int64
    let disbursementYuan: String
    let locked: Bool

    enum CodingKeys: String, CodingKey {
        case month, county, file, title, lines
        case disbursementYuan = "disbursement_yuan"
        case locked
    }
}
