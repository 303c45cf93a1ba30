import Foundation
import HearthCore
import HearthStore
import HearthText

/// The roll and the report as .xlsx workbooks (`--format xlsx`), for the bureau's clerks who
/// open them in Excel or WPS.
///
/// The roll is one workbook of four worksheets, the four CSV files of ``PayrollFile`` with
/// the same rows: 发放名册 (the disbursement and its 合计), 无卡另列, 追缴 and 发放汇总 (a 小计
/// per township and village, then the county's 合计). ID and card numbers are text cells, so
/// an 18-digit ID number is never turned into a number; yuan are numbers the sheet can sum.
/// The report is one worksheet: a title line, the headers, each area's programs with its 小计,
/// then the 合计 (``ReportTable``).
///
/// Written like the CSV files: a new file (never over an existing one), readable by its owner
/// only, flushed to disk, and recorded in the audit (``HubLedger/writeRollWorkbook(_:to:worker:nowMillis:)``,
/// ``ReportWorkbook``).
public enum RollWorkbook {
    /// The four worksheets of a roll.
    public static func sheets(_ roll: BankRoll) throws(ReplicaError) -> [XLSXSheetContent] {
        [
            XLSXSheetContent(name: "发放名册", rows: typed(PayrollFile.disbursement(roll))),
            XLSXSheetContent(name: "无卡另列", rows: typed(PayrollFile.noCard(roll))),
            XLSXSheetContent(name: "追缴", rows: typed(PayrollFile.recovery(roll))),
            XLSXSheetContent(name: "发放汇总", rows: typed(try PayrollFile.summary(roll))),
        ]
    }

    /// CSV rows as typed cells: line 1 (what the sheet is) and line 2 (the headers) bold, and
    /// the 小计 and 合计 labels too.
    static func typed(_ rows: [[String]], headings: Int = 2) -> [[XLSXCell]] {
        rows.enumerated().map { index, row in
            row.map { cell in
                let typed = XLSXCell.from(csv: cell)
                guard case .text(let text) = typed else { return typed }
                return index < headings || text.hasSuffix("小计") || text.hasSuffix("合计") ? .heading(text) : typed
            }
        }
    }

    /// Writes `sheets` as a new owner-only workbook at `path`.
    package static func write(_ sheets: [XLSXSheetContent], to path: String) throws(ReplicaError) {
        if FileManager.default.fileExists(atPath: path) { throw .outputExists(path: path, out: path) }
        let data: Data
        do { data = try XLSXDocument.build(sheets) } catch {
            throw .database(Catalogue.text("file.cannot_build_workbook", ["path": path, "reason": "\(error)"]))
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw .outputExists(path: path, out: path) }
            throw .database(
                Catalogue.text("file.cannot_create", ["path": path, "reason": String(cString: strerror(errno))]))
        }
        defer { close(fd) }
        let written = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0 else {
            unlink(path)
            throw .database(Catalogue.text("file.cannot_write", ["path": path]))
        }
    }
}

/// The bureau's report as a one-sheet workbook (see ``RollWorkbook``).
public enum ReportWorkbook {
    /// The report's sheet: `title` on line 1, then the headers and rows of ``ReportTable``.
    public static func sheet(title: String, header: [String], rows: [[String]]) -> XLSXSheetContent {
        XLSXSheetContent(name: "社会救助情况统计表", rows: RollWorkbook.typed([[title], header] + rows))
    }

    /// Writes the report to a new owner-only file at `path`, and records it in the audit.
    package static func write(
        _ sheet: XLSXSheetContent, to path: String, replica: some SnapshotReading, period: String, worker: String,
        nowMillis: Int64
    ) async throws(ReplicaError) {
        try RollWorkbook.write([sheet], to: path)
        do {
            try await replica.keepAudit(
                AuditEvent(
                    atMillis: nowMillis, worker: worker, action: AuditEvent.Action.export, subject: path,
                    field: "report", detail: "report for \(period): \(max(sheet.rows.count - 2, 0)) lines"))
        } catch {
            unlink(path)
            throw error
        }
    }
}

extension HubLedger {
    /// Writes the month's roll as one workbook (``RollWorkbook``) and records it in the audit
    /// as ``writeRoll(_:to:worker:nowMillis:)`` records the CSV files: it holds ID and card
    /// numbers in clear. Should the record fail, the file is removed again.
    public func writeRollWorkbook(_ roll: BankRoll, to out: String, worker: String, nowMillis: Int64)
        async throws(ReplicaError)
    {
        try RollWorkbook.write(try RollWorkbook.sheets(roll), to: out)
        let detail =
            "roll for \(roll.month)\(roll.locked ? " (locked)" : "") as a workbook: \(roll.lines.count) lines, "
            + "\(roll.total.yuanText) yuan to the bank; \(roll.withoutCard.count) lines without a card, "
            + "\(roll.recoveries.count) recovery lines, subtotals"
        do {
            try await audit(
                AuditEvent(
                    atMillis: nowMillis, worker: worker, action: AuditEvent.Action.export, subject: out,
                    field: "payroll", detail: detail))
        } catch {
            unlink(out)
            throw error
        }
    }
}
