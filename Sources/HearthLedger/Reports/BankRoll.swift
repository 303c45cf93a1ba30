import Foundation
import HearthCore
import HearthStore
import HearthText

/// The month's roll as the bank pays it and the townships collect it (一卡通发放名册).
///
/// ``Payroll`` says what each enrollment is owed; a bank pays accounts. So the roll's rows are
/// gathered into one line per payee per program: a household program (低保, 临时救助) pays
/// the household's payee (领款人: the named payee, else the head 户主) into the household's
/// card, with the account holder's name (户名, else the payee's name) beside the card; a
/// person's own program pays the person's own card where one is recorded, else the
/// household's. Regular money and back pay (补发) are separate columns of a line.
///
/// What the bank must not be given is kept apart, never dropped: a line with no card (or no
/// account holder) is listed with its reason and counted, and recovery (追缴) is a list of its
/// own for the townships to collect, never netted into what the bank pays out.
public struct BankRoll: Sendable {
    /// Whose card a line pays into.
    public enum Account: String, Sendable {
        /// The household's card (户卡), held by the payee or the named account holder.
        case household
        /// The person's own card (个人卡).
        case own

        public var chineseName: String { self == .household ? "户卡" : "个人卡" }
    }

    /// One payment to one account: one payee, one program.
    public struct Line: Sendable {
        public let village: String
        public let household: String
        public let program: Program
        /// Who the line is paid to: the household's payee for a household program (nil when the
        /// household names no living payee or head), the person for their own program.
        public let payee: RecordID?
        public let payeeName: String
        /// In clear; "" when the payee has none on record.
        public let payeeIDNumber: String
        /// 户名: the name the bank holds for the account; "" when none is known.
        public let accountName: String
        /// In clear; "" when none is on record (the line is then not in the disbursement).
        public let bankCard: String
        public let account: Account
        /// The people the line pays for (享受人数).
        public let members: [RecordID]
        public let enrollments: [RecordID]
        public let regular: Money
        public let backPay: Money
        /// The earlier months the back pay is for.
        public let backPayMonths: [Month]
        public let total: Money

        /// The township: the first 9 digits of the village code.
        public var township: String { String(village.prefix(9)) }
    }

    /// A line the bank is not given, and why.
    public struct Unpaid: Sendable {
        public let line: Line
        public let reason: String
    }

    /// Money paid for a month it was not owed, for the township to collect (追缴).
    public struct Recovery: Sendable {
        public let village: String
        public let household: String
        public let member: RecordID
        public let name: String
        public let idNumber: String
        public let program: Program
        public let forMonth: Month?
        /// Negative, as in the roll: what was paid beyond what was owed.
        public let amount: Money
        public let enrollment: RecordID

        public var township: String { String(village.prefix(9)) }
    }

    /// Sums over one area: a township, a village, or the whole county.
    public struct Subtotal: Sendable, Equatable {
        public enum Level: String, Sendable {
            case county, township, village

            public var chineseName: String {
                switch self {
                case .county: return "县(市、区)合计"
                case .township: return "乡镇(街道)小计"
                case .village: return "村(社区)小计"
                }
            }
        }

        public let level: Level
        public let area: String
        /// Lines in the disbursement, and the people they pay for.
        public var lines = 0
        public var persons = 0
        public var regular = Money.zero
        public var backPay = Money.zero
        public var total = Money.zero
        public var withoutCard = 0
        public var withoutCardTotal = Money.zero
        public var recoveries = 0
        public var recoveryTotal = Money.zero
    }

    public let month: Month
    /// The county's division code (the hub's scope) and the hub's name.
    public let county: String
    public let countyName: String
    /// The names the county registered for its townships and villages (and the county's own).
    public let names: DivisionNames
    /// Whether the month is locked as paid.
    public let locked: Bool
    /// The disbursement: every line with a card and an account holder, ordered by village.
    public let lines: [Line]
    public let withoutCard: [Unpaid]
    public let recoveries: [Recovery]
    /// What the bank pays out: the lines' sum (no recovery, no line without a card).
    public let total: Money
    public let regularTotal: Money
    public let backPayTotal: Money
    public let withoutCardTotal: Money
    /// Negative: the sum of the recovery list.
    public let recoveryTotal: Money

    /// Per township, each followed by its villages, then the county's total.
    ///
    /// Each line is added to its village alone (one lookup a line); the villages are then
    /// added up into their townships and the county.
    public func subtotals() throws(ReplicaError) -> [Subtotal] {
        var villages: [String: Subtotal] = [:]
        func add(_ amount: Money, to money: inout Money) throws(ReplicaError) {
            var fen = money.fen
            try Totals.add(&fen, amount.fen, Catalogue.text("roll.what_subtotals"))
            money = Money(fen: fen)
        }
        func update(_ village: String, _ change: (inout Subtotal) throws(ReplicaError) -> Void) throws(ReplicaError) {
            try change(&villages[village, default: Subtotal(level: .village, area: village)])
        }
        for index in lines.indices {
            // The line's figures read in place: a line is never copied whole.
            let (persons, regular, backPay, total) = (
                lines[index].members.count, lines[index].regular, lines[index].backPay, lines[index].total
            )
            try update(lines[index].village) { (subtotal: inout Subtotal) throws(ReplicaError) in
                subtotal.lines += 1
                subtotal.persons += persons
                try add(regular, to: &subtotal.regular)
                try add(backPay, to: &subtotal.backPay)
                try add(total, to: &subtotal.total)
            }
        }
        for unpaid in withoutCard {
            try update(unpaid.line.village) { (subtotal: inout Subtotal) throws(ReplicaError) in
                subtotal.withoutCard += 1
                try add(unpaid.line.total, to: &subtotal.withoutCardTotal)
            }
        }
        for recovery in recoveries {
            try update(recovery.village) { (subtotal: inout Subtotal) throws(ReplicaError) in
                subtotal.recoveries += 1
                try add(recovery.amount, to: &subtotal.recoveryTotal)
            }
        }
        func fold(_ part: Subtotal, into sum: inout Subtotal) throws(ReplicaError) {
            sum.lines += part.lines
            sum.persons += part.persons
            sum.withoutCard += part.withoutCard
            sum.recoveries += part.recoveries
            try add(part.regular, to: &sum.regular)
            try add(part.backPay, to: &sum.backPay)
            try add(part.total, to: &sum.total)
            try add(part.withoutCardTotal, to: &sum.withoutCardTotal)
            try add(part.recoveryTotal, to: &sum.recoveryTotal)
        }
        var whole = Subtotal(level: .county, area: county)
        var townships: [String: (subtotal: Subtotal, villages: [Subtotal])] = [:]
        for village in villages.values.sorted(by: { $0.area < $1.area }) {
            let township = String(village.area.prefix(9))
            try fold(
                village, into: &townships[township, default: (Subtotal(level: .township, area: township), [])].subtotal)
            townships[township]?.villages.append(village)
            try fold(village, into: &whole)
        }
        var out: [Subtotal] = []
        for (_, township) in townships.sorted(by: { $0.key < $1.key }) {
            out.append(township.subtotal)
            out += township.villages
        }
        return out + [whole]
    }
}

extension HubLedger {
    /// The roll as the bank takes it, built from a month's ``Payroll`` and the households'
    /// payees, account names and cards as the hub holds them now (read in one transaction of
    /// its storage, ``LedgerStorage/reading(_:)``: every household and person the roll names in
    /// two set-wise reads, each sealed value opened once).
    public func bankRoll(_ payroll: Payroll) async throws(ReplicaError) -> BankRoll {
        try await bankRoll(payroll, prefetching: true)
    }

    /// The month's roll (``ReplicaReading/payroll(for:nowMillis:)``) and the bank's roll of it,
    /// as ``bankRoll(_:)`` makes it. Every account a roll may pay (the households of the
    /// county's enrollments, their payees and heads, the members of a person's own program) is
    /// read in a second read transaction while the first computes the roll: on a county of
    /// 380,000 people the reads take a core each for most of a second, and the bank roll then
    /// reads only what that read-ahead lacks.
    ///
    /// `settling`: the roll is to be locked, and works out the marks its lock will change
    /// (``Payroll/settling``) from its own book.
    public func payrollWithBankRoll(for month: Month, nowMillis: Int64, settling: Bool = false)
        async throws(ReplicaError) -> (Payroll, BankRoll)
    {
        let storage = self.storage
        let keys = self.keys
        async let ahead: Result<AccountDirectory.Handoff, ReplicaError> = {
            do throws(ReplicaError) {
                return .success(
                    try await storage.reading { lookup in
                        var directory = AccountDirectory(keys: keys, lookup: lookup)
                        let holders = try lookup.rollAccountHolders()
                        try directory.prefetch(households: holders.households, members: holders.members)
                        return AccountDirectory.Handoff(directory.takeRead())
                    })
            } catch { return .failure(error) }
        }()
        let roll: Payroll
        do throws(ReplicaError) {
            roll = try await reading { try $0.payroll(for: month, nowMillis: nowMillis, settling: settling) }
        } catch {
            _ = await ahead
            throw error
        }
        return (roll, try await bankRoll(roll, prefetching: true, known: try await ahead.get()))
    }

    /// Without `prefetching`, each household and person is read by itself when a line first
    /// needs it (how the tests check that the set-wise reads change nothing). `known`: what a
    /// read-ahead found, which is not read again.
    func bankRoll(_ payroll: Payroll, prefetching: Bool, known: AccountDirectory.Handoff = .init())
        async throws(ReplicaError) -> BankRoll
    {
        let (sorted, recoveryRows) = try Self.groups(payroll)
        let keys = self.keys
        let opened = payroll.opened
        let (lines, unpaid, unsortedRecoveries) = try await storage.reading { lookup in
            var directory = AccountDirectory(keys: keys, lookup: lookup, opened: opened, known: known.take())
            if prefetching {
                try directory.prefetch(
                    households: sorted.indices.map { sorted[$0].household },
                    members: sorted.indices.filter { !sorted[$0].program.isHouseholdProgram }.map {
                        sorted[$0].member.value
                    } + recoveryRows.map(\.member.value))
            }
            var lines: [BankRoll.Line] = []
            var unpaid: [BankRoll.Unpaid] = []
            var recoveries: [BankRoll.Recovery] = []
            lines.reserveCapacity(sorted.count)
            // Each group's fields read in place: a group is never copied whole.
            for index in sorted.indices {
                var total = sorted[index].regular
                try Totals.add(
                    &total, sorted[index].backPay,
                    Catalogue.text("roll.what_line", ["household": sorted[index].household]))
                guard total != 0 else { continue }
                let program = sorted[index].program
                let account = try directory.account(
                    household: sorted[index].household, member: sorted[index].member,
                    householdProgram: program.isHouseholdProgram)
                let line = BankRoll.Line(
                    village: sorted[index].village, household: sorted[index].household, program: program,
                    payee: account.payee?.id,
                    payeeName: account.payee?.name ?? "", payeeIDNumber: directory.idNumber(of: account.payee),
                    accountName: account.name ?? "", bankCard: account.card ?? "", account: account.kind,
                    members: sorted[index].members, enrollments: sorted[index].enrollments,
                    regular: Money(fen: sorted[index].regular), backPay: Money(fen: sorted[index].backPay),
                    backPayMonths: sorted[index].backPayMonths.sorted(), total: Money(fen: total))
                if let reason = account.problem {
                    unpaid.append(BankRoll.Unpaid(line: line, reason: reason))
                } else {
                    lines.append(line)
                }
            }
            for row in recoveryRows {
                let person = try directory.member(row.member.value)
                recoveries.append(
                    BankRoll.Recovery(
                        village: row.village, household: row.household, member: row.member,
                        name: person?.name ?? row.name,
                        idNumber: person.map { directory.idNumber(of: $0) } ?? row.idNumber, program: row.program,
                        forMonth: row.forMonth, amount: row.amount, enrollment: row.enrollment))
            }
            // A county's households and people, freed off the path to the roll's files.
            BackgroundRelease.drop(directory.takeRead())
            return (lines, unpaid, recoveries)
        }
        // Sorted by keys made once each, not at every comparison.
        let recoveries = unsortedRecoveries.map { recovery in
            (
                recovery,
                [
                    recovery.village, recovery.household, recovery.member.value, recovery.program.rawValue,
                    recovery.forMonth?.description ?? "",
                ]
            )
        }.sorted { $0.1.lexicographicallyPrecedes($1.1) }.map(\.0)
        let what = Catalogue.text("roll.what_roll", ["month": payroll.month.description])
        let names = try await reading { try $0.divisionNames() }
        // Each line's amounts read in place, in one pass (a lazy map over the lines handed each
        // line to its closure whole: a fifth of the bank roll's time on a county).
        var total: Int64 = 0
        var regular: Int64 = 0
        var backPay: Int64 = 0
        for index in lines.indices {
            try Totals.add(&total, lines[index].total.fen, what)
            try Totals.add(&regular, lines[index].regular.fen, what)
            try Totals.add(&backPay, lines[index].backPay.fen, what)
        }
        var withoutCard: Int64 = 0
        for index in unpaid.indices { try Totals.add(&withoutCard, unpaid[index].line.total.fen, what) }
        var recovered: Int64 = 0
        for index in recoveries.indices { try Totals.add(&recovered, recoveries[index].amount.fen, what) }
        return BankRoll(
            month: payroll.month, county: info.scope.value, countyName: info.name, names: names,
            locked: payroll.locked, lines: lines, withoutCard: unpaid, recoveries: recoveries,
            total: Money(fen: total), regularTotal: Money(fen: regular), backPayTotal: Money(fen: backPay),
            withoutCardTotal: Money(fen: withoutCard), recoveryTotal: Money(fen: recovered))
    }

    /// The roll's rows gathered into one group per payee per program, ordered by village,
    /// household, program and member; and the recovery rows, which no group takes.
    static func groups(_ payroll: Payroll) throws(ReplicaError) -> ([RollGroup], [PayrollRow]) {
        // A household program pays the household once; a person's own program pays the person (so
        // does a household program's row that names no household: it is never merged with others).
        struct Key: Hashable {
            let byHousehold: Bool
            let id: String
            let program: Program
        }
        var groups: [RollGroup] = []
        var position: [Key: Int] = [:]
        position.reserveCapacity(payroll.rows.count)
        var recoveryRows: [PayrollRow] = []
        var last: (key: Key, index: Int)?
        let rows = payroll.rows
        // Each row's fields read in place: a row is never copied whole, but to the recovery list.
        for row in rows.indices {
            if rows[row].kind == .recovery || rows[row].amount.fen < 0 {
                recoveryRows.append(rows[row])
                continue
            }
            let program = rows[row].program
            let byHousehold = program.isHouseholdProgram && !rows[row].household.isEmpty
            let key = Key(
                byHousehold: byHousehold, id: byHousehold ? rows[row].household : rows[row].member.value,
                program: program)
            let index: Int
            if let last, last.key == key {
                // The rows come by household: a household program's rows follow one another.
                index = last.index
            } else if let known = position[key] {
                index = known
            } else {
                index = groups.count
                position[key] = index
                groups.append(RollGroup(program: program, member: rows[row].member))
            }
            last = (key, index)
            try groups[index].add(rows, row)
        }
        // The rows come by village and household, so this sort mostly confirms runs; sorted in
        // place, each group moved, never copied (no two groups share all four keys).
        groups.sort { a, b in
            if a.village != b.village { return a.village < b.village }
            if a.household != b.household { return a.household < b.household }
            if a.programOrder != b.programOrder { return a.programOrder < b.programOrder }
            return a.member.value < b.member.value
        }
        return (groups, recoveryRows)
    }
}

/// The rows of one line of the bank roll: one payee, one program.
struct RollGroup: Sendable {
    var village = ""
    var household = ""
    let program: Program
    /// The program's place in ``Program/allCases``, the roll's order of programs.
    let programOrder: Int
    let member: RecordID
    var members: [RecordID] = []
    var enrollments: [RecordID] = []
    var regular: Int64 = 0
    var backPay: Int64 = 0
    var backPayMonths: Set<Month> = []

    init(program: Program, member: RecordID) {
        self.program = program
        self.programOrder = Program.allCases.firstIndex(of: program) ?? 0
        self.member = member
    }

    /// Adds the row at this index of the roll's rows.
    mutating func add(_ rows: [PayrollRow], _ row: Int) throws(ReplicaError) {
        village = rows[row].village
        household = rows[row].household
        if !members.contains(rows[row].member) { members.append(rows[row].member) }
        if !enrollments.contains(rows[row].enrollment) { enrollments.append(rows[row].enrollment) }
        if rows[row].kind == .backPay {
            try Totals.add(&backPay, rows[row].amount.fen, Self.what(rows[row]))
            if let month = rows[row].forMonth { backPayMonths.insert(month) }
        } else {
            try Totals.add(&regular, rows[row].amount.fen, Self.what(rows[row]))
        }
    }

    /// The sentence of an overflow (made only then).
    private static func what(_ row: PayrollRow) -> String {
        Catalogue.text("roll.what_line_program", ["household": row.household, "program": row.program.chineseName])
    }
}
