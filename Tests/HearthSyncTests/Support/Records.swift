import Foundation
import HearthCore
import HearthLedger
import HearthStore

/// Making records the way the commands do, on a replica or in a hub's transaction.
extension ReplicaWriting {
    @discardableResult
    func household(in village: String, address: String, author: String = "w1", nowMillis: Int64 = TestCounty.now) throws
        -> RecordID
    {
        var input = HouseholdInput()
        input.village = village
        input.address = address
        input.type = "rural"
        input.population = 2
        return try addHousehold(input, author: author, nowMillis: nowMillis)
    }

    func edit(_ household: RecordID, author: String = "w1", _ change: (inout HouseholdInput) -> Void) throws {
        var input = HouseholdInput()
        change(&input)
        try editHousehold(household.value, input, author: author, nowMillis: TestCounty.now)
    }

    @discardableResult
    func member(of household: RecordID, name: String, idNumber: String? = nil, relation: String = "head") throws
        -> RecordID
    {
        var input = MemberInput()
        input.household = household.value
        input.name = name
        input.idNumber = idNumber
        input.relation = relation
        return try addMember(input, author: "w1", nowMillis: TestCounty.now)
    }

    /// A household of one in `village` whose member is on rural dibao (560 yuan from
    /// 2026-01), applied for and approved by the county.
    func approvedDibao(in village: String, address: String, name: String, idNumber: String) throws -> (
        member: RecordID, enrollment: RecordID
    ) {
        let home = try household(in: village, address: address, author: "county")
        let member = try member(of: home, name: name, idNumber: idNumber)
        let enrollment = try enroll(
            EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
            author: "county", nowMillis: TestCounty.now)[0]
        try changeEnrollment(enrollment.value, .approve, note: nil, author: "county", nowMillis: TestCounty.now)
        return (member, enrollment)
    }
}

/// Reading back what a replica holds.
extension ReplicaReading {
    /// Every record this replica holds, in id order.
    func recordIDs() throws -> [RecordID] {
        try RecordType.allCases.flatMap { type in try list(type) }.sorted()
    }

    /// Every record this replica holds with its merged state.
    func states() throws -> [RecordID: RecordState] {
        var out: [RecordID: RecordState] = [:]
        for id in try recordIDs() { out[id] = try state(of: id) }
        return out
    }

    /// The number of ops in the log.
    func opCount() throws -> Int { try status().logSize }

    /// The dots in the log, in log order (repeats would be duplicates).
    func loggedDots() throws -> [Dot] { try log().map(\.op.dot) }

    /// This replica's own ops, in counter order.
    func ownOps() throws -> [Op] {
        try allOps().filter { $0.dot.replica == info.id }.sorted { $0.dot.counter < $1.dot.counter }
    }
}

extension RecordState {
    var village: String? { resolution(of: "village").value.textValue }
}

/// A valid 18-character resident ID number from the county, with its check digit.
func idNumber(born: String, sequence: String) -> String {
    let first17 = TestCounty.county + born + sequence
    return first17 + String(IDNumber.checkDigit(of: first17)!)
}
