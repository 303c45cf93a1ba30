import Foundation
import HearthCore
import HearthStore
import HearthText

/// Writes a ``BankRoll`` as four CSV files for Excel and the bank.
///
/// Given `--out roll.csv`:
///
/// - `roll.csv`, the disbursement (一卡通发放名册) for the bank: line 1 states the month, the
///   county's division code and name, the number of lines and the total (regular and back pay
///   apart), what was kept out, and whether the month is locked; line 2 the headers; then one
///   line per payee per program (序号, township and village, each code with its registered
///   name beside it, household, program, persons, payee
///   id, name and ID number, 户名, card number, card kind, regular, back pay, line total, the
///   months of the back pay, enrollment ids); the last line the 合计.
/// - `roll-no-card.csv`: the lines the bank is not given (no card, no account holder, a card
///   this key cannot open), with the same columns less the card and a 原因 (reason) column.
/// - `roll-recovery.csv`: recovery (追缴) for the townships to collect, one line per
///   enrollment and month, amounts negative as in the roll.
/// - `roll-summary.csv`: subtotals per township and each of its villages, then the county's
///   total: lines, persons, regular, back pay, total, lines without a card and their amount,
///   recovery lines and their amount.
///
/// Every file is written even when it has no lines, each new (never over an existing file:
/// if any of the four exists, none is written), owner-only (they hold ID and card numbers in
/// clear), UTF-8 with a byte-order mark and CRLF. ID and card numbers follow a tab, which keeps
/// Excel from turning them into numbers; text cells a spreadsheet would read as formulas are
/// neutralised (``SpreadsheetCSV``).
public enum PayrollFile {
    /// The four files written for one `--out` path.
    public struct Paths: Sendable, Equatable {
        public let disbursement: String
        public let noCard: String
        public let recovery: String
        public let summary: String

        public var all: [String] { [disbursement, noCard, recovery, summary] }

        /// `roll.csv` → `roll-no-card.csv`, `roll-recovery.csv`, `roll-summary.csv` beside it.
        public init(out: String) {
            let base = out.hasSuffix(".csv") ? String(out.dropLast(4)) : out
            disbursement = out
            noCard = base + "-no-card.csv"
            recovery = base + "-recovery.csv"
            summary = base + "-summary.csv"
        }

        /// Refuses the --out path `out` these files are written for when one of them is there
        /// already: Hearth never writes over a file.
        public func refuseExisting(out: String) throws(ReplicaError) {
            for path in all where FileManager.default.fileExists(atPath: path) {
                throw .outputExists(path: path, out: out)
            }
        }
    }

    /// Writes the four files; nothing is written when any of them exists already.
    package static func write(_ roll: BankRoll, to out: String) async throws(ReplicaError) -> Paths {
        let paths = Paths(out: out)
        try paths.refuseExisting(out: out)
        let files = try await bytes(of: roll)
        var written: [String] = []
        do throws(ReplicaError) {
            for (path, parts) in zip(paths.all, files) {
                try create(path, parts: parts, out: out)
                written.append(path)
            }
        } catch {
            for path in written { unlink(path) }
            throw error
        }
        return paths
    }

    /// Each file's bytes, in parts to be written one after the other, built side by side:
    /// the disbursement in two halves (a county's is a hundred thousand lines, and took as
    /// long as the other three together), the other three beside them. Each file's rows go
    /// straight into its bytes, never held as rows of strings.
    static func bytes(of roll: BankRoll) async throws(ReplicaError) -> [[[UInt8]]] {
        let half = roll.lines.count / 2
        async let first: [UInt8] = {
            var text = SpreadsheetCSV.Text()
            disbursementHead(roll, into: &text)
            disbursementLines(roll, 0..<half, into: &text)
            return text.bytes
        }()
        async let second: [UInt8] = {
            var text = SpreadsheetCSV.Text.continuation
            disbursementLines(roll, half..<roll.lines.count, into: &text)
            disbursementFoot(roll, into: &text)
            return text.bytes
        }()
        async let rest: Result<[[UInt8]], ReplicaError> = {
            do throws(ReplicaError) {
                var files = [SpreadsheetCSV.Text](repeating: SpreadsheetCSV.Text(), count: 3)
                noCard(roll, into: &files[0])
                recovery(roll, into: &files[1])
                try summary(roll, into: &files[2])
                return .success(files.map(\.bytes))
            } catch { return .failure(error) }
        }()
        let others = try await rest.get()
        return [[await first, await second]] + others.map { [$0] }
    }

    /// Line 1 of each file: what it is, the month, the county.
    static func heading(_ title: String, _ roll: BankRoll) -> [String] {
        [title, "发放月份", roll.month.description, "县(市、区)区划代码", roll.county, "县(市、区)", roll.countyName]
    }

    static let lineHeaders = [
        "序号", "乡镇(街道)", "乡镇(街道)名称", "村(社区)", "村(社区)名称", "户编号", "救助项目", "项目代码", "享受人数", "领款人编号",
        "领款人姓名", "领款人身份证号", "户名",
    ]
    static let moneyHeaders = ["正常发放(元)", "补发(元)", "合计(元)", "补发所属月份", "救助关系编号"]

    /// A number the spreadsheet must keep as text (ID and card numbers).
    static func digits(_ text: String) -> String { text.isEmpty ? "" : "\t" + text }

    static func lineCells(_ number: Int, _ line: BankRoll.Line, _ names: DivisionNames, into cells: inout [String]) {
        let township = line.township
        cells += [
            String(number), township, names.name(of: township) ?? "", line.village,
            names.name(of: line.village) ?? "", line.household, line.program.chineseName, line.program.rawValue,
            String(line.members.count), line.payee?.value ?? "", line.payeeName, digits(line.payeeIDNumber),
            line.accountName,
        ]
    }

    static func moneyCells(_ line: BankRoll.Line, into cells: inout [String]) {
        cells += [
            line.regular.yuanText, line.backPay.yuanText, line.total.yuanText,
            line.backPayMonths.map(\.description).joined(separator: " "),
            line.enrollments.map(\.value).joined(separator: " "),
        ]
    }

    /// The rows of the disbursement file (``PayrollFile``), kept together: for the workbook.
    static func disbursement(_ roll: BankRoll) -> [[String]] {
        var rows = RowList()
        disbursement(roll, into: &rows)
        return rows.rows
    }

    /// The rows of the disbursement file, each handed to `sink` as it is made.
    static func disbursement(_ roll: BankRoll, into sink: inout some RowSink) {
        disbursementHead(roll, into: &sink)
        disbursementLines(roll, roll.lines.indices, into: &sink)
        disbursementFoot(roll, into: &sink)
    }

    /// The disbursement's first two rows: what it holds, then the headers.
    static func disbursementHead(_ roll: BankRoll, into sink: inout some RowSink) {
        sink.row(
            heading("一卡通发放名册", roll)
                + [
                    "笔数", "\(roll.lines.count)", "发放总额(元)", roll.total.yuanText, "其中正常发放(元)",
                    roll.regularTotal.yuanText,
                    "其中补发(元)", roll.backPayTotal.yuanText, "无卡另列笔数", "\(roll.withoutCard.count)", "追缴另列笔数",
                    "\(roll.recoveries.count)", "状态", roll.locked ? "已锁定(按已发放)" : "未锁定",
                ])
        sink.row(lineHeaders + ["一卡通账号", "账户类型"] + moneyHeaders)
    }

    /// The disbursement's rows of these lines, numbered by their place in the roll.
    static func disbursementLines(_ roll: BankRoll, _ range: Range<Int>, into sink: inout some RowSink) {
        // Each line read in place (an array's element is copied whole when handed over), its
        // cells made in one array used again for every line.
        var cells: [String] = []
        cells.reserveCapacity(lineHeaders.count + 2 + moneyHeaders.count)
        roll.lines.withUnsafeBufferPointer { lines in
            for index in range {
                cells.removeAll(keepingCapacity: true)
                lineCells(index + 1, lines[index], roll.names, into: &cells)
                cells.append(digits(lines[index].bankCard))
                cells.append(lines[index].account.chineseName)
                moneyCells(lines[index], into: &cells)
                sink.row(cells)
            }
        }
    }

    /// The disbursement's last row: the 合计.
    static func disbursementFoot(_ roll: BankRoll, into sink: inout some RowSink) {
        let persons = roll.lines.indices.reduce(0) { $0 + roll.lines[$1].members.count }
        sink.row(
            ["合计", "", "", "", "", "", "", "", "\(persons)", "", "", "", "", "", ""]
                + [roll.regularTotal.yuanText, roll.backPayTotal.yuanText, roll.total.yuanText, "", ""])
    }

    /// The rows of the file of lines the bank is not given, kept together.
    static func noCard(_ roll: BankRoll) -> [[String]] {
        var rows = RowList()
        noCard(roll, into: &rows)
        return rows.rows
    }

    static func noCard(_ roll: BankRoll, into sink: inout some RowSink) {
        sink.row(
            heading("未发放名册(无银行卡或户名)", roll)
                + ["笔数", "\(roll.withoutCard.count)", "金额(元)", roll.withoutCardTotal.yuanText])
        sink.row(lineHeaders + ["账户类型"] + moneyHeaders + ["原因"])
        var cells: [String] = []
        roll.withoutCard.withUnsafeBufferPointer { unpaid in
            for index in unpaid.indices {
                cells.removeAll(keepingCapacity: true)
                lineCells(index + 1, unpaid[index].line, roll.names, into: &cells)
                cells.append(unpaid[index].line.account.chineseName)
                moneyCells(unpaid[index].line, into: &cells)
                cells.append(unpaid[index].reason)
                sink.row(cells)
            }
        }
    }

    /// The rows of the recovery file, kept together.
    static func recovery(_ roll: BankRoll) -> [[String]] {
        var rows = RowList()
        recovery(roll, into: &rows)
        return rows.rows
    }

    static func recovery(_ roll: BankRoll, into sink: inout some RowSink) {
        sink.row(
            heading("追缴名册(由乡镇追回，不计入银行发放)", roll)
                + ["笔数", "\(roll.recoveries.count)", "追缴总额(元)", roll.recoveryTotal.yuanText])
        sink.row([
            "序号", "乡镇(街道)", "乡镇(街道)名称", "村(社区)", "村(社区)名称", "户编号", "成员编号", "姓名", "身份证号", "救助项目", "项目代码",
            "所属月份", "追缴金额(元)", "救助关系编号",
        ])
        for (index, line) in roll.recoveries.enumerated() {
            sink.row([
                "\(index + 1)", line.township, roll.names.name(of: line.township) ?? "", line.village,
                roll.names.name(of: line.village) ?? "", line.household, line.member.value, line.name,
                digits(line.idNumber), line.program.chineseName, line.program.rawValue,
                line.forMonth?.description ?? "",
                line.amount.yuanText, line.enrollment.value,
            ])
        }
    }

    /// The rows of the subtotals file, kept together.
    static func summary(_ roll: BankRoll) throws(ReplicaError) -> [[String]] {
        var rows = RowList()
        try summary(roll, into: &rows)
        return rows.rows
    }

    static func summary(_ roll: BankRoll, into sink: inout some RowSink) throws(ReplicaError) {
        sink.row(heading("发放汇总", roll))
        sink.row([
            "级别", "区划代码", "名称", "发放笔数", "享受人数", "正常发放(元)", "补发(元)", "发放合计(元)", "无卡笔数", "无卡金额(元)", "追缴笔数",
            "追缴金额(元)",
        ])
        for subtotal in try roll.subtotals() {
            sink.row([
                subtotal.level.chineseName, subtotal.area, roll.names.name(of: subtotal.area) ?? "",
                "\(subtotal.lines)", "\(subtotal.persons)",
                subtotal.regular.yuanText, subtotal.backPay.yuanText, subtotal.total.yuanText,
                "\(subtotal.withoutCard)",
                subtotal.withoutCardTotal.yuanText, "\(subtotal.recoveries)", subtotal.recoveryTotal.yuanText,
            ])
        }
    }

    /// A new owner-only file with this text, flushed to disk.
    static func create(_ path: String, text: String, out: String) throws(ReplicaError) {
        try create(path, parts: [Array(text.utf8)], out: out)
    }

    /// A new owner-only file with these parts one after the other, flushed to disk; removed
    /// again when any part cannot be written whole.
    static func create(_ path: String, parts: [[UInt8]], out: String) throws(ReplicaError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw .outputExists(path: path, out: out) }
            throw .database(
                Catalogue.text("file.cannot_create", ["path": path, "reason": String(cString: strerror(errno))]))
        }
        defer { close(fd) }
        let whole = parts.allSatisfy { part in
            part.withUnsafeBufferPointer { Foundation.write(fd, $0.baseAddress, $0.count) == $0.count }
        }
        guard whole, fsync(fd) == 0 else {
            unlink(path)
            throw .database(Catalogue.text("file.cannot_write", ["path": path]))
        }
    }
}

/// Where a file's rows go as they are made: straight into a CSV's bytes
/// (``SpreadsheetCSV/Text``), or kept as rows (``RowList``) for a workbook, the desk's
/// download and the tests. A county's roll has a hundred thousand rows: written as they come,
/// they are never all held as strings.
package protocol RowSink {
    mutating func row(_ cells: [String])
}

extension SpreadsheetCSV.Text: RowSink {
    package mutating func row(_ cells: [String]) {
        self.cells(cells)
        endRow()
    }
}

/// Rows kept in order.
package struct RowList: RowSink {
    package private(set) var rows: [[String]] = []

    package init() {}

    package mutating func row(_ cells: [String]) { rows.append(cells) }
}

extension HubLedger {
    /// One of the roll's files as text, for the desk's download: the disbursement (ID and card
    /// numbers in clear) or the subtotals per township and village. Recorded in the audit table
    /// as ``writeRoll(_:to:worker:nowMillis:)`` records the files, before the text is given out.
    public func rollDocument(_ roll: BankRoll, summary: Bool, worker: String, nowMillis: Int64)
        async throws(ReplicaError) -> String
    {
        var text = SpreadsheetCSV.Text()
        if summary { try PayrollFile.summary(roll, into: &text) } else { PayrollFile.disbursement(roll, into: &text) }
        try await audit(
            AuditEvent(
                atMillis: nowMillis, worker: worker, action: AuditEvent.Action.export,
                subject: "desk download roll-\(roll.month)\(summary ? "-summary" : "").csv",
                field: summary ? "payroll summary" : "payroll",
                detail: "roll for \(roll.month)\(roll.locked ? " (locked)" : ""): \(roll.lines.count) lines, "
                    + "\(roll.total.yuanText) yuan to the bank"))
        return text.text
    }

    /// Writes the month's roll for the bank (``PayrollFile``) and records it in the audit
    /// table: the files hold ID and card numbers in clear, so who took them, when, and how many
    /// lines is kept. Should the record fail, the files are removed again.
    public func writeRoll(_ roll: BankRoll, to out: String, worker: String, nowMillis: Int64)
        async throws(ReplicaError) -> PayrollFile.Paths
    {
        let paths = try await PayrollFile.write(roll, to: out)
        let names = [paths.noCard, paths.recovery, paths.summary].map { ($0 as NSString).lastPathComponent }
        let detail =
            "roll for \(roll.month)\(roll.locked ? " (locked)" : ""): \(roll.lines.count) lines, "
            + "\(roll.total.yuanText) yuan to the bank; \(names[0]) \(roll.withoutCard.count) lines, "
            + "\(names[1]) \(roll.recoveries.count) lines, \(names[2])"
        do {
            try await audit(
                AuditEvent(
                    atMillis: nowMillis, worker: worker, action: AuditEvent.Action.export, subject: paths.disbursement,
                    field: "payroll", detail: detail))
        } catch {
            for path in paths.all { unlink(path) }
            throw error
        }
        return paths
    }
}
