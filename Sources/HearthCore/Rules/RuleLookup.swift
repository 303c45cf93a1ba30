/// What the hub needs to read, beyond the op itself, to judge a pushed op: the records as it
/// holds them at the moment the op would apply.
///
/// The hub implements it over the transaction that applies the batch, so an earlier op of the
/// same batch (a household created, then a member added to it) is seen, and nothing another
/// transaction commits in between can change the verdict.
public protocol AdmissionLookup {
    /// The record's merged state as the hub holds it now; nil when it holds no such record.
    mutating func state(of id: RecordID) throws -> RecordState?
    /// The village named by the op that created `id`, when the hub holds that op in
    /// quarantine (the record does not exist yet; ops on it wait for the desk's decision).
    mutating func quarantinedVillage(of id: RecordID) throws -> String?
    /// The county's standards, payment rules, ceilings and program rules as the hub holds
    /// them, to judge an enrollment's plausibility (R6) and a death's last month (R1).
    mutating func countyConfiguration() throws -> CountyConfiguration
}

/// What the cross-record rules read besides one record: the records that point at a person or
/// a household, and the holders of an ID number. Read-only and synchronous: the hub answers
/// it inside the transaction that applies the op, so a verdict never rests on state another
/// transaction may change.
///
/// "Points at" is the shown value of the reference field, compared as the text it is stored
/// as (the hub's tables join on it): an enrollment of `member` is one whose `member` field
/// shows exactly `member.value`. Every list holds records in any status (exited, deceased,
/// archived); which of them count is the rules' business, never the lookup's. The order of a
/// list is free: no verdict depends on it.
public protocol RuleLookup: AdmissionLookup {
    /// Enrollments whose `member` shows `member`.
    mutating func enrollments(ofMember member: RecordID) throws -> [RecordState]
    /// Enrollments whose `household` shows `household`.
    mutating func enrollments(ofHousehold household: RecordID) throws -> [RecordState]
    /// Members whose `household` shows `household`, living or not.
    mutating func members(ofHousehold household: RecordID) throws -> [RecordState]
    /// Members whose `id_number` shows a sealed value with this keyed hash (the `hmac` of
    /// ``SealedValue``), living or not, in any household.
    mutating func holders(ofIDHash hash: String) throws -> [RecordState]
}
