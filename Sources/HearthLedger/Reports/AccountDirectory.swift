import HearthCore
import HearthStore
import HearthText
import Synchronization

/// Households and members as the bank roll needs them (payee, account holder, card), read
/// through the storage's read (``CountyReading``): every household and person a roll names in
/// two set-wise reads (``prefetch(households:members:)``), any other one by itself, each once.
/// Sealed values are opened with the county key when a line needs them, each once.
struct AccountDirectory {
    /// Classes, not structs: a directory holds a county's worth, and a line copies a reference.
    /// Immutable, so a directory read in one transaction can be handed to another (``Known``).
    final class Person: Sendable {
        let id: RecordID
        let name: String
        let household: String?
        let alive: Bool
        let idNumber: SealedValue?
        let card: SealedValue?
        let accountName: String?

        init(_ entry: MemberEntry) {
            id = entry.id
            name = entry.name ?? ""
            household = entry.household
            alive = entry.vitalStatus != "deceased"
            idNumber = entry.idNumber
            card = entry.bankCard
            accountName = entry.accountName
        }
    }

    final class Household: Sendable {
        let head: String?
        let payee: String?
        let accountName: String?
        let card: SealedValue?

        init(_ entry: HouseholdEntry) {
            head = entry.head
            payee = entry.payee
            accountName = entry.accountName
            card = entry.bankCard
        }
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

    /// What a directory has read, by id as the roll gives it; nil when the hub holds no such
    /// record (or the id is not one). Read ahead in a transaction of its own while the roll is
    /// computed (``HubLedger/payrollWithBankRoll(for:nowMillis:)``), then handed to the bank
    /// roll's directory, which reads only what it lacks.
    struct Known: Sendable {
        fileprivate var people: [String: Person?] = [:]
        fileprivate var households: [String: Household?] = [:]
    }

    let lookup: any CountyReading
    private var opened: OpenedValues
    private var known: Known

    /// `opened`: values the roll already opened under the same key (``Payroll/opened``);
    /// `known`: households and people another directory read.
    init(
        keys: KeyMaterial, lookup: any CountyReading, opened: [OpenedValues.Key: String?] = [:],
        known: Known = Known()
    ) {
        self.lookup = lookup
        self.opened = OpenedValues(keys: keys, known: opened)
        self.known = known
    }

    /// What this directory has read, taken out of it (it keeps nothing): the caller then holds
    /// the only reference, to hand on or let go where it chooses (``BackgroundRelease``).
    mutating func takeRead() -> Known {
        defer { known = Known() }
        return known
    }

    /// A ``Known`` handed from the task that read it to the one that uses it, taken out whole:
    /// what an `async let` returns stays held by it until its scope ends, and a county's worth
    /// held there would be freed on the roll's path when the last user let go first.
    final class Handoff: Sendable {
        private let slot: Mutex<Known?>

        init(_ known: Known = Known()) { slot = Mutex(known) }

        /// The known households and people; empty after the first take.
        func take() -> Known { slot.withLock { $0.take() } ?? Known() }
    }

    private var people: [String: Person?] {
        get { known.people }
        _modify { yield &known.people }
    }

    private var households: [String: Household?] {
        get { known.households }
        _modify { yield &known.households }
    }

    /// Reads these households, then these members with every payee and head the households
    /// name: two queries in all.
    mutating func prefetch(households householdIDs: [String], members memberIDs: [String]) throws {
        // Room for all only in an empty directory: one started from a read-ahead holds most of
        // them already, and reserving the sum again would rehash a county's worth for nothing.
        if households.isEmpty { households.reserveCapacity(householdIDs.count) }
        if people.isEmpty { people.reserveCapacity(memberIDs.count + 2 * householdIDs.count) }
        for household in try lookup.households(Self.unknown(householdIDs, in: &households)) {
            households[household.id.value] = .some(Household(household))
        }
        var named = memberIDs
        for case let household? in households.values {
            if let payee = household.payee { named.append(payee) }
            if let head = household.head { named.append(head) }
        }
        for person in try lookup.members(Self.unknown(named, in: &people)) {
            people[person.id.value] = .some(Person(person))
        }
    }

    /// The ids not looked up yet, once each, marked as not held until their record is read. A
    /// text that is no record id is marked so for good; one in another spelling than the
    /// stored one (a lower-case letter) is left to be looked up by itself when asked for.
    private static func unknown<Value>(_ ids: [String], in known: inout [String: Value?]) -> [RecordID] {
        var wanted: [RecordID] = []
        for text in ids where known[text] == nil {
            guard let id = RecordID(text) else {
                known[text] = .some(nil)
                continue
            }
            guard id.value == text else { continue }
            known[text] = .some(nil)
            wanted.append(id)
        }
        return wanted
    }

    mutating func member(_ id: String) throws -> Person? {
        if let known = people[id] { return known }
        let person = try RecordID(id).flatMap { id in try lookup.member(id) }.map(Person.init)
        people[id] = .some(person)
        return person
    }

    mutating func household(_ id: String) throws -> Household? {
        if let known = households[id] { return known }
        let household = try RecordID(id).flatMap { id in try lookup.household(id) }.map(Household.init)
        households[id] = .some(household)
        return household
    }

    /// The person's ID number in clear; "" when none is on record or this key cannot open it.
    mutating func idNumber(of person: Person?) -> String {
        guard let person, case .clear(let text) = open(person.idNumber) else { return "" }
        return text
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
        // A household program pays the household's payee: the line's member is not asked for.
        let person = householdProgram ? nil : try self.member(member.value)
        if !householdProgram, let person {
            switch open(person.card) {
            case .clear(let card):
                return Account(payee: person, name: person.accountName ?? person.name, card: card, kind: .own)
            case .unreadable:
                return Account(
                    payee: person, name: person.accountName ?? person.name, card: nil, kind: .own,
                    problem: Catalogue.text("account.own_card_unreadable"))
            case .none:
                break
            }
        }
        let payee = try household.map { household in try self.payee(of: household, id: id) } ?? nil
        var account = Account(
            payee: householdProgram ? payee : person, name: household?.accountName ?? payee?.name, card: nil,
            kind: .household)
        guard let household else {
            account.problem = Catalogue.text("account.no_household", ["household": id])
            return account
        }
        switch open(household.card) {
        case .clear(let card): account.card = card
        case .none:
            account.problem =
                householdProgram
                ? Catalogue.text("account.no_household_card")
                : Catalogue.text("account.no_card")
            return account
        case .unreadable:
            account.problem = Catalogue.text("account.household_card_unreadable")
            return account
        }
        if account.name == nil {
            account.problem = Catalogue.text("account.no_holder")
        }
        return account
    }

    private mutating func open(_ sealed: SealedValue?) -> Sealed {
        guard let sealed else { return .none }
        guard let clear = opened.open(sealed) else { return .unreadable }
        return .clear(clear)
    }
}
