import Foundation
import HearthCore
import HearthText

/// One line of the bureau's report: one program in one area, or every program in one area
/// (a total line).
public struct ReportLine: Sendable {
    /// The area's division-code prefix (county, township or village).
    public let area: String
    /// The program; nil on a total line, whose households and persons are each counted once
    /// however many programs pay them (a household on dibao whose grandmother draws the
    /// elderly allowance is one household), while its money adds up across programs.
    public let program: Program?
    /// Households and persons paid in the period's last month.
    public let households: Int
    public let persons: Int
    /// Enrollments that started (新增) or ended (退出) in the period; on a total line, the sum
    /// over programs (a person entering two programs is two entries).
    public let newEntries: Int
    public let exits: Int
    /// What the period's last month pays, and the whole period.
    public let monthTotal: Money
    public let periodTotal: Money

    public init(
        area: String, program: Program?, households: Int, persons: Int, newEntries: Int, exits: Int, monthTotal: Money,
        periodTotal: Money
    ) {
        self.area = area
        self.program = program
        self.households = households
        self.persons = persons
        self.newEntries = newEntries
        self.exits = exits
        self.monthTotal = monthTotal
        self.periodTotal = periodTotal
    }
}

/// The bureau's report for a period: a line per program and area, a total per area and a
/// grand total. Totals are built from distinct households and persons, not by adding the
/// program lines, so a household in two programs is counted once (the 合计 row a bureau
/// files must not count people twice); money totals are sums.
public struct Report: Sendable {
    /// One line per area and program, by area then program.
    public let lines: [ReportLine]
    /// One total line per area (program nil), in area order.
    public let areaTotals: [ReportLine]
    /// The whole replica's scope (program nil; area is the scope).
    public let total: ReportLine
}

extension ReplicaReading {
    /// The report for a period, by area level, built from the same payable set as the roll,
    /// so the two always agree.
    package func report(from start: Month, to end: Month, by level: ScopePrefix.Level, nowMillis: Int64)
        throws(ReplicaError) -> Report
    {
        guard start <= end else {
            throw .invalid(InputError(field: "from", "report.from_after_to", ["from": "\(start)", "to": "\(end)"]))
        }
        func area(_ village: String) -> String {
            switch level {
            case .county: return String(village.prefix(6))
            case .township: return String(village.prefix(9))
            case .village: return village
            }
        }
        var tally = ReportTally()
        func slots(_ village: String, _ program: Program) -> ReportTally.Slots {
            tally.slots(village: village, program: program, area: area)
        }
        func add(_ slots: ReportTally.Slots, _ fen: Int64, program: Program, village: String) throws(ReplicaError) {
            try slots.forEach { slot throws(ReplicaError) in
                try Totals.add(
                    &tally.periodTotals[slot], fen,
                    Catalogue.text("report.what_total", ["program": program.rawValue, "area": area(village)]))
                tally.touched[slot] = true
            }
        }
        var last: ReportLastMonth?
        var month = start
        // One book for every month not yet locked: read once, not once per month.
        var book: RollBook?
        // Each entry's slots, found the first time one of its lines is added: its village and
        // program are the same every month.
        var entrySlots: [ReportTally.Slots?] = []
        func slots(entry index: Int, _ book: RollBook, _ program: Program) -> ReportTally.Slots {
            if let known = entrySlots[index] { return known }
            let found = slots(book.entries[index].village, program)
            entrySlots[index] = found
            return found
        }
        // Months no lock covers, worked out a few at a time (``rollAhead(from:to:book:)``).
        var rolledAhead: [Month: RollLines] = [:]
        // What the worked-out months pay each entry over the period, added into its slots once
        // at the end: adding every line into three slots took half the months' time in a year's
        // report. `paying`: the entry had a line (its slots are in the report even if its lines
        // add up to nothing, a payment and its recovery).
        var entryPeriod: [Int64] = []
        var paying: [Bool] = []
        while month <= end {
            if let locked = try lockedRoll(month, payees: false) {
                // Each line's fields read in place: a line is never copied whole.
                for index in locked.rows.indices {
                    let program = locked.rows[index].program
                    let village = locked.rows[index].village
                    try add(slots(village, program), locked.rows[index].amount.fen, program: program, village: village)
                }
                last = .locked(locked)
            } else {
                if book == nil {
                    let read = try rollBook(before: end.adding(months: 1), nowMillis: nowMillis)
                    book = read
                    entrySlots = Array(repeating: nil, count: read.entries.count)
                    entryPeriod = Array(repeating: 0, count: read.entries.count)
                    paying = Array(repeating: false, count: read.entries.count)
                }
                if rolledAhead[month] == nil { rolledAhead = try rollAhead(from: month, to: end, book: book!) }
                guard let worked = rolledAhead.removeValue(forKey: month) else {
                    throw .database("the roll of \(month) was not worked out")
                }
                for line in worked.lines {
                    try Totals.add(
                        &entryPeriod[line.entry], line.amount.fen,
                        Catalogue.text(
                            "report.what_total",
                            ["program": line.program.rawValue, "area": area(book!.entries[line.entry].village)]))
                    paying[line.entry] = true
                }
                last = .worked(worked)
            }
            month = month.adding(months: 1)
        }
        if let book {
            for index in paying.indices where paying[index] {
                let program = book.entries[index].facts.program ?? .dibaoRural
                try add(
                    slots(entry: index, book, program), entryPeriod[index], program: program,
                    village: book.entries[index].village)
            }
        }
        // Households and persons as numbers, each text hashed once: a set of numbers per line.
        var householdNumbers: [String: Int] = [:]
        var personNumbers: [RecordID: Int] = [:]
        func countPaid(
            household: String, member: RecordID, slots: ReportTally.Slots, program: Program, fen: Int64
        ) throws(ReplicaError) {
            let householdNumber = householdNumbers[household, default: householdNumbers.count]
            householdNumbers[household] = householdNumber
            let person = personNumbers[member, default: personNumbers.count]
            personNumbers[member] = person
            try slots.forEach { slot throws(ReplicaError) in
                tally.households[slot].insert(householdNumber)
                tally.persons[slot].insert(person)
                tally.touched[slot] = true
                try Totals.add(
                    &tally.monthTotals[slot], fen,
                    Catalogue.text("report.what_month_total", ["program": program.rawValue]))
            }
        }
        switch last {
        case .locked(let roll)?:
            let rows = roll.rows
            householdNumbers.reserveCapacity(rows.count)
            personNumbers.reserveCapacity(rows.count)
            for index in rows.indices where rows[index].kind == .regular {
                let program = rows[index].program
                try countPaid(
                    household: rows[index].household, member: rows[index].member,
                    slots: slots(rows[index].village, program), program: program, fen: rows[index].amount.fen)
            }
        case .worked(let worked)?:
            householdNumbers.reserveCapacity(worked.lines.count)
            personNumbers.reserveCapacity(worked.lines.count)
            for line in worked.lines where line.kind == .regular {
                let entry = book!.entries[line.entry]
                try countPaid(
                    household: entry.household, member: entry.member,
                    slots: slots(entry: line.entry, book!, line.program),
                    program: line.program, fen: line.amount.fen)
            }
        case nil: break
        }
        try withStatements { sql in
            var months = TextCache { try? Month.parse($0, field: "month") }
            try sql.forEachRow(ReplicaCore.reportEnrollmentsSQL, []) { row in
                guard let program = row[0].text.flatMap(Program.init(rawValue:)), let village = row[1].text else {
                    return
                }
                guard row[5].text == "approved" else { return }
                if let begun = months[row[2].text], begun >= start, begun <= end {
                    slots(village, program).forEach { slot in
                        tally.entries[slot] += 1
                        tally.touched[slot] = true
                    }
                }
                if row[4].text == "exited", let ended = months[row[3].text], ended >= start, ended <= end {
                    slots(village, program).forEach { slot in
                        tally.exits[slot] += 1
                        tally.touched[slot] = true
                    }
                }
            }
        }
        func line(_ key: ReportTally.Key) -> ReportLine {
            guard let slot = tally.slot[key] else {
                return ReportLine(
                    area: key.area ?? info.scope.value, program: key.program, households: 0, persons: 0, newEntries: 0,
                    exits: 0, monthTotal: .zero, periodTotal: .zero)
            }
            return ReportLine(
                area: key.area ?? info.scope.value, program: key.program, households: tally.households[slot].count,
                persons: tally.persons[slot].count, newEntries: tally.entries[slot], exits: tally.exits[slot],
                monthTotal: Money(fen: tally.monthTotals[slot]), periodTotal: Money(fen: tally.periodTotals[slot]))
        }
        let all = tally.keys.indices.filter { tally.touched[$0] }.map { tally.keys[$0] }
        func order(_ program: Program?) -> Int { program.flatMap { Program.allCases.firstIndex(of: $0) } ?? -1 }
        let programKeys = all.filter { $0.program != nil }
            .sorted { ($0.area ?? "", order($0.program)) < ($1.area ?? "", order($1.program)) }
        let areaKeys = all.filter { $0.program == nil && $0.area != nil }.sorted { ($0.area ?? "") < ($1.area ?? "") }
        let report = Report(
            lines: programKeys.map(line), areaTotals: areaKeys.map(line),
            total: line(ReportTally.Key(area: nil, program: nil)))
        // The book, the last month's lines and the counted sets are a county's worth each:
        // freed off the report's path (a year's report spent a twelfth of its time freeing).
        BackgroundRelease.drop(&book, leaving: nil)
        BackgroundRelease.drop(&last, leaving: nil)
        BackgroundRelease.drop(&tally, leaving: ReportTally())
        BackgroundRelease.drop(&householdNumbers, leaving: [:])
        BackgroundRelease.drop(&personNumbers, leaving: [:])
        return report
    }

    /// `month`'s roll over the book, and those of the months after it up to `end` that no lock
    /// covers, as many months as there are cores (two at least), worked out side by side.
    ///
    /// Why: a year's report rolled its twelve months one after another on one core, 0.9 of its
    /// 1.8 s on the full large district, while the other core idled. The months share the book
    /// and each only reads it once every entry's ID number is opened (``RollBook/openEveryIDNumber(keys:)``),
    /// the one thing a roll would otherwise write into it.
    func rollAhead(from month: Month, to end: Month, book: RollBook) throws(ReplicaError) -> [Month: RollLines] {
        // Two at least, so the path is the same on every machine (one core takes them in turn).
        let cores = max(2, ProcessInfo.processInfo.activeProcessorCount)
        let locked = Set(book.lockedMonths)
        var months = [month]
        var next = month.adding(months: 1)
        while months.count < cores, next <= end {
            if !locked.contains(next) { months.append(next) }
            next = next.adding(months: 1)
        }
        guard months.count > 1 else {
            return [month: try rollLines(for: month, book: book, openingCards: false, numbers: false)]
        }
        book.openEveryIDNumber(keys: keys)
        let rolled = RolledMonths(count: months.count)
        let shared = ReadOnlyBook(book: book)
        let keys = keys
        let chosen = months
        DispatchQueue.concurrentPerform(iterations: chosen.count) { index in
            rolled.keep(
                Result { () throws(ReplicaError) in
                    try Self.rollLines(
                        for: chosen[index], book: shared.book, keys: keys, openingCards: false, numbers: false)
                }, at: index)
        }
        var result: [Month: RollLines] = [:]
        for (index, outcome) in rolled.taken().enumerated() {
            guard let outcome else { throw .database("the roll of \(months[index]) was not worked out") }
            result[months[index]] = try outcome.get()
        }
        return result
    }
}

/// A book every entry's ID number of which is open (``RollBook/openEveryIDNumber(keys:)``),
/// handed to the threads that roll months over it. `@unchecked Sendable`: a roll writes into
/// a book only an ID number it opens, and with every number open it only reads.
private struct ReadOnlyBook: @unchecked Sendable {
    let book: RollBook
}

/// The months ``ReplicaReading/rollAhead(from:to:book:)`` works out side by side, each kept
/// in its own place by the thread that worked it out.
private final class RolledMonths: @unchecked Sendable {
    // Each place is written by one thread, then all are read once every thread has ended
    // (`DispatchQueue.concurrentPerform` returns after its last iteration); the lock makes
    // that hand-over visible without relying on the queue's barriers.
    private let lock = NSLock()
    private var places: [Result<RollLines, ReplicaError>?]

    init(count: Int) { places = Array(repeating: nil, count: count) }

    func keep(_ outcome: Result<RollLines, ReplicaError>, at index: Int) {
        lock.withLock { places[index] = outcome }
    }

    func taken() -> [Result<RollLines, ReplicaError>?] {
        lock.withLock {
            defer { places = [] }
            return places
        }
    }
}

extension ReplicaCore {
    /// The report's new entries and exits: one pass over the enrollments.
    package static let reportEnrollmentsSQL = """
        SELECT program, village, start_month, end_month, status, decision FROM enrollments
        WHERE village IS NOT NULL AND program IS NOT NULL
        """
}

/// A report period's last month: a locked roll's rows, or the lines worked out over the book.
private enum ReportLastMonth {
    case locked(Payroll)
    case worked(RollLines)
}

/// The report's figures, a slot per line (an area's program, an area's total, the grand
/// total): each row adds to its three slots, found once per village and program, not by
/// hashing three keys per row.
struct ReportTally {
    /// One area's program (a program line) or all its programs (program nil: its total);
    /// area nil with program nil is the grand total.
    struct Key: Hashable {
        let area: String?
        let program: Program?
    }

    /// A row's three slots: its area's program, its area, the whole scope.
    struct Slots {
        let program: Int
        let area: Int
        let total: Int

        /// Hands `body` the three slots in turn, without making an array of them: a report
        /// adds a county's lines a year over, three slots each.
        func forEach<Failure: Error>(_ body: (Int) throws(Failure) -> Void) throws(Failure) {
            try body(program)
            try body(area)
            try body(total)
        }
    }

    private struct Place: Hashable {
        let village: String
        let program: Program
    }

    private(set) var keys: [Key] = []
    private(set) var slot: [Key: Int] = [:]
    private var places: [Place: Slots] = [:]
    var periodTotals: [Int64] = []
    var monthTotals: [Int64] = []
    var households: [Set<Int>] = []
    var persons: [Set<Int>] = []
    var entries: [Int] = []
    var exits: [Int] = []
    /// Whether anything was added to the slot: its line is in the report (even at zero).
    var touched: [Bool] = []

    mutating func slots(village: String, program: Program, area: (String) -> String) -> Slots {
        let place = Place(village: village, program: program)
        if let known = places[place] { return known }
        let name = area(village)
        let slots = Slots(
            program: slot(Key(area: name, program: program)), area: slot(Key(area: name, program: nil)),
            total: slot(Key(area: nil, program: nil)))
        places[place] = slots
        return slots
    }

    private mutating func slot(_ key: Key) -> Int {
        if let known = slot[key] { return known }
        slot[key] = keys.count
        keys.append(key)
        periodTotals.append(0)
        monthTotals.append(0)
        households.append([])
        persons.append([])
        entries.append(0)
        exits.append(0)
        touched.append(false)
        return keys.count - 1
    }
}
