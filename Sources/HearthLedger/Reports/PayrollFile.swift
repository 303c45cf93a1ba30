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
    package static func write(_ roll: BankRoll, to out: String) throws(ReplicaError) -> Paths {
        let paths = Paths(out: out)
        try paths.refuseExisting(out: out)
        let documents = [
            (paths.disbursement, disbursement(roll)), (paths.noCard, noCard(roll)), (paths.recovery, recovery(roll)),
            (paths.summary, try summary(roll)),
        ]
        var written: [String] = []
        do throws(ReplicaError) {
            for (path, rows) in documents {
                try create(path, text: SpreadsheetCSV.document(rows), out: out)
                written.append(path)
            }
        } catch {
            for path in written { unlink(path) }
            throw error
        }
        return paths
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

    static func lineCells(_ number: Int, _ line: BankRoll.Line, _ names: DivisionNames) -> [String] {
        [
            "\(number)", line.township, names.name(of: line.township) ?? "", line.village,
            names.name(of: line.village) ?? "", line.household, line.program.chineseName, line.program.rawValue,
            "\(line.members.count)", line.payee?.value ?? "", line.payeeName, digits(line.payeeIDNumber),
            line.accountName,
        ]
    }

    static func moneyCells(_ line: BankRoll.Line) -> [String] {
        [
            line.regular.yuanText, line.backPay.yuanText, line.total.yuanText,
            line.backPayMonths.map(\.description).joined(separator: " "),
            line.enrollments.map(\.value).joined(separator: " "),
        ]
    }

    static func disbursement(_ roll: BankRoll) -> [[String]] {
        var rows = [
            heading("一卡通发放名册", roll)
                + [
                    "笔数", "\(roll.lines.count)", "发放总额(元)", roll.total.yuanText, "其中正常发放(元)",
                    roll.regularTotal.yuanText,
                    "其中补发(元)", roll.backPayTotal.yuanText, "无卡另列笔数", "\(roll.withoutCard.count)", "追缴另列笔数",
                    "\(roll.recoveries.count)", "状态", roll.locked ? "已锁定(按已发放)" : "未锁定",
                ],
            lineHeaders + ["一卡通账号", "账户类型"] + moneyHeaders,
        ]
        // Each line read in place (an array's element is copied whole when handed over).
        roll.lines.withUnsafeBufferPointer { lines in
            for index in lines.indices {
                rows.append(
                    lineCells(index + 1, lines[index], roll.names) + [
                        digits(lines[index].bankCard), lines[index].account.chineseName,
                    ]
                        + moneyCells(lines[index]))
            }
        }
        let persons = roll.lines.indices.reduce(0) { $0 + roll.lines[$1].members.count }
        rows.append(
            ["合计", "", "", "", "", "", "", "", "\(persons)", "", "", "", "", "", ""]
                + [roll.regularTotal.yuanText, roll.backPayTotal.yuanText, roll.total.yuanText, "", ""])
        return rows
    }

    static func noCard(_ roll: BankRoll) -> [[String]] {
        var rows = [
            heading("未发放名册(无银行卡或户名)", roll)
                + ["笔数", "\(roll.withoutCard.count)", "金额(元)", roll.withoutCardTotal.yuanText],
            lineHeaders + ["账户类型"] + moneyHeaders + ["原因"],
        ]
        roll.withoutCard.withUnsafeBufferPointer { unpaid in
            for index in unpaid.indices {
                rows.append(
                    lineCells(index + 1, unpaid[index].line, roll.names) + [unpaid[index].line.account.chineseName]
                        + moneyCells(unpaid[index].line) + [unpaid[index].reason])
            }
        }
        return rows
    }

    static func recovery(_ roll: BankRoll) -> [[String]] {
        var rows = [
            heading("追缴名册(由乡镇追回，不计入银行发放)", roll)
                + ["笔数", "\(roll.recoveries.count)", "追缴总额(元)", roll.recoveryTotal.yuanText],
            [
                "序号", "乡镇(街道)", "乡镇(街道)名称", "村(社区)", "村(社区)名称", "户编号", "成员编号", "姓名", "身份证号", "救助项目", "项目代码",
                "所属月份", "追缴金额(元)", "救助关系编号",
            ],
        ]
        for (index, line) in roll.recoveries.enumerated() {
            rows.append([
                "\(index + 1)", line.township, roll.names.name(of: line.township) ?? "", line.village,
                roll.names.name(of: line.village) ?? "", line.household, line.member.value, line.name,
                digits(line.idNumber), line.program.chineseName, line.program.rawValue,
                line.forMonth?.description ?? "",
                line.amount.yuanText, line.enrollment.value,
            ])
        }
        return rows
    }

    static func summary(_ roll: BankRoll) throws(ReplicaError) -> [[String]] {
        var rows = [
            heading("发放汇总", roll),
            [
                "级别", "区划代码", "名称", "发放笔数", "享受人数", "正常发放(元)", "补发(元)", "发放合计(元)", "无卡笔数", "无卡金额(元)", "追缴笔数",
                "追缴金额(元)",
            ],
        ]
        for subtotal in try roll.subtotals() {
            rows.append([
                subtotal.level.chineseName, subtotal.area, roll.names.name(of: subtotal.area) ?? "",
                "\(subtotal.lines)", "\(subtotal.persons)",
                subtotal.regular.yuanText, subtotal.backPay.yuanText, subtotal.total.yuanText,
                "\(subtotal.withoutCard)",
                subtotal.withoutCardTotal.yuanText, "\(subtotal.recoveries)", subtotal.recoveryTotal.yuanText,
            ])
        }
        return rows
    }

    /// A new owner-only file with this text, flushed to disk.
    static func create(_ path: String, text: String, out: String) throws(ReplicaError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST { throw .outputExists(path: path, out: out) }
            throw .database(
                Catalogue.text("file.cannot_create", ["path": path, "reason": String(cString: strerror(errno))]))
        }
        defer { close(fd) }
        var text = text
        let (written, count) = text.withUTF8 { bytes in
            (Foundation.write(fd, bytes.baseAddress, bytes.count), bytes.count)
        }
        guard written == count, fsync(fd) == 0 else {
            unlink(path)
            throw .database(Catalogue.text("file.cannot_write", ["path": path]))
        }
    }
}

extension HubLedger {
    /// One of the roll's files as text, for the desk's download: the disbursement (ID and card
    /// numbers in clear) or the subtotals per township and village. Recorded in the audit table
    /// as ``writeRoll(_:to:worker:nowMillis:)`` records the files, before the text is given out.
    public func rollDocument(_ roll: BankRoll, summary: Bool, worker: String, nowMillis: Int64)
        async throws(ReplicaError) -> String
    {
        let rows = summary ? try PayrollFile.summary(roll) : PayrollFile.disbursement(roll)
        try await audit(
            AuditEvent(
                atMillis: nowMillis, worker: worker, action: AuditEvent.Action.export,
                subject: "desk download roll-\(roll.month)\(summary ? "-summary" : "").csv",
                field: summary ? "payroll summary" : "payroll",
                detail: "roll for \(roll.month)\(roll.locked ? " (locked)" : ""): \(roll.lines.count) lines, "
                    + "\(roll.total.yuanText) yuan to the bank"))
        return SpreadsheetCSV.document(rows)
    }

    /// Writes the month's roll for the bank (``PayrollFile``) and records it in the audit
    /// table: the files hold ID and card numbers in clear, so who took them, when, and how many
    /// lines is kept. Should the record fail, the files are removed again.
    public func writeRoll(_ roll: BankRoll, to out: String, worker: String, nowMillis: Int64)
        async throws(ReplicaError) -> PayrollFile.Paths
    {
        let paths = try PayrollFile.write(roll, to: out)
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
