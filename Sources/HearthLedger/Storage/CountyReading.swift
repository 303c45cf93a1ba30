import HearthCore
import HearthStore

/// The county's records as the ledger's reports and imports look them up, inside one
/// transaction of the ledger's storage: a household's payee and card, a member's household and
/// vital status, what an earlier import made, the county's configuration.
///
/// Why a protocol: the bank roll and the roster import decide (whose card a line pays, which
/// row is bad) in HearthLedger, on every backend alike; a backend only fetches what they ask
/// for. Every lookup of one unit of work sees the same state: a report reads through
/// ``LedgerStorage/reading(_:)``, an import plans and writes in one
/// ``LedgerStorage/edit(author:nowMillis:_:)`` (``CountyEditing`` refines this protocol), so
/// its plan cannot go stale before it is written.
///
/// Records are read as the county's records stood when the transaction began: a record an edit
/// creates or changes in it is seen through ``CountyEditing/state(of:)`` only. Import keys
/// remembered in the transaction are seen at once.
public protocol CountyReading: AnyObject {
    /// A household; nil when the hub holds none with this id.
    func household(_ id: RecordID) throws -> HouseholdEntry?
    /// A member; nil when the hub holds none with this id.
    func member(_ id: RecordID) throws -> MemberEntry?
    /// The households of these ids that the hub holds, in one query however many ids are
    /// given (the bank roll reads every line's household at once, not one query per line);
    /// each once, in no particular order, and none for an id the hub holds no household of.
    func households(_ ids: [RecordID]) throws -> [HouseholdEntry]
    /// The members of these ids that the hub holds, in one query, as ``households(_:)``.
    func members(_ ids: [RecordID]) throws -> [MemberEntry]
    /// Whose accounts a roll may pay: the household of every enrollment, and the member of
    /// every enrollment in a person's own program (each once, in no particular order). Read
    /// while the roll is computed, so the bank roll finds its payees already read.
    func rollAccountHolders() throws -> (households: [String], members: [String])
    /// The members whose ID number has this keyed hash, living or not, by id.
    func members(withIDHash hash: String) throws -> [MemberHolding]
    /// The approved enrollments of a member, by id.
    func approvedEnrollments(of member: RecordID) throws -> [RecordID]
    /// An enrollment of the member in the program that has not exited, if any.
    func liveEnrollment(of member: RecordID, in program: Program) throws -> RecordID?
    /// Whether an import already made a record for this key (a list's row seen before).
    func imported(_ key: String) throws -> Bool
    /// The record an import made for this key, if any.
    func importedRecord(_ key: String) throws -> RecordID?
    /// Every record made under an import key that begins with `prefix` (one kind of list's).
    func importedRecords(keyPrefix prefix: String) throws -> Set<RecordID>
    /// The county's standards, rules and ceilings, as `hearth enroll` judges an enrollment (R6).
    func countyConfiguration() throws -> CountyConfiguration
}

/// A household as the ledger's reports and imports read it.
public struct HouseholdEntry: Sendable, Hashable {
    public let id: RecordID
    /// "active" or "archived".
    public let status: String?
    /// The household's type ("rural", "urban").
    public let type: String?
    /// The head (户主) and the named payee (领款人): member ids as the record holds them.
    public let head: String?
    public let payee: String?
    /// 户名: the name the bank holds for the household's card.
    public let accountName: String?
    /// The household's card (一卡通), sealed; nil when none is on record.
    public let bankCard: SealedValue?

    public init(
        id: RecordID, status: String?, type: String?, head: String?, payee: String?, accountName: String?,
        bankCard: SealedValue?
    ) {
        self.id = id
        self.status = status
        self.type = type
        self.head = head
        self.payee = payee
        self.accountName = accountName
        self.bankCard = bankCard
    }
}

/// A member as the ledger's reports and imports read it.
public struct MemberEntry: Sendable, Hashable {
    public let id: RecordID
    public let name: String?
    /// The household's id as the record holds it.
    public let household: String?
    /// "alive" or "deceased".
    public let vitalStatus: String?
    /// Nil when none is on record (or it is not a date).
    public let deathDate: CivilDate?
    public let birthDate: CivilDate?
    public let disabilityGrade: Int?
    /// The ID number and the person's own card, sealed; nil when none is on record.
    public let idNumber: SealedValue?
    public let bankCard: SealedValue?
    /// 户名 of the person's own card.
    public let accountName: String?

    public init(
        id: RecordID, name: String?, household: String?, vitalStatus: String?, deathDate: CivilDate?,
        birthDate: CivilDate?, disabilityGrade: Int?, idNumber: SealedValue?, bankCard: SealedValue?,
        accountName: String?
    ) {
        self.id = id
        self.name = name
        self.household = household
        self.vitalStatus = vitalStatus
        self.deathDate = deathDate
        self.birthDate = birthDate
        self.disabilityGrade = disabilityGrade
        self.idNumber = idNumber
        self.bankCard = bankCard
        self.accountName = accountName
    }
}
