import HearthCore
import HearthStore

/// The county's own edits inside one transaction of the ledger's storage: a record read as the
/// hub holds it, the ops the county writes, and the decisions that explain them, all committed
/// together or not at all (``LedgerStorage/edit(author:nowMillis:_:)``).
///
/// Why a protocol of its own: the desk, the county's configuration and the imports decide on
/// what they read (the conflict still open, the standard already set, the row imported before,
/// through ``CountyReading``); reading and writing in one transaction means no other writer
/// changes the record in between, on any backend.
public protocol CountyEditing: CountyReading {
    /// The record's merged state as the hub holds it, the edits of this transaction included.
    func state(of id: RecordID) throws -> RecordState?
    /// The fields in conflict as `record/field`, as the county's records stood when this
    /// transaction began: a bulk resolution plans again from them before it writes.
    func conflictedFields() throws -> [String]
    /// Sets fields of an existing record (logged under its village); returns the op.
    @discardableResult
    func update(_ id: RecordID, fields: [String: FieldValue], cause: String?) throws -> Op
    /// Creates a record in `village`; returns its id.
    func create(_ type: RecordType, village: DivisionCode, fields: [String: FieldValue], cause: String?) throws
        -> RecordID
    /// The standard record already set for a program, band and first month, if any, as the
    /// county's records stood when this transaction began (one created in it is not found).
    func standard(program: String, band: String, from: Month) throws -> RecordID?
    /// The setting record of a name, if any, as the county's records stood when this
    /// transaction began.
    func setting(named name: String) throws -> RecordID?
    /// The record naming a township or village code, if any, as the county's records stood
    /// when this transaction began.
    func division(code: String) throws -> RecordID?
    /// Keeps a decision of the desk, written with this transaction's time and worker.
    func record(_ decision: DecisionDraft) throws

    /// Sets a household's population to the members the county's records listed for it when
    /// this transaction began, plus `change` (the members this transaction adds or takes away);
    /// left alone while the field is in conflict, which writing it would settle silently.
    func recountPopulation(_ household: RecordID, change: Int) throws
    /// Keeps an audit line (a file written with numbers in clear), in this transaction.
    func audit(_ event: AuditEvent) throws
    /// Runs `body` on this transaction's change set: a command every replica has (ending an
    /// enrollment, deciding a lead) written by the county, with the checks it makes anywhere.
    func change<T>(_ body: (inout ChangeSet) throws -> T) throws -> T

    // MARK: Imports

    /// Remembers that `key` made `record`, from `source` line `line`.
    func remember(_ key: String, record: RecordID, source: String, line: Int) throws
    /// Settles what this edit has written so far, inside its transaction, so that a large
    /// import holds one part of its work in memory rather than all of it: the part's ops are
    /// merged, written and judged by the county's rules, as one batch of a push would be.
    /// Nothing is committed; the edit still ends all or nothing. Afterwards the lookups that
    /// read the county "as it stood when this transaction began" see the settled part, and the
    /// ops the edit returns are those written since the last settle.
    func settle() throws
}

/// A member as an import matches it: where it lives and whether it is alive.
public struct MemberHolding: Sendable, Hashable {
    public let id: RecordID
    public let household: String?
    public let village: DivisionCode?
    public let vitalStatus: String?

    public init(id: RecordID, household: String?, village: DivisionCode?, vitalStatus: String?) {
        self.id = id
        self.household = household
        self.village = village
        self.vitalStatus = vitalStatus
    }
}

/// A decision as the desk makes it; the storage adds when and who (``Decision``).
public struct DecisionDraft: Sendable {
    /// "resolution", "acknowledgement" (or "rule" for the rules' own).
    public let kind: String
    public let record: String
    public let field: String?
    public let rule: String
    public let choice: String
    public let note: String
    /// The op that carried it out (its dot), or "" when it wrote none.
    public let op: String

    public init(kind: String, record: String, field: String?, rule: String, choice: String, note: String, op: String) {
        self.kind = kind
        self.record = record
        self.field = field
        self.rule = rule
        self.choice = choice
        self.note = note
        self.op = op
    }
}

/// One entry of the audit trail: who or which rule decided what, when, and why.
public struct Decision: Sendable {
    public let atMillis: Int64
    public let worker: String
    public let kind: String
    public let record: String
    public let field: String?
    public let rule: String
    public let ruleSet: Int
    public let choice: String
    public let note: String
    public let op: String

    public init(
        atMillis: Int64, worker: String, kind: String, record: String, field: String?, rule: String, ruleSet: Int,
        choice: String, note: String, op: String
    ) {
        self.atMillis = atMillis
        self.worker = worker
        self.kind = kind
        self.record = record
        self.field = field
        self.rule = rule
        self.ruleSet = ruleSet
        self.choice = choice
        self.note = note
        self.op = op
    }
}
