import Foundation
import HearthLedger
import HearthStore

extension ReportOptions {
    /// `--format xlsx`: the report as a new owner-only workbook at `--out`, audited; its path is
    /// printed alone.
    func writeWorkbook(
        title: String, header: [String], rows: [[String]], replica: ReplicaCore, period: String, worker: String
    ) throws {
        guard let out else { throw CLIError.usage(L("usage.xlsx_needs_out")) }
        try PayrollFormat.checkName(out, xlsx: true)
        try ReportWorkbook.write(
            ReportWorkbook.sheet(title: title, header: header, rows: rows), to: out, replica: replica, period: period,
            worker: worker, nowMillis: nowMillis())
        print(out)
    }
}
