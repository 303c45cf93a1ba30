import Foundation
import HearthCore
import HearthStore

/// Writes a page to print (``PrintPage``) as the CSV files are written: a new file only (never
/// over an existing one), readable by its owner only, flushed to disk.
public enum PrintPageFile {
    /// Writes `html` to `out`; refused when `out` exists.
    public static func write(_ html: String, to out: String) throws(ReplicaError) {
        try PayrollFile.create(out, text: html, out: out)
    }
}

extension HubLedger {
    /// Writes the month's roll as a page to print and sign (``RollPrintPage``) and records it in
    /// the audit table as ``writeRoll(_:to:worker:nowMillis:)`` records the CSV files: the page
    /// holds ID and card numbers in clear. Should the record fail, the page is removed again.
    public func writePrintedRoll(_ roll: BankRoll, to out: String, worker: String, nowMillis: Int64)
        async throws(ReplicaError)
    {
        let html = try RollPrintPage.html(roll)
        try PrintPageFile.write(html, to: out)
        do {
            try await audit(
                AuditEvent(
                    atMillis: nowMillis, worker: worker, action: AuditEvent.Action.export, subject: out,
                    field: "payroll print",
                    detail: "roll for \(roll.month)\(roll.locked ? " (locked)" : ""), page to print: "
                        + "\(roll.lines.count) lines, \(roll.total.yuanText) yuan to the bank"))
        } catch {
            unlink(out)
            throw error
        }
    }
}
