import Foundation
import HearthCore

/// The scripted offline day behind `hearth demo`: a township office and a village worker,
/// each on their own replica with no network, register and change the same households,
/// then exchange their logs (as a USB stick would) and converge.
public struct DemoScenario: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// What the demo showed, for its narration and for the test that runs it.
    public struct Outcome: Sendable {
        public let township: Replica
        public let village: Replica
        public let household: RecordID
        public let head: RecordID
        public let enrollment: RecordID
        public let deceased: RecordID
        public let endedByDeath: [RecordID]
        public let conflicts: [String]
        public let digestsEqual: Bool
    }

    public func run(say: (String) -> Void) throws -> Outcome {
        var clock: Int64 = 1_795_600_000_000  // 2026-11-25, fixed so the demo reads the same every run
        func tick() -> Int64 {
            clock += 60_000
            return clock
        }
        say("1. Two replicas, no network: the township office (421281101) and the village of Xinzhuang (421281101001).")
        let township = try Replica.create(
            path: directory + "/township.db", name: "Shahe township", scope: try ScopePrefix.parse("421281101", field: "scope"),
            role: .node, nowMillis: tick())
        let village = try Replica.create(
            path: directory + "/village.db", name: "Xinzhuang village",
            scope: try ScopePrefix.parse("421281101001", field: "scope"), role: .node, nowMillis: tick(),
            keys: township.keys.withNewSigningKey())
        say("   township replica \(township.info.id), village replica \(village.info.id); keys beside each database (*.key, 0600).")

        say("2. The village worker registers a household and its members, offline.")
        var household = HouseholdInput()
        household.village = "421281101001"
        household.address = "新庄村三组12号"
        household.type = "rural"
        household.phone = "13800001111"
        let home = try village.addHousehold(household, author: "cun-li", nowMillis: tick())
        var head = MemberInput()
        head.household = home.value
        head.name = "王秀英"
        head.idNumber = "421281 19800101 0011"
        head.relation = "head"
        let headID = try village.addMember(head, author: "cun-li", nowMillis: tick())
        var father = MemberInput()
        father.household = home.value
        father.name = "王德顺"
        father.idNumber = "11010519491231002x"
        father.relation = "parent"
        let fatherID = try village.addMember(father, author: "cun-li", nowMillis: tick())
        var baby = MemberInput()
        baby.household = home.value
        baby.name = "王小宝"
        baby.relation = "child"
        let babyID = try village.addMember(baby, author: "cun-li", nowMillis: tick())
        say("   household \(home); head \(headID) (ID shown masked: \(try village.view(headID, reveal: false).value("id_number") ?? ""))")
        say("   member \(fatherID); newborn \(babyID) has no ID number yet: pending, never payable.")

        say("3. A bad ID number is refused with the field and the reason, and nothing changes:")
        var wrong = MemberInput()
        wrong.household = home.value
        wrong.name = "错号"
        wrong.idNumber = "421281198001010012"
        wrong.relation = "other"
        do {
            _ = try village.addMember(wrong, author: "cun-li", nowMillis: tick())
        } catch {
            say("   refused: \(error)")
        }

        say("4. Rural dibao for the household (560 yuan per person per month from 2026-01), applied in the village.")
        let enrollments = try village.enroll(
            EnrollInput(household: home.value, program: "dibao_rural", amount: "560", start: "2026-01"), author: "cun-li",
            nowMillis: tick())
        say("   \(enrollments.count) enrollments: \(enrollments.map(\.value).joined(separator: ", "))")

        say("5. The township copies the village's log (USB stick) and approves; both sides keep working offline.")
        try township.integrate(try village.allOps(), nowMillis: tick())
        for enrollment in enrollments {
            try township.changeEnrollment(enrollment.value, .approve, note: nil, author: "zhen-zhao", nowMillis: tick())
        }
        let fatherEnrollment = try township.list(.enrollment, where: "member", equals: fatherID.value).first!
        say("   concurrently: the township raises the head's amount to 600 yuan from 2026-07 and corrects the phone;")
        try township.changeAmount(
            enrollments[0].value, amount: "600", from: "2026-07", reason: "提标", author: "zhen-zhao", nowMillis: tick())
        var townshipPhone = HouseholdInput()
        townshipPhone.phone = "13800002222"
        try township.editHousehold(home.value, townshipPhone, author: "zhen-zhao", nowMillis: tick())
        say("   the village, not yet seeing that, sets the head's amount to 580 yuan from 2026-07, a new address and phone,")
        try village.changeAmount(
            enrollments[0].value, amount: "580", from: "2026-07", reason: "收入核减", author: "cun-li", nowMillis: tick())
        var villageEdit = HouseholdInput()
        villageEdit.address = "新庄村三组12号（新房）"
        villageEdit.phone = "13900003333"
        try village.editHousehold(home.value, villageEdit, author: "cun-li", nowMillis: tick())
        say("   and records the father's death on 2026-11-20 (his enrollment ends in the same transaction).")
        let ended = try village.recordDeath(member: fatherID.value, date: "2026-11-20", author: "cun-li", nowMillis: tick())

        say("6. They exchange logs both ways, in any order, twice: nothing is applied twice.")
        let fromVillage = try village.allOps()
        let fromTownship = try township.allOps()
        try township.integrate(fromVillage.reversed(), nowMillis: tick())
        try village.integrate(fromTownship, nowMillis: tick())
        try township.integrate(fromVillage, nowMillis: tick())
        let digestsEqual = try township.stateDigest() == village.stateDigest()
        say("   state digests equal on both replicas: \(digestsEqual)")

        let view = try village.view(home, reveal: false)
        say("7. What the merge decided:")
        say("   household phone (lww, newest wins): \(view.value("phone") ?? ""); address: \(view.value("address") ?? "")")
        let amount = try village.view(enrollments[0], reveal: false)
        let amountField = amount.fields.first { $0.name == "amount" }!
        say("   head's amount (human): in conflict = \(amountField.inConflict); competing: "
            + amountField.candidates.map(\.display).joined(separator: " | "))
        let fatherView = try village.view(fatherEnrollment, reveal: false)
        say("   father's enrollment: status \(fatherView.value("status") ?? "") (priority: exited beats approved), "
            + "decision \(fatherView.value("decision") ?? "")")
        let status = try village.status()
        say("   village status: \(status.logSize) ops in the log, \(status.conflicted) record(s) in conflict for the county desk.")
        return Outcome(
            township: township, village: village, household: home, head: headID, enrollment: enrollments[0],
            deceased: fatherID, endedByDeath: ended, conflicts: amount.conflicts, digestsEqual: digestsEqual)
    }
}
