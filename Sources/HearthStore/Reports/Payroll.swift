import Foundation
import HearthCore
import HearthText

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
    /// The sealed values opened for it (ID and card numbers, nil where this key cannot open
    /// one): the bank roll built from it starts from them instead of opening each again.
    package var opened: [OpenedValues.Key: String?] = [:]
    /// The marks its lock will change, when it was made to be locked
    /// (``ReplicaReading/payroll(for:nowMillis:settling:)``); nil: the lock works them out.
    package var settling: SettledMarks.Pending?
    /// The sum of every line, adjustments included (recovery counts negative).
    public let total: Money
    /// The regular payments for the month.
    public let regularTotal: Money
    /// Back pay (补发) for locked months.
    public let backPayTotal: Money
    /// Recovery (追缴) for locked months, as a negative sum: collected by the township,
    /// never netted into what the bank pays out.
    public let recoveryTotal: Money

    /// What the bank pays out: regular payments and back pay, never reduced by recovery.
    public var disbursementTotal: Money { Money(fen: regularTotal.fen + backPayTotal.fen) }

    /// Adds the lines up in checked arithmetic: a roll over absurd stored amounts is refused.
    package init(month: Month, rows: [PayrollRow], leftOut: [String: [RecordID]]) throws(ReplicaError) {
        self.month = month
        self.rows = rows
        self.leftOut = leftOut
        let what = Catalogue.text("roll.what_roll", ["month": month.description])
        // One pass, each line's two fields read in place (a line is never copied whole).
        var (total, regular, backPay, recovery): (Int64, Int64, Int64, Int64) = (0, 0, 0, 0)
        for index in rows.indices {
            let fen = rows[index].amount.fen
            try Totals.add(&total, fen, what)
            switch rows[index].kind {
            case .regular: try Totals.add(&regular, fen, what)
            case .backPay: try Totals.add(&backPay, fen, what)
            case .recovery: try Totals.add(&recovery, fen, what)
            }
        }
        self.total = Money(fen: total)
        regularTotal = Money(fen: regular)
        backPayTotal = Money(fen: backPay)
        recoveryTotal = Money(fen: recovery)
        // Both parts are sums of the lines the total already added without overflow.
        _ = try Totals.sum([regularTotal.fen, backPayTotal.fen], what)
    }
}

extension Payroll {
    /// The catalogue key of each reason ``leftOut`` counts enrollments by (``Entitlement``'s
    /// and the roll's own).
    static let reasonKeys: [String: String] = [
        "not started": "roll.reason.not_started", "no start month": "roll.reason.no_start_month",
        "ended": "roll.reason.ended", "deceased, no date of death": "roll.reason.deceased_no_date",
        "deceased": "roll.reason.deceased", "not approved": "roll.reason.not_approved",
        "suspended": "roll.reason.suspended", "no amount for the month": "roll.reason.no_amount",
        "held (conflict or rule case)": "roll.reason.held", "nothing to pay (amount 0)": "roll.reason.zero",
        "ID number unreadable with this key": "roll.reason.id_unreadable",
        "duplicate person": "roll.reason.duplicate_person", "no ID number (pending)": "roll.reason.no_id_number",
    ]

    /// A reason of ``leftOut`` in `language`. The reasons themselves stay English: `--json`
    /// and scripts count by them.
    public static func reasonText(_ reason: String, in language: Language = .current) -> String {
        reasonKeys[reason].map { Catalogue.text($0, in: language) } ?? reason
    }
}

extension ReplicaCore {
    /// Outcomes of ``Entitlement`` that mean the enrollment is simply not part of the month.
    package static let silentReasons: Set<String> = ["not started", "ended"]
}

extension ReplicaReading {
    /// The roll for a month (R12): a locked month is read back as it was paid; otherwise the
    /// month's regular payments, plus, for every locked month before it, the difference between
    /// what that month is owed now and what was paid for it (back pay 补发, or recovery 追缴),
    /// by ``Entitlement`` over the merged state. Months a suspension or a conflict withholds are
    /// neither paid nor adjusted until released; everything left out is counted by reason.
    package func payroll(for month: Month, nowMillis: Int64) throws(ReplicaError) -> Payroll {
        if let locked = try lockedRoll(month) { return locked }
        return try roll(for: month, book: try rollBook(before: month, nowMillis: nowMillis))
    }

    /// What each of the given months owes each enrollment by the merged state now, as the next
    /// roll would settle it: an amount (zero when nothing is owed), or nil while the month is
    /// withheld or held. For checks that what was paid plus the next roll's adjustments is
    /// what is owed (the simulation's invariant).
    package func owed(in months: [Month], nowMillis: Int64) throws(ReplicaError) -> [RecordID: [Month: Money?]] {
        guard let last = months.max() else { return [:] }
        let book = try rollBook(before: last.adding(months: 1), nowMillis: nowMillis, usingMarks: false)
        var owed: [RecordID: [Month: Money?]] = [:]
        for month in months {
            for (entry, outcome) in zip(book.entries, payable(in: month, book: book, openingIDs: false)) {
                switch outcome {
                case .line(let amount, _): owed[entry.id, default: [:]][month] = .some(amount)
                case .zero: owed[entry.id, default: [:]][month] = .some(.zero)
                case .unsettled: owed[entry.id, default: [:]][month] = .some(nil)
                }
            }
        }
        return owed
    }

    /// The roll of `month` over a book. Without `openingCards` (the report, which shows no
    /// card) each line's bank card is left empty; everything else is as with them. An ID
    /// number an earlier roll over the same book opened is taken from the book's entry
    /// (``RollBook/Entry/idNumber(_:)``), so it is not in this roll's ``Payroll/opened``.
    package func roll(for month: Month, book: RollBook, openingCards: Bool = true) throws(ReplicaError) -> Payroll {
        var worked = try rollLines(for: month, book: book, openingCards: openingCards, numbers: true)
        var rows: [PayrollRow] = []
        rows.reserveCapacity(worked.lines.count)
        for line in worked.lines {
            let entry = book.entries[line.entry]
            var bankCard = ""
            if openingCards, let box = entry.cardSealed, let digest = entry.cardHash {
                bankCard = worked.opened.open(SealedValue(box: box, digest: digest)) ?? ""
            }
            rows.append(
                PayrollRow(
                    enrollment: entry.id, household: entry.household, member: entry.member, name: entry.name,
                    idNumber: line.idNumber, program: line.program, amount: line.amount, bankCard: bankCard,
                    village: entry.village, kind: line.kind, forMonth: line.forMonth))
        }
        var payroll = try Payroll(month: month, rows: rows, leftOut: worked.leftOut)
        payroll.opened = worked.opened.opened
        return payroll
    }

    /// The lines of `month`'s roll over a book, each naming its entry by position, and what was
    /// left out: everything ``roll(for:book:openingCards:)`` decides, without making a row of
    /// names and numbers for each line. A report over a year sums twelve months' lines by
    /// place and shows no one; building each month's rows (five texts a line, a county's
    /// fifty thousand lines) was a third of its time.
    ///
    /// With `openingCards`, the lines' bank cards are opened ahead with their ID numbers, into
    /// the ``RollLines/opened`` the roll then reads them from. Without `numbers` (the report)
    /// each line's ID number is left empty: it is still opened, since a number this key cannot
    /// open leaves its entry out of the roll, and so out of the report.
    package func rollLines(
        for month: Month, book: RollBook, openingCards: Bool, numbers: Bool
    ) throws(ReplicaError) -> RollLines {
        try Self.rollLines(for: month, book: book, keys: keys, openingCards: openingCards, numbers: numbers)
    }

    /// ``rollLines(for:book:openingCards:numbers:)`` with the key given: it reads nothing but
    /// the book, so months can be rolled over one book side by side (``rollAhead(from:to:book:)``).
    static func rollLines(
        for month: Month, book: RollBook, keys: KeyMaterial, openingCards: Bool, numbers: Bool
    ) throws(ReplicaError) -> RollLines {
        var lines: [RollLine] = []
        var leftOut: [String: [RecordID]] = [:]
        var opened = OpenedValues(keys: keys)
        // The lines' ID numbers and cards opened ahead on every core, then read from there.
        var sealed: [SealedValue] = []
        let unopened = payable(in: month, book: book, openingIDs: false, opened: &opened)
        for (entry, outcome) in zip(book.entries, unopened) {
            guard case .line = outcome else { continue }
            if !entry.idNumberOpened, let box = entry.idSealed, let digest = entry.idHash {
                sealed.append(SealedValue(box: box, digest: digest))
            }
            if openingCards, let box = entry.cardSealed, let digest = entry.cardHash {
                sealed.append(SealedValue(box: box, digest: digest))
            }
        }
        opened.openAhead(sealed)
        let regular =
            withIDNumbers(unopened, book: book, opened: &opened, filling: numbers)
            ?? payable(in: month, book: book, openingIDs: true, opened: &opened)
        for index in regular.indices {
            switch regular[index] {
            case .line(let amount, let idNumber):
                lines.append(
                    RollLine(
                        entry: index, program: book.entries[index].facts.program ?? .dibaoRural, amount: amount,
                        idNumber: numbers ? idNumber : ""))
            case .zero(let reason), .unsettled(let reason):
                if !ReplicaCore.silentReasons.contains(reason) {
                    leftOut[reason, default: []].append(book.entries[index].id)
                }
            }
        }
        for locked in book.lockedMonths where locked < month {
            // Only the entries whose inputs changed since the last lock (``RollBook/judged``); ID
            // numbers are opened only for the lines that differ: most locked months match.
            let judged = book.judged
            for (position, outcome) in payable(
                in: locked, book: book, openingIDs: false, opened: &opened, among: judged
            ).enumerated() {
                let index = judged?[position] ?? position
                let entry = book.entries[index]
                let owed: Int64
                switch outcome {
                case .unsettled: continue
                case .zero: owed = 0
                case .line(let amount, _): owed = amount.fen
                }
                let difference = try Totals.difference(
                    owed, book.paid(index, for: locked),
                    Catalogue.text("roll.what_adjustment", ["enrollment": "\(entry.id)", "month": "\(locked)"]))
                guard difference != 0 else { continue }
                var idNumber = ""
                if entry.idSealed != nil, entry.idHash != nil {
                    guard let number = entry.idNumber(&opened) else {
                        leftOut["ID number unreadable with this key", default: []].append(entry.id)
                        continue
                    }
                    if numbers { idNumber = number }
                }
                lines.append(
                    RollLine(
                        entry: index, program: entry.facts.program ?? .dibaoRural, amount: Money(fen: difference),
                        idNumber: idNumber, kind: difference > 0 ? .backPay : .recovery, forMonth: locked))
            }
        }
        return RollLines(lines: lines, leftOut: leftOut, opened: opened)
    }

    /// The month as ``payable(in:book:openingIDs:opened:)`` opening ID numbers gives it, from
    /// the same pass without them: each line's number filled in (without `filling`, the lines
    /// are left as they are, every number still opened). Nil when an entry that came to its ID
    /// number (a line, or a duplicate it displaced) has one this key cannot open: that entry
    /// would have been left unsettled and the duplicates chosen without it, so the month is
    /// worked out again. A county's roll otherwise judged every enrollment twice.
    static func withIDNumbers(
        _ unopened: [Payable], book: RollBook, opened: inout OpenedValues, filling: Bool = true
    ) -> [Payable]? {
        var result = unopened
        for index in unopened.indices {
            let amount: Money?
            switch unopened[index] {
            case .line(let owed, _): amount = owed
            case .zero(let reason) where reason == Payable.duplicatePerson: amount = nil
            case .zero, .unsettled: continue
            }
            guard let number = book.entries[index].idNumber(&opened) else { return nil }
            if filling, let amount { result[index] = .line(amount, number) }
        }
        return result
    }

    /// Each entry's month, in the book's order: ``Entitlement``, then holds, then the ID number,
    /// then one payment per person and program (the record already paid for the month first).
    /// Without `openingIDs` a line carries no ID number and an unreadable one is not noticed.
    ///
    /// `among`: only the entries at these indices, ascending, each with every other entry of
    /// its person and program; the result is then in their order.
    package func payable(in month: Month, book: RollBook, openingIDs: Bool = true, among: [Int]? = nil) -> [Payable] {
        var opened = OpenedValues(keys: keys)
        return Self.payable(in: month, book: book, openingIDs: openingIDs, opened: &opened, among: among)
    }

    /// ``payable(in:book:openingIDs:among:)``, opening ID numbers through `opened`.
    package static func payable(
        in month: Month, book: RollBook, openingIDs: Bool, opened: inout OpenedValues, among: [Int]? = nil
    ) -> [Payable] {
        var result: [Payable] = []
        let count = among?.count ?? book.entries.count
        result.reserveCapacity(count)
        // By person and program number: the result's position paid so far, and what was paid to it.
        var chosen = [(index: Int, paid: Int64)?](repeating: nil, count: book.persons)
        let paidColumn = book.paid[month]
        for position in 0..<count {
            let index = among?[position] ?? position
            let entry = book.entries[index]
            switch book.outcome(entry, in: month) {
            case .nothing(let reason):
                result.append(.zero(reason))
            case .withheld(let reason):
                result.append(.unsettled(reason))
            case .owed(let amount):
                if book.isHeld(entry, in: month) {
                    result.append(.unsettled("held (conflict or rule case)"))
                } else if amount == .zero {
                    result.append(.zero("nothing to pay (amount 0)"))
                } else if entry.idSealed != nil, entry.idHash != nil {
                    var number = ""
                    if openingIDs {
                        guard let clear = entry.idNumber(&opened) else {
                            result.append(.unsettled("ID number unreadable with this key"))
                            continue
                        }
                        number = clear
                    }
                    result.append(.line(amount, number))
                    // One person, one payment per program: a second record of the same ID number is not paid again.
                    guard let key = entry.person else { continue }
                    let paid = paidColumn?[index] ?? 0
                    if let earlier = chosen[key] {
                        if paid > earlier.paid {
                            result[earlier.index] = .zero(Payable.duplicatePerson)
                            chosen[key] = (position, paid)
                        } else {
                            result[position] = .zero(Payable.duplicatePerson)
                        }
                    } else {
                        chosen[key] = (position, paid)
                    }
                } else {
                    result.append(.unsettled("no ID number (pending)"))
                }
            }
        }
        return result
    }

    /// A locked month's roll as it was paid (names and numbers as held now).
    ///
    /// Without `payees` (the report, which sums the lines by place and shows no one) each
    /// line's name, ID and card numbers are left empty: neither read nor opened. A report over
    /// a year of locked months opened two sealed numbers for every line of every month, and
    /// that was most of its time.
    package func lockedRoll(_ month: Month, payees: Bool = true) throws(ReplicaError) -> Payroll? {
        let lines = try withStatements { sql in try readingRole.lockedLines(sql, month: month, payees: payees) }
        guard let lines else { return nil }
        var rows: [PayrollRow] = []
        rows.reserveCapacity(lines.count)
        var opened = OpenedValues(keys: keys)
        var months = TextCache { try? Month.parse($0, field: "month") }
        // The columns of ``ReplicaRole/lockedLines(_:month:)``, by position.
        for line in lines {
            guard let enrollment = line[0].text.flatMap(RecordID.init),
                let member = line[1].text.flatMap(RecordID.init),
                let program = line[2].text.flatMap(Program.init(rawValue:)), let fen = line[5].integer
            else { continue }
            var idNumber = ""
            var bankCard = ""
            if let box = line[7].text, let digest = line[8].text {
                idNumber = opened.open(SealedValue(box: box, digest: digest)) ?? ""
            }
            if let box = line[11].text, let digest = line[12].text {
                bankCard = opened.open(SealedValue(box: box, digest: digest)) ?? ""
            }
            rows.append(
                PayrollRow(
                    enrollment: enrollment, household: line[9].text ?? "", member: member, name: line[6].text ?? "",
                    idNumber: idNumber, program: program, amount: Money(fen: fen), bankCard: bankCard,
                    village: line[10].text ?? "",
                    kind: line[3].text.flatMap(PayrollRow.Kind.init(rawValue:)) ?? .regular,
                    forMonth: months[line[4].text]))
        }
        var roll = try Payroll(month: month, rows: rows, leftOut: [:])
        roll.locked = true
        roll.opened = opened.opened
        return roll
    }
}

/// What one enrollment's month comes to once the roll's own conditions apply.
package enum Payable {
    /// A line of this amount, to the person with this ID number.
    case line(Money, String)
    /// Nothing is paid for the month, for this reason: money paid for it is recovered.
    case zero(String)
    /// Not settled (withheld, held, no readable ID number): neither paid nor adjusted.
    case unsettled(String)

    /// The reason of a second entry of one person in one program, which the roll does not pay.
    static let duplicatePerson = "duplicate person"
}

/// One line of a month's roll over a book (``ReplicaReading/rollLines(for:book:openingCards:numbers:)``):
/// the entry it pays, by its position in the book, and what ``PayrollRow`` takes from the roll
/// rather than from the entry.
package struct RollLine {
    package let entry: Int
    package let program: Program
    package let amount: Money
    package let idNumber: String
    package var kind: PayrollRow.Kind = .regular
    /// The locked month an adjustment is for; nil on a regular line.
    package var forMonth: Month? = nil
}

/// A month's roll over a book, as lines by entry position, before any row is made.
package struct RollLines {
    /// The regular lines in the book's order, then the adjustments for locked months.
    package let lines: [RollLine]
    /// Enrollments left out, by reason (``Payroll/leftOut``).
    package let leftOut: [String: [RecordID]]
    /// The values opened for them (``Payroll/opened``), and for the roll's cards.
    package var opened: OpenedValues
}
