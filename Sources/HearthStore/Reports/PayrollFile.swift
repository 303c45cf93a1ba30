import Foundation
import HearthCore

/// Writes a payroll as CSV for Excel: UTF-8 with a byte-order mark, Chinese headers, owner-only
/// permissions (it holds ID and bank card numbers in clear), never over an existing file. ID and
/// card numbers follow a tab, which keeps Excel from turning them into numbers; text cells that a
/// spreadsheet would read as formulas are neutralised (``SpreadsheetCSV``).
public enum PayrollFile {
    public static func write(_ payroll: Payroll, to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ReplicaError.alreadyExists(path: path)
        }
        var rows = [
            [
                "户编号", "村(社区)", "成员编号", "姓名", "身份证号", "救助项目", "项目代码", "月份", "发放类型", "所属月份", "金额(元)",
                "一卡通账号", "救助关系编号",
            ]
        ]
        for row in payroll.rows {
            let amount = row.amount.yuanText
            rows.append([
                row.household, row.village, row.member.value, row.name, "\t" + row.idNumber, row.program.chineseName,
                row.program.rawValue, payroll.month.description, row.kind.chineseName, (row.forMonth ?? payroll.month).description,
                amount, row.bankCard.isEmpty ? "" : "\t" + row.bankCard, row.enrollment.value,
            ])
        }
        // Names, villages and ids come from every laptop of the county: cells are neutralised.
        let text = SpreadsheetCSV.document(rows)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw ReplicaError.database("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else { throw ReplicaError.database("could not write \(path)") }
    }
}
