import Foundation
import GRDB
import HearthCore

/// One line of the monthly payment roll (一卡通发放名册).
public struct PayrollRow: Sendable {
    public let enrollment: RecordID
    public let household: String
    public let member: RecordID
    public let name: String
    public let idNumber: String
    public let program: Program
    public let amount: Money
    public let bankCard: String
    public let village: String
}

/// The roll for one month, and what was left out of it and why.
public struct Payroll: Sendable {
    public let month: Month
    public let rows: [PayrollRow]
    /// Enrollments left out, by reason, with their ids.
    public let leftOut: [String: [RecordID]]

    public var total: Money { Money(fen: rows.reduce(0) { $0 + $1.amount.fen }) }
}

extension Replica {
    /// Who is paid for a month. An enrollment is paid only when it is decided (approved),
    /// runs that month, is not suspended, is not held (open money conflict or rule case), its
    /// member is alive through the month and has an ID number, and no other record of the same
    /// person is already on the roll. Everything else is counted under its reason.
    public func payroll(for month: Month, nowMillis: Int64) throws(ReplicaError) -> Payroll {
        let cases = try ruleCases(nowMillis: nowMillis)
        let rows: [Row] = try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT e.id AS enrollment, e.program, e.status, e.decision, e.amount, e.start_month, e.end_month, e.exit_reason,
                           e.household, e.village, m.id AS member, m.name, m.vital_status, m.death_date,
                           m.id_number_sealed, m.id_number_hash, h.bank_card_sealed, h.bank_card_hash
                    FROM enrollments e JOIN members m ON m.id = e.member LEFT JOIN households h ON h.id = e.household
                    ORDER BY e.village, e.household, e.id
                    """)
        }
        var paid: [PayrollRow] = []
        var leftOut: [String: [RecordID]] = [:]
        var paidPersons: Set<String> = []
        for row in rows {
            guard let enrollment = RecordID(row["enrollment"] as String), let member = RecordID(row["member"] as String)
            else { continue }
            func leave(_ reason: String) { leftOut[reason, default: []].append(enrollment) }
            let status: String? = row["status"]
            let start = (row["start_month"] as String?).flatMap { try? Month.parse($0, field: "start") }
            let end = (row["end_month"] as String?).flatMap { try? Month.parse($0, field: "end") }
            if let start, start > month { continue }  // not yet running: not part of this month at all
            if let end, end < month { continue }  // ended before this month
            if status == "exited", end == nil { continue }
            if (row["vital_status"] as String?) == "deceased" {
                let died = (row["death_date"] as String?).flatMap { try? CivilDate.parse($0, field: "death") }
                if died == nil || died! <= month.lastDay {
                    leave("deceased")
                    continue
                }
            }
            guard (row["decision"] as String?) == "approved", status == "approved" || status == "exited" else {
                leave(status == "suspended" ? "suspended" : "not approved")
                continue
            }
            if status == "exited", (row["exit_reason"] as String?) == "application rejected" {
                leave("not approved")
                continue
            }
            guard let program = Program(rawValue: row["program"] as String? ?? ""),
                let schedule = (row["amount"] as String?).flatMap(AmountSchedule.init(text:)), let amount = schedule.amount(for: month)
            else {
                leave("no amount for the month")
                continue
            }
            let holds = try self.holds(of: enrollment, cases: cases, nowMillis: nowMillis)
            guard holds.isEmpty else {
                leave("held (conflict or rule case)")
                continue
            }
            guard let sealedID = row["id_number_sealed"] as String?, let hash = row["id_number_hash"] as String? else {
                leave("no ID number (pending)")
                continue
            }
            // One person, one payment per program: a second record of the same ID number is not paid again.
            let personKey = "\(hash)|\(program.rawValue)"
            guard !paidPersons.contains(personKey) else {
                leave("duplicate person")
                continue
            }
            let idNumber: String
            do { idNumber = try keys.open(SealedValue(box: sealedID, digest: hash)) } catch {
                leave("ID number unreadable with this key")
                continue
            }
            var bankCard = ""
            if let box = row["bank_card_sealed"] as String?, let digest = row["bank_card_hash"] as String? {
                bankCard = (try? keys.open(SealedValue(box: box, digest: digest))) ?? ""
            }
            paidPersons.insert(personKey)
            paid.append(
                PayrollRow(
                    enrollment: enrollment, household: row["household"] ?? "", member: member, name: row["name"] ?? "",
                    idNumber: idNumber, program: program, amount: amount, bankCard: bankCard, village: row["village"] ?? ""))
        }
        return Payroll(month: month, rows: paid, leftOut: leftOut)
    }
}

/// Writes a payroll as CSV for Excel: UTF-8 with a byte-order mark, Chinese headers, owner-only
/// permissions (it holds ID and bank card numbers in clear), never over an existing file.
public enum PayrollFile {
    public static func write(_ payroll: Payroll, to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ReplicaError.alreadyExists(path: path)
        }
        var lines = ["户编号,村(社区),成员编号,姓名,身份证号,救助项目,项目代码,月份,金额(元),一卡通账号,救助关系编号"]
        for row in payroll.rows {
            let fields = [
                row.household, row.village, row.member.value, row.name, "\t" + row.idNumber, row.program.chineseName,
                row.program.rawValue, payroll.month.description, row.amount.yuanText, row.bankCard.isEmpty ? "" : "\t" + row.bankCard,
                row.enrollment.value,
            ]
            lines.append(fields.map(csvField).joined(separator: ","))
        }
        let text = "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw ReplicaError.database("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else { throw ReplicaError.database("could not write \(path)") }
    }

    /// Quotes a field when it needs it; a leading tab keeps Excel from turning long digit
    /// strings (ID and card numbers) into numbers.
    static func csvField(_ text: String) -> String {
        if text.contains(",") || text.contains("\"") || text.contains("\n") {
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return text
    }
}
