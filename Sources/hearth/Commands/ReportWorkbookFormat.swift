import Foundation
import HearthLedger
import HearthStore

extension ReportOptions {
    /// `--format xlsx`: the report as a new owner-only workbook at `--out`, audited; its path is
    /// printed alone.
    func writeWorkbook(
        title: String, header: [String], rows: [[String]], replica: some SnapshotReading, period: String,
        worker: String
    ) async throws {
        guard let out else { throw CLIError.usage(L("usage.xlsx_needs_out")) }
        try PayrollFormat.checkName(out, xlsx: true)
        try await ReportWorkbook.write(
            ReportWorkbook.sheet(title: title, header: header, rows: rows), to: out, replica: replica, period: period,
            worker: worker, nowMillis: nowMillis())
        print(out)
    }
}
