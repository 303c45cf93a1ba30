import Crypto
import HearthCore
import HearthText

/// The digest of everything an enrollment's adjustments for locked months are worked out from
/// (R12): its facts and its member's, its holds, the competing readings of a field in conflict,
/// whether it has an ID number, the other records of its person and program, the standards and
/// the county's rules. 128 bits of a SHA-256.
///
/// Why: every roll judges every enrollment again for every locked month, to find the back pay
/// and recovery that a change since the lock calls for. Most enrollments never change after
/// they are paid, so a county that has paid for years spent most of each roll finding nothing.
/// When a month is locked, the hub marks each enrollment whose locked months the next roll would
/// leave as they are, with this digest (``SettledMarks``); a later roll skips an enrollment
/// whose digest is still its mark, because the same inputs give the same nothing.
package struct SettleDigest: Hashable, Sendable {
    package let high: Int64
    package let low: Int64

    package init(high: Int64, low: Int64) {
        self.high = high
        self.low = low
    }
}

/// The marks a lock leaves: for each enrollment whose locked months are settled, the digest of
/// its inputs at the lock (``SettleDigest``). The hub keeps them in `roll_settled`, all written
/// again at every lock (the paid amounts they were judged against change only then).
package enum SettledMarks {
    /// What a lock changes in the marks: those to write, and the enrollments whose mark goes.
    package struct Changes: Sendable {
        package var set: [(enrollment: String, mark: SettleDigest)] = []
        package var cleared: [String] = []
    }

    /// The marks a roll's lock will change, worked out from the book the roll was made over
    /// (``ReplicaReading/payroll(for:nowMillis:settling:)``): right as long as no other month
    /// is locked before the roll is, which the lock checks (`lockedBefore`). The lock then
    /// need not read the county again in its write transaction.
    package struct Pending: Sendable {
        /// The months locked before the roll's when its book was read.
        package let lockedBefore: [Month]
        package let changes: Changes
    }

    /// Each entry's digest, by its index in `entries`: the digest of its group (the entries of
    /// one person and program, ``RollBook/Entry/person``, which the roll pays once between
    /// them), so that a change to one of them, or one joining or leaving, changes them all.
    /// An entry without a person is a group of its own.
    package static func digests(_ entries: [RollBook.Entry], persons: Int, standards: StandardTable, rules: CountyRules)
        -> [SettleDigest]
    {
        let county = countyDigest(standards: standards, rules: rules)
        var groups = [[Int]](repeating: [], count: persons)
        for (index, entry) in entries.enumerated() {
            if let person = entry.person { groups[person].append(index) }
        }
        var digests = [SettleDigest](repeating: SettleDigest(high: 0, low: 0), count: entries.count)
        var bytes = SettleBytes()
        func digest(of members: [Int]) -> SettleDigest {
            bytes.reset(prefix: county)
            bytes.integer(Int64(members.count))
            for index in members { bytes.entry(entries[index]) }
            return bytes.digest()
        }
        for (index, entry) in entries.enumerated() {
            guard let person = entry.person else {
                digests[index] = digest(of: [index])
                continue
            }
            // Each group once, at its first member (its members are in the book's order).
            let members = groups[person]
            guard members.first == index else { continue }
            let shared = digest(of: members)
            for member in members { digests[member] = shared }
        }
        return digests
    }

    /// The entries whose digest is not their mark, with every other entry of their person and
    /// program (the roll pays one of them, so they are judged together), ascending.
    package static func unsettled(
        _ entries: [RollBook.Entry], persons: Int, digests: [SettleDigest], marks: [SettleDigest?]
    ) -> [Int] {
        let changed = wholeGroups(entries.indices.map { marks[$0] != digests[$0] }, entries, persons: persons)
        return entries.indices.filter { changed[$0] }
    }

    /// `flags` by entry, each set one spread to every other entry of its person and program:
    /// the roll pays one of them, so they stand or are judged together.
    static func wholeGroups(_ flags: [Bool], _ entries: [RollBook.Entry], persons: Int) -> [Bool] {
        var person = [Bool](repeating: false, count: persons)
        for index in entries.indices where flags[index] {
            if let number = entries[index].person { person[number] = true }
        }
        return entries.indices.map { index in entries[index].person.map { person[$0] } ?? flags[index] }
    }

    /// The standards and rules every entry's digest begins with, digested once.
    static func countyDigest(standards: StandardTable, rules: CountyRules) -> [UInt8] {
        var bytes = SettleBytes()
        bytes.reset(prefix: Array("hearth settled v1".utf8))
        bytes.text(rules.deathMonth.rawValue)
        bytes.text(rules.topUpRaise.rawValue)
        let all = standards.all
        bytes.integer(Int64(all.count))
        for standard in all {
            bytes.text(standard.program.rawValue)
            bytes.text(standard.band)
            bytes.month(standard.from)
            bytes.integer(standard.amount.fen)
        }
        return Array(SHA256.hash(data: bytes.bytes))
    }
}

/// An unambiguous byte form of the digest's inputs: each value tagged present or absent, each
/// text preceded by its length.
struct SettleBytes {
    private(set) var bytes: [UInt8] = []

    mutating func reset(prefix: [UInt8]) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: prefix)
    }

    mutating func digest() -> SettleDigest {
        let hash = SHA256.hash(data: bytes)
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (position, byte) in hash.prefix(16).enumerated() {
            if position < 8 {
                high = high << 8 | UInt64(byte)
            } else {
                low = low << 8 | UInt64(byte)
            }
        }
        return SettleDigest(high: Int64(bitPattern: high), low: Int64(bitPattern: low))
    }

    mutating func present(_ isPresent: Bool) { bytes.append(isPresent ? 1 : 0) }

    mutating func integer(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func integer(_ value: Int?) {
        present(value != nil)
        if let value { integer(Int64(value)) }
    }

    mutating func text(_ value: String?) {
        present(value != nil)
        guard let value else { return }
        integer(Int64(value.utf8.count))
        bytes.append(contentsOf: value.utf8)
    }

    mutating func month(_ value: Month?) { integer(value.map { $0.year * 12 + $0.month - 1 }) }

    mutating func date(_ value: CivilDate?) {
        integer(value.map { $0.year * 10_000 + $0.monthNumber * 100 + $0.day })
    }

    /// Each entry's month, kind and fen (no text made: a county has a schedule per enrollment).
    mutating func schedule(_ value: AmountSchedule?) {
        present(value != nil)
        guard let value else { return }
        integer(Int64(value.entries.count))
        for (from, amount) in value.entries {
            month(from)
            switch amount {
            case .fixed(let money):
                bytes.append(0)
                integer(money.fen)
            case .standard(let less):
                bytes.append(1)
                integer(less.fen)
            }
        }
    }

    /// Every field of ``EnrollmentFacts``: the test `factsDigestCoversEveryField` fails when
    /// one is added and not written here.
    mutating func facts(_ facts: EnrollmentFacts) {
        text(facts.program?.rawValue)
        text(facts.status)
        text(facts.decision)
        text(facts.exitReason)
        month(facts.start)
        month(facts.end)
        schedule(facts.schedule)
        month(facts.suspendedFrom)
        integer(facts.grade)
        date(facts.birth)
        present(facts.deceased)
        date(facts.deathDate)
    }

    /// What the roll reads of an entry to judge its months (its place and name decide nothing).
    mutating func entry(_ entry: RollBook.Entry) {
        text(entry.id.value)
        facts(entry.facts)
        present(entry.heldAlways)
        integer(Int64(entry.alternatives.count))
        for alternative in entry.alternatives { facts(alternative) }
        present(entry.idSealed != nil)
        text(entry.idHash)
    }
}

extension ReplicaReading {
    /// The marks to keep once `roll` is locked, read in the transaction that wrote its lines and
    /// its lock: each enrollment whose locked months, this one included, owe what was paid for
    /// them by the state now, with its digest (whole groups of a person and program, or none of
    /// them). Exactly what the next roll would find, by the same ``payable(in:book:openingIDs:among:)``.
    ///
    /// A group the last lock marked, whose digest is still its mark and to which this roll paid
    /// no adjustment, owes what was paid for the months before: only this month is judged for
    /// it. Every other group is judged for every locked month.
    ///
    /// Returns the marks to write (new, or changed) and the enrollments whose last mark must go;
    /// the other marks stand as they are.
    package func settledMarks(afterLocking roll: Payroll, nowMillis: Int64) throws(ReplicaError) -> SettledMarks.Changes
    {
        // The groups this roll adjusted are judged again, whatever their marks.
        let adjusted = Set(roll.rows.lazy.filter { $0.kind != .regular }.map(\.enrollment))
        let book = try rollBook(
            before: roll.month.adding(months: 1), nowMillis: nowMillis, judging: adjusted,
            everyEntryPaidFor: roll.month)
        return changes(locking: roll.month, book: book)
    }

    /// The roll of `month` with, when `settling` (the roll is to be locked), the marks its lock
    /// will change (``Payroll/settling``), from the same book.
    package func payroll(for month: Month, nowMillis: Int64, settling: Bool) throws(ReplicaError) -> Payroll {
        if let locked = try lockedRoll(month) { return locked }
        let book = try rollBook(before: month, nowMillis: nowMillis)
        var payroll = try roll(for: month, book: book)
        if settling { payroll.settling = try pendingMarks(payroll, book: book) }
        // A county's book is freed off the roll's path (the bank roll waits for the roll).
        BackgroundRelease.drop(consume book)
        return payroll
    }

    /// The marks `roll`'s lock will change, from the `book` it was made over with what it pays
    /// added to what was paid: what ``settledMarks(afterLocking:nowMillis:)`` finds after the
    /// lock when nothing else is locked meanwhile. Nil when a month after the roll's is locked
    /// (the lock refuses it).
    package func pendingMarks(_ roll: Payroll, book: RollBook) throws(ReplicaError) -> SettledMarks.Pending? {
        guard book.lockedMonths.allSatisfy({ $0 < roll.month }) else { return nil }
        // Before the first lock the book has no digests: nothing reads them.
        let digests =
            book.digests.isEmpty
            ? SettledMarks.digests(book.entries, persons: book.persons, standards: book.standards, rules: book.rules)
            : book.digests
        var position = EntryIndex()
        position.reserveCapacity(book.entries.count)
        for (index, entry) in book.entries.enumerated() { position[entry.id.value] = index }
        var paid = book.paid
        let none = [Int64](repeating: 0, count: book.entries.count)
        for row in roll.rows {
            guard let index = position[row.enrollment.value] else { continue }
            let month = row.forMonth ?? roll.month
            // In place: a column copied for each line made a county's lock quadratic.
            try Totals.add(
                &paid[month, default: none][index], row.amount.fen,
                Catalogue.text("roll.what_paid", ["enrollment": "\(row.enrollment)", "month": "\(month)"]))
        }
        let after = RollBook(
            standards: book.standards, rules: book.rules, entries: book.entries, persons: book.persons, paid: paid,
            lockedMonths: book.lockedMonths + [roll.month], digests: digests, judged: book.judged,
            marks: book.marks, strayMarks: book.strayMarks)
        return SettledMarks.Pending(lockedBefore: book.lockedMonths, changes: changes(locking: roll.month, book: after))
    }

    /// What the lock of `month` changes in the marks, over a book whose paid amounts include
    /// that lock's: every group judged for `month`, the groups in ``RollBook/judged`` for the
    /// months before too.
    func changes(locking month: Month, book: RollBook) -> SettledMarks.Changes {
        let entries = book.entries
        guard !entries.isEmpty, !book.lockedMonths.isEmpty else {
            return SettledMarks.Changes(cleared: book.strayMarks)
        }
        let judged = book.judged ?? Array(entries.indices)
        var differs = [Bool](repeating: false, count: entries.count)
        for locked in book.lockedMonths {
            let among: [Int]? = locked == month ? nil : judged
            for (position, outcome) in payable(in: locked, book: book, openingIDs: false, among: among).enumerated() {
                let index = among?[position] ?? position
                let owed: Int64
                switch outcome {
                case .unsettled: continue
                case .zero: owed = 0
                case .line(let amount, _): owed = amount.fen
                }
                if owed != book.paid(index, for: locked) { differs[index] = true }
            }
        }
        let unsettled = SettledMarks.wholeGroups(differs, entries, persons: book.persons)
        var changes = SettledMarks.Changes(cleared: book.strayMarks)
        for (index, entry) in entries.enumerated() {
            let last = book.marks.isEmpty ? nil : book.marks[index]
            if unsettled[index] {
                if last != nil { changes.cleared.append(entry.id.value) }
            } else if last != book.digests[index] {
                changes.set.append((entry.id.value, book.digests[index]))
            }
        }
        return changes
    }
}
