import Foundation
import HearthCore
import HearthStore

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
    public func subtotals() throws(ReplicaError) -> [Subtotal] {
        var byArea: [String: Subtotal] = [:]
        var whole = Subtotal(level: .county, area: county)
        func areas(_ village: String) -> [(String, Subtotal.Level)] {
            [(String(village.prefix(9)), .township), (village, .village)]
        }
        func add(_ amount: Money, to money: inout Money, _ what: String) throws(ReplicaError) {
            var fen = money.fen
            try Totals.add(&fen, amount.fen, what)
            money = Money(fen: fen)
        }
        func update(_ village: String, _ change: (inout Subtotal) throws(ReplicaError) -> Void) throws(ReplicaError) {
            for (area, level) in areas(village) {
                var subtotal = byArea[area] ?? Subtotal(level: level, area: area)
                try change(&subtotal)
                byArea[area] = subtotal
            }
            try change(&whole)
        }
        for line in lines {
            try update(line.village) { (subtotal: inout Subtotal) throws(ReplicaError) in
                subtotal.lines += 1
                subtotal.persons += line.members.count
                try add(line.regular, to: &subtotal.regular, "the roll's subtotals")
                try add(line.backPay, to: &subtotal.backPay, "the roll's subtotals")
                try add(line.total, to: &subtotal.total, "the roll's subtotals")
            }
        }
        for unpaid in withoutCard {
            try update(unpaid.line.village) { (subtotal: inout Subtotal) throws(ReplicaError) in
                subtotal.withoutCard += 1
                try add(unpaid.line.total, to: &subtotal.withoutCardTotal, "the roll's subtotals")
            }
        }
        for recovery in recoveries {
            try update(recovery.village) { (subtotal: inout Subtotal) throws(ReplicaError) in
                subtotal.recoveries += 1
                try add(recovery.amount, to: &subtotal.recoveryTotal, "the roll's subtotals")
            }
        }
        var out: [Subtotal] = []
        for township in byArea.values.filter({ $0.level == .township }).sorted(by: { $0.area < $1.area }) {
            out.append(township)
            out += byArea.values.filter { $0.level == .village && $0.area.hasPrefix(township.area) }
                .sorted { $0.area < $1.area }
        }
        return out + [whole]
    }
}

extension HubLedger {
    /// The roll as the bank takes it, built from a month's ``Payroll`` and the households'
    /// payees, account names and cards as the hub holds them now (read in one transaction of
    /// its storage, ``LedgerStorage/reading(_:)``).
    public func bankRoll(_ payroll: Payroll) async throws(ReplicaError) -> BankRoll {
        struct Group {
            var village = ""
            var household = ""
            var program: Program
            var member: RecordID
            var members: [RecordID] = []
            var enrollments: [RecordID] = []
            var regular: Int64 = 0
            var backPay: Int64 = 0
            var backPayMonths: Set<Month> = []
        }
        var groups: [String: Group] = [:]
        var recoveryRows: [PayrollRow] = []
        for row in payroll.rows {
            if row.kind == .recovery || row.amount.fen < 0 {
                recoveryRows.append(row)
                continue
            }
            // A household program pays the household once; a person's own program pays the person (so
            // does a household program's row that names no household: it is never merged with others).
            let key =
                row.program.isHouseholdProgram && !row.household.isEmpty
                ? "H|\(row.household)|\(row.program.rawValue)" : "M|\(row.member.value)|\(row.program.rawValue)"
            var group = groups[key] ?? Group(program: row.program, member: row.member)
            group.village = row.village
            group.household = row.household
            if !group.members.contains(row.member) { group.members.append(row.member) }
            if !group.enrollments.contains(row.enrollment) { group.enrollments.append(row.enrollment) }
            let what = "the roll line of \(row.household) for \(row.program.chineseName)"
            if row.kind == .backPay {
                try Totals.add(&group.backPay, row.amount.fen, what)
                if let month = row.forMonth { group.backPayMonths.insert(month) }
            } else {
                try Totals.add(&group.regular, row.amount.fen, what)
            }
            groups[key] = group
        }

        let order = Dictionary(uniqueKeysWithValues: Program.allCases.enumerated().map { ($1, $0) })
        let sorted = groups.values.sorted {
            ($0.village, $0.household, order[$0.program] ?? 0, $0.member.value)
                < ($1.village, $1.household, order[$1.program] ?? 0, $1.member.value)
        }
        let keys = self.keys
        let recoveryRowsRead = recoveryRows
        let (lines, unpaid, unsortedRecoveries) = try await storage.reading { lookup in
            var directory = AccountDirectory(keys: keys, lookup: lookup)
            var lines: [BankRoll.Line] = []
            var unpaid: [BankRoll.Unpaid] = []
            var recoveries: [BankRoll.Recovery] = []
            for group in sorted {
                let total = try Totals.sum([group.regular, group.backPay], "the roll line of \(group.household)")
                guard total != 0 else { continue }
                let account = try directory.account(
                    household: group.household, member: group.member,
                    householdProgram: group.program.isHouseholdProgram)
                let line = BankRoll.Line(
                    village: group.village, household: group.household, program: group.program,
                    payee: account.payee?.id,
                    payeeName: account.payee?.name ?? "", payeeIDNumber: account.payee?.idNumber ?? "",
                    accountName: account.name ?? "", bankCard: account.card ?? "", account: account.kind,
                    members: group.members, enrollments: group.enrollments, regular: Money(fen: group.regular),
                    backPay: Money(fen: group.backPay), backPayMonths: group.backPayMonths.sorted(),
                    total: Money(fen: total))
                if let reason = account.problem {
                    unpaid.append(BankRoll.Unpaid(line: line, reason: reason))
                } else {
                    lines.append(line)
                }
            }
            for row in recoveryRowsRead {
                let person = try directory.member(row.member.value)
                recoveries.append(
                    BankRoll.Recovery(
                        village: row.village, household: row.household, member: row.member,
                        name: person?.name ?? row.name,
                        idNumber: person?.idNumber ?? row.idNumber, program: row.program, forMonth: row.forMonth,
                        amount: row.amount, enrollment: row.enrollment))
            }
            return (lines, unpaid, recoveries)
        }
        let recoveries = unsortedRecoveries.sorted {
            ($0.village, $0.household, $0.member.value, $0.program.rawValue, $0.forMonth?.description ?? "")
                < ($1.village, $1.household, $1.member.value, $1.program.rawValue, $1.forMonth?.description ?? "")
        }
        let what = "the roll for \(payroll.month)"
        return BankRoll(
            month: payroll.month, county: info.scope.value, countyName: info.name, locked: payroll.locked, lines: lines,
            withoutCard: unpaid, recoveries: recoveries,
            total: Money(fen: try Totals.sum(lines.lazy.map(\.total.fen), what)),
            regularTotal: Money(fen: try Totals.sum(lines.lazy.map(\.regular.fen), what)),
            backPayTotal: Money(fen: try Totals.sum(lines.lazy.map(\.backPay.fen), what)),
            withoutCardTotal: Money(fen: try Totals.sum(unpaid.lazy.map(\.line.total.fen), what)),
            recoveryTotal: Money(fen: try Totals.sum(recoveries.lazy.map(\.amount.fen), what)))
    }
}

/// Households and members as the roll needs them (payee, account holder, card), looked up once
/// each through the storage's read (``CountyReading``) and opened with the county key.
struct AccountDirectory {
    struct Person {
        let id: RecordID
        let name: String
        let household: String?
        let alive: Bool
        let idNumber: String
        let card: Sealed
        let accountName: String?
    }

    struct Household {
        let head: String?
        let payee: String?
        let accountName: String?
        let card: Sealed
    }

    /// A card as stored: absent, readable, or sealed under another key.
    enum Sealed {
        case none
        case clear(String)
        case unreadable
    }

    /// Where one line's money goes, or why it cannot go anywhere.
    struct Account {
        var payee: Person?
        var name: String?
        var card: String?
        var kind: BankRoll.Account
        var problem: String?
    }

    let keys: KeyMaterial
    let lookup: any CountyReading
    private var people: [String: Person?] = [:]
    private var households: [String: Household?] = [:]

    init(keys: KeyMaterial, lookup: any CountyReading) {
        self.keys = keys
        self.lookup = lookup
    }

    mutating func member(_ id: String) throws -> Person? {
        if let known = people[id] { return known }
        let entry = try RecordID(id).flatMap { id in try lookup.member(id) }
        let person = entry.map { entry -> Person in
            var idNumber = ""
            if case .clear(let text) = open(entry.idNumber) { idNumber = text }
            return Person(
                id: entry.id, name: entry.name ?? "", household: entry.household,
                alive: entry.vitalStatus != "deceased", idNumber: idNumber, card: open(entry.bankCard),
                accountName: entry.accountName)
        }
        people[id] = person
        return person
    }

    mutating func household(_ id: String) throws -> Household? {
        if let known = households[id] { return known }
        let entry = try RecordID(id).flatMap { id in try lookup.household(id) }
        let household = entry.map { entry in
            Household(head: entry.head, payee: entry.payee, accountName: entry.accountName, card: open(entry.bankCard))
        }
        households[id] = household
        return household
    }

    /// The household's payee: the named payee while a living member of it, else the head.
    mutating func payee(of household: Household, id: String) throws -> Person? {
        for candidate in [household.payee, household.head] {
            guard let candidate, let person = try member(candidate), person.alive, person.household == id else {
                continue
            }
            return person
        }
        return nil
    }

    /// Where a line's money goes: for a household program the household's card, held by its
    /// payee; for a person's own program the person's own card, else the household's.
    mutating func account(household id: String, member: RecordID, householdProgram: Bool) throws -> Account {
        let household = try self.household(id)
        let person = try self.member(member.value)
        if !householdProgram, let person, case .clear(let card) = person.card {
            return Account(payee: person, name: person.accountName ?? person.name, card: card, kind: .own)
        }
        if !householdProgram, let person, case .unreadable = person.card {
            return Account(
                payee: person, name: person.accountName ?? person.name, card: nil, kind: .own,
                problem: "the person's own bank card cannot be opened with this replica's key")
        }
        let payee = try household.map { household in try self.payee(of: household, id: id) } ?? nil
        var account = Account(
            payee: householdProgram ? payee : person, name: household?.accountName ?? payee?.name, card: nil,
            kind: .household)
        guard let household else {
            account.problem = "the household \(id) is not on this replica"
            return account
        }
        switch household.card {
        case .clear(let card): account.card = card
        case .none:
            account.problem =
                householdProgram
                ? "no bank card (一卡通) on record for the household"
                : "no bank card on record for the person or the household"
            return account
        case .unreadable:
            account.problem = "the household's bank card cannot be opened with this replica's key"
            return account
        }
        if account.name == nil {
            account.problem =
                "no account holder: the household names no living payee or head, and no account name (户名)"
        }
        return account
    }

    private func open(_ sealed: SealedValue?) -> Sealed {
        guard let sealed else { return .none }
        guard let clear = try? keys.open(sealed) else { return .unreadable }
        return .clear(clear)
    }
}
