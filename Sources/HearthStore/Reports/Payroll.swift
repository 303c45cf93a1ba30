import Foundation
import GRDB
import HearthCore

/// One line of the monthly payment roll (一卡通发放名册).
public struct PayrollRow: Sendable {
    /// A month's regular payment, or an adjustment for an earlier, locked month (R12):
    /// back pay (补发) or recovery (追缴, a negative amount).
    public enum Kind: String, Sendable {
        case regular
        case backPay = "back_pay"
        case recovery

        public var chineseName: String {
            switch self {
            case .regular: return "正常发放"
            case .backPay: return "补发"
            case .recovery: return "追缴"
            }
        }
    }

    public let enrollment: RecordID
    public let household: String
    public let member: RecordID
    public let name: String
    public let idNumber: String
    public let program: Program
    public let amount: Money
    public let bankCard: String
    public let village: String
    public var kind: Kind = .regular
    /// The month the money is for (the roll's month for a regular line).
    public var forMonth: Month? = nil
}

/// The roll for one month, and what was left out of it and why.
public struct Payroll: Sendable {
    public let month: Month
    public let rows: [PayrollRow]
    /// Enrollments left out, by reason, with their ids.
    public let leftOut: [String: [RecordID]]
    /// Whether this roll was locked as paid (it is then read back, never recomputed).
    public var locked = false
    /// The sum of every line, adjustments included.
    public let total: Money

    /// Adds the lines up in checked arithmetic: a roll over absurd stored amounts is refused.
    init(month: Month, rows: [PayrollRow], leftOut: [String: [RecordID]]) throws(ReplicaError) {
        self.month = month
        self.rows = rows
        self.leftOut = leftOut
        total = Money(fen: try Totals.sum(rows.lazy.map(\.amount.fen), "the roll for \(month)"))
    }
}

extension Replica {
    /// Who is paid for a month. An enrollment is paid only when it is decided (approved),
    /// runs that month, is not suspended, is not held (open money conflict or rule case), its
    /// member is alive through the month and has an ID number, and no other record of the same
    /// person is already on the roll. Everything else is counted under its reason.
    public func payroll(for month: Month, nowMillis: Int64) throws(ReplicaError) -> Payroll {
        if let locked = try lockedRoll(month) { return locked }
        var roll = try computedRoll(for: month, nowMillis: nowMillis)
        // R12: a change that touches a locked month is never a rewrite; it becomes an
        // adjustment in this roll, the difference between what the month pays now and what
        // was paid for it (in its own roll and in adjustments since).
        let lockedMonths: [String] = try read { db in
            try String.fetchAll(db, sql: "SELECT month FROM roll_locks WHERE month < ? ORDER BY month", arguments: [month.description])
        }
        var adjustments: [PayrollRow] = []
        for text in lockedMonths {
            guard let earlier = try? Month.parse(text, field: "month") else { continue }
            let now = try computedRoll(for: earlier, nowMillis: nowMillis)
            var owed: [RecordID: (row: PayrollRow?, fen: Int64)] = [:]
            for row in now.rows { owed[row.enrollment] = (row, row.amount.fen) }
            let paid: [(String, String, String, Int64)] = try read { db in
                try Row.fetchAll(
                    db, sql: "SELECT enrollment, member, program, sum(amount_fen) AS fen FROM roll_lines WHERE for_month = ? GROUP BY enrollment",
                    arguments: [text]
                ).map { ($0["enrollment"], $0["member"], $0["program"], $0["fen"]) }
            }
            var paidBy: [RecordID: (member: String, program: String, fen: Int64)] = [:]
            for (enrollment, member, program, fen) in paid {
                if let id = RecordID(enrollment) { paidBy[id] = (member, program, fen) }
            }
            for id in Set(owed.keys).union(paidBy.keys).sorted() {
                let difference = try Totals.difference(
                    owed[id]?.fen ?? 0, paidBy[id]?.fen ?? 0, "the adjustment of \(id) for \(earlier)")
                guard difference != 0 else { continue }
                var line: PayrollRow
                if let row = owed[id]?.row {
                    line = row
                } else {
                    guard let memberID = paidBy[id].flatMap({ RecordID($0.member) }),
                        let program = paidBy[id].flatMap({ Program(rawValue: $0.program) })
                    else { continue }
                    line = try adjustmentRow(enrollment: id, member: memberID, program: program)
                }
                line = PayrollRow(
                    enrollment: line.enrollment, household: line.household, member: line.member, name: line.name,
                    idNumber: line.idNumber, program: line.program, amount: Money(fen: difference), bankCard: line.bankCard,
                    village: line.village, kind: difference > 0 ? .backPay : .recovery, forMonth: earlier)
                adjustments.append(line)
            }
        }
        roll = try Payroll(month: month, rows: roll.rows + adjustments, leftOut: roll.leftOut)
        return roll
    }

    /// Records a roll as paid: its lines are kept, and the month is never recomputed.
    public func lock(_ roll: Payroll, worker: String, nowMillis: Int64) throws(ReplicaError) {
        guard !roll.locked else { throw .invalid(InputError(field: "month", reason: "\(roll.month) is already locked")) }
        try writeBookkeeping { db in
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM roll_locks WHERE month = ?", arguments: [roll.month.description]) ?? 0 > 0 {
                throw ReplicaError.invalid(InputError(field: "month", reason: "\(roll.month) is already locked"))
            }
            if let later = try String.fetchOne(
                db, sql: "SELECT month FROM roll_locks WHERE month > ? ORDER BY month LIMIT 1", arguments: [roll.month.description])
            {
                throw ReplicaError.invalid(InputError(field: "month", reason: "a later month (\(later)) is already locked"))
            }
            for row in roll.rows {
                try db.execute(
                    sql: """
                        INSERT INTO roll_lines (month, enrollment, member, program, kind, for_month, amount_fen)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        roll.month.description, row.enrollment.value, row.member.value, row.program.rawValue, row.kind.rawValue,
                        (row.forMonth ?? roll.month).description, row.amount.fen,
                    ])
            }
            try db.execute(
                sql: "INSERT INTO roll_locks (month, locked_millis, worker, total_fen) VALUES (?, ?, ?, ?)",
                arguments: [roll.month.description, nowMillis, worker, roll.total.fen])
        }
    }

    /// A locked month's roll as it was paid (names and numbers as held now).
    func lockedRoll(_ month: Month) throws(ReplicaError) -> Payroll? {
        let lines: [Row]? = try read { db in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM roll_locks WHERE month = ?", arguments: [month.description]) ?? 0 > 0
            else { return nil }
            return try Row.fetchAll(db, sql: "SELECT * FROM roll_lines WHERE month = ? ORDER BY enrollment, kind, for_month", arguments: [month.description])
        }
        guard let lines else { return nil }
        var rows: [PayrollRow] = []
        for line in lines {
            guard let enrollment = RecordID(line["enrollment"] as String), let member = RecordID(line["member"] as String),
                let program = Program(rawValue: line["program"] as String)
            else { continue }
            var row = try adjustmentRow(enrollment: enrollment, member: member, program: program)
            row.kind = PayrollRow.Kind(rawValue: line["kind"]) ?? .regular
            row.forMonth = try? Month.parse(line["for_month"] as String, field: "month")
            rows.append(
                PayrollRow(
                    enrollment: row.enrollment, household: row.household, member: row.member, name: row.name,
                    idNumber: row.idNumber, program: row.program, amount: Money(fen: line["amount_fen"]), bankCard: row.bankCard,
                    village: row.village, kind: row.kind, forMonth: row.forMonth))
        }
        var roll = try Payroll(month: month, rows: rows, leftOut: [:])
        roll.locked = true
        return roll
    }

    /// Names, numbers and village for a line the current roll does not carry.
    func adjustmentRow(enrollment: RecordID, member: RecordID, program: Program) throws(ReplicaError) -> PayrollRow {
        let row: Row? = try read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT m.name, m.id_number_sealed, m.id_number_hash, m.household, m.village, h.bank_card_sealed, h.bank_card_hash
                    FROM members m LEFT JOIN households h ON h.id = m.household WHERE m.id = ?
                    """, arguments: [member.value])
        }
        var idNumber = ""
        var bankCard = ""
        if let row, let box = row["id_number_sealed"] as String?, let digest = row["id_number_hash"] as String? {
            idNumber = (try? keys.open(SealedValue(box: box, digest: digest))) ?? ""
        }
        if let row, let box = row["bank_card_sealed"] as String?, let digest = row["bank_card_hash"] as String? {
            bankCard = (try? keys.open(SealedValue(box: box, digest: digest))) ?? ""
        }
        return PayrollRow(
            enrollment: enrollment, household: row?["household"] ?? "", member: member, name: row?["name"] ?? "",
            idNumber: idNumber, program: program, amount: .zero, bankCard: bankCard, village: row?["village"] ?? "")
    }

    /// The roll as the merged state says now, without locks or adjustments.
    func computedRoll(for month: Month, nowMillis: Int64) throws(ReplicaError) -> Payroll {
        let cases = try ruleCases(nowMillis: nowMillis)
        let standards = try standardTable()
        let rows: [Row] = try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT e.id AS enrollment, e.program, e.status, e.decision, e.amount, e.start_month, e.end_month, e.exit_reason,
                           e.household, e.village, m.id AS member, m.name, m.vital_status, m.death_date,
                           m.disability_grade, m.birth_date,
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
                let own = (row["amount"] as String?).flatMap(AmountSchedule.init(text:)),
                let amount = standards.effective(own, program: program, member: row).amount(for: month)
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
        return try Payroll(month: month, rows: paid, leftOut: leftOut)
    }
}
