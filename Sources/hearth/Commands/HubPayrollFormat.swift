import Foundation
import HearthCore
import HearthLedger
import HearthStore

/// `hub payroll --format`: how the roll is written. Kept apart from the command so each format
/// is one case here.
enum PayrollFormat: String {
    /// Four CSV files beside each other (``PayrollFile``), the default.
    case csv
    /// One .xlsx workbook of four worksheets (``RollWorkbook``).
    case xlsx

    /// Where each part of the roll went: four files, or four sheets of one workbook.
    struct Written {
        let disbursement: String
        let noCard: String
        let recovery: String
        let summary: String
    }

    /// The format, checked against the name given to --out: a workbook named .csv (or CSV
    /// named .xlsx) would not open as what its name says.
    static func parse(_ text: String, out: String) throws -> PayrollFormat {
        guard let format = PayrollFormat(rawValue: text.lowercased()) else {
            throw InputError(field: "format", "input.payroll_format")
        }
        try checkName(out, xlsx: format == .xlsx)
        return format
    }

    /// Refuses an --out name that says the other format.
    static func checkName(_ out: String, xlsx: Bool) throws {
        let named = out.lowercased().hasSuffix(".xlsx")
        if xlsx, !named {
            throw CLIError.usage(L("usage.xlsx_name"))
        }
        if !xlsx, named { throw CLIError.usage(L("usage.out_is_xlsx", ["out": out])) }
    }

    /// Refuses an --out whose file, or one of whose four CSV files (`csv`), is there already, as
    /// the writers would, but before the roll is read rather than after.
    static func refuseExisting(_ out: String, csv: Bool) throws {
        if csv {
            try PayrollFile.Paths(out: out).refuseExisting(out: out)
        } else if FileManager.default.fileExists(atPath: out) {
            throw ReplicaError.outputExists(path: out, out: out)
        }
    }

    /// Writes the roll in this format, audited with `worker`.
    func write(_ bank: BankRoll, hub: HubLedger, to out: String, worker: String, nowMillis: Int64) async throws
        -> Written
    {
        switch self {
        case .csv:
            let paths = try await hub.writeRoll(bank, to: out, worker: worker, nowMillis: nowMillis)
            return Written(
                disbursement: paths.disbursement, noCard: paths.noCard, recovery: paths.recovery,
                summary: paths.summary)
        case .xlsx:
            try await hub.writeRollWorkbook(bank, to: out, worker: worker, nowMillis: nowMillis)
            return Written(disbursement: out, noCard: out, recovery: out, summary: out)
        }
    }
}
