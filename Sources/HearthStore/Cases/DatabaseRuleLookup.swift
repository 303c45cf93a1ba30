import HearthCore

/// ``RuleLookup`` over the statements of one transaction (``SQLStatements``, either database): what the rule engine reads, answered
/// inside the transaction (or read) that asks, so a verdict never rests on state another
/// transaction may change. References are matched as the text their column holds, through
/// the tables' indexes (`members_by_household`, `members_by_id_hash`, `enrollments_by_member`,
/// `enrollments_by_household`): a look costs what it returns.
///
/// Why in the store: the hub's rules after a batch (``ReplicaRole/afterApply``) and every
/// replica's desk cases (``ReplicaCore/ruleCases(nowMillis:waitLimitMillis:)``) read the same way.
package struct DatabaseRuleLookup: RuleLookup {
    let sql: any SQLStatements
    private var states: [RecordID: RecordState?] = [:]
    private var configuration: CountyConfiguration?

    package init(_ sql: any SQLStatements) {
        self.sql = sql
    }

    package mutating func state(of id: RecordID) throws -> RecordState? {
        if let known = states[id] { return known }
        guard let state = try StoredState.load(sql, id) else {
            states[id] = .some(nil)
            return nil
        }
        states[id] = state
        return state
    }

    /// A replica's rules never ask: ops waiting at the desk are the hub's admission's business.
    package mutating func quarantinedVillage(of id: RecordID) throws -> String? { nil }

    package mutating func countyConfiguration() throws -> CountyConfiguration {
        if let configuration { return configuration }
        let read = try ReplicaCore.countyConfiguration(sql)
        configuration = read
        return read
    }

    /// The states of the records `sql` lists by id (its first column), in that order.
    package mutating func states(_ query: String, _ arguments: [SQLValue] = []) throws -> [RecordState] {
        try sql.texts(query, arguments).compactMap(RecordID.init).compactMap { try state(of: $0) }
    }

    package mutating func enrollments(ofMember member: RecordID) throws -> [RecordState] {
        try states("SELECT id FROM enrollments WHERE member = ?", [.text(member.value)])
    }

    package mutating func enrollments(ofHousehold household: RecordID) throws -> [RecordState] {
        try states("SELECT id FROM enrollments WHERE household = ?", [.text(household.value)])
    }

    package mutating func members(ofHousehold household: RecordID) throws -> [RecordState] {
        try states("SELECT id FROM members WHERE household = ?", [.text(household.value)])
    }

    package mutating func holders(ofIDHash hash: String) throws -> [RecordState] {
        try states("SELECT id FROM members WHERE id_number_hash = ?", [.text(hash)])
    }
}
