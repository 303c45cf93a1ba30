import Foundation
import HearthCore

/// `hearth hub generate`: a hub and one node per township holding a synthetic county whose
/// size and program mix follow a ``CountyProfile``, reproducible from a seed.
///
/// People get valid ID numbers consistent with their age and sex; enrollments are approved
/// at the listed standards; on top of the profile's paid persons, about 1% of enrolled people
/// have died this year (their enrollments ended by the death) and 2% have exited.
public struct CountyGenerator: Sendable {
    public let profile: CountyProfile
    public let seed: UInt64
    public let directory: String
    /// The month the profile's figures describe.
    public let month: Month
    public let nowMillis: Int64

    public init(profile: CountyProfile, seed: UInt64, directory: String, month: Month, nowMillis: Int64) {
        self.profile = profile
        self.seed = seed
        self.directory = directory
        self.month = month
        self.nowMillis = nowMillis
    }

    struct Person {
        let id: RecordID
        let household: RecordID
        let age: Int
        var enrolled = false
    }

    public func run(say: (String) -> Void) throws -> (hub: Replica, nodes: [Replica]) {
        var random = SplitMix64(seed: seed)
        let county = "421281"
        let hub = try Replica.create(
            path: directory + "/hub.db", name: "\(profile.name) hub", scope: try ScopePrefix.parse(county, field: "scope"),
            role: .hub, nowMillis: nowMillis)
        for standard in CountyProfile.standards {
            try hub.setStandard(
                program: standard.program.rawValue, band: standard.band, from: "2024-01", amount: String(standard.yuan),
                note: "generated", author: "generator", nowMillis: nowMillis)
        }
        let standardOps = try hub.allOps()
        var nodes: [Replica] = []
        var usedNumbers: Set<String> = []
        let today = DomainCalendar.date(atMillis: nowMillis)
        for township in 0..<profile.townships {
            let code = "\(county)\(101 + township)"
            let share = Double(1) / Double(profile.townships)
            let villages = profile.villages / profile.townships + (township < profile.villages % profile.townships ? 1 : 0)
            let households = Int((Double(profile.households) * share).rounded())
            let people = Int((Double(profile.people) * share).rounded())
            let quotas = profile.programs.mapValues { Int((Double($0) * share).rounded()) }
            let secret = try hub.createEnrollment(name: "township-\(code)", scope: try ScopePrefix.parse(code, field: "scope"), nowMillis: nowMillis)
            let node = try Replica.create(
                path: directory + "/\(code).db", name: "township-\(code)", scope: try ScopePrefix.parse(code, field: "scope"),
                role: .node, nowMillis: nowMillis, keys: hub.keys.withNewSigningKey())
            try node.integrate(standardOps, nowMillis: nowMillis)
            _ = try node.write(author: "generator", nowMillis: nowMillis) { changes in
                var persons: [Person] = []
                var homes: [(RecordID, String, Bool)] = []
                let meanSize = Double(people) / Double(max(1, households))
                for number in 0..<households {
                    let village = "\(code)\(String(format: "%03d", 1 + number % max(1, villages)))"
                    let villageCode = try DivisionCode.parse(village, field: "village")
                    let urban = random.next() % 100 < 25
                    let home = try changes.create(
                        .household, village: villageCode,
                        fields: [
                            "address": .text("\(number % 40 + 1)组\(number / 40 + 1)号"), "type": .text(urban ? "urban" : "rural"),
                            "status": .text("active"),
                        ])
                    homes.append((home, village, urban))
                    let size = max(1, min(7, Int((meanSize + Double(Int(random.next() % 300)) / 100 - 1.5).rounded())))
                    var head: RecordID?
                    for position in 0..<size {
                        let age = position == 0 ? 25 + Int(random.next() % 71) : Int(random.next() % 95)
                        let born = today.year - age
                        var body = ""
                        repeat {
                            body = "\(county)\(born)\(String(format: "%02d%02d", 1 + Int(random.next() % 12), 1 + Int(random.next() % 28)))\(String(format: "%03d", Int(random.next() % 1000)))"
                        } while !usedNumbers.insert(body).inserted
                        var fields: [String: FieldValue] = [
                            "household": .text(home.value), "name": .text("居民\(number)-\(position)"),
                            "relation": .text(position == 0 ? "head" : position == 1 ? "spouse" : "child"),
                            "vital_status": .text("alive"),
                        ]
                        if random.next() % 200 != 0, let id = try? IDNumber(parsing: body + String(IDNumber.checkDigit(of: body)!), today: today) {
                            fields["id_number"] = .sealed(node.keys.seal(id.value))
                            fields["sex"] = .text(id.sex.rawValue)
                            fields["birth_date"] = .text(id.birthDate.description)
                        }
                        let member = try changes.create(.member, village: villageCode, fields: fields)
                        if fields["id_number"] != nil { persons.append(Person(id: member, household: home, age: age)) }
                        if position == 0 { head = member }
                    }
                    if let head { try changes.update(home, fields: ["head": .text(head.value), "population": .integer(Int64(size))]) }
                }
                var byHousehold: [RecordID: [Int]] = [:]
                for (index, person) in persons.enumerated() { byHousehold[person.household, default: []].append(index) }
                func enroll(_ index: Int, _ program: Program, grade: Int? = nil, village: String, fate: Int) throws {
                    let person = persons[index]
                    let start = Month(year: 2024 + Int(random.next() % 2), month: 1 + Int(random.next() % 12))!
                    var fields: [String: FieldValue] = [
                        "member": .text(person.id.value), "household": .text(person.household.value), "program": .text(program.rawValue),
                        "status": .text("approved"), "decision": .text("approved"), "approver": .text("generator"),
                        "amount": .text(AmountSchedule(from: start, amount: Money(fen: CountyProfile.standard(program, grade: grade, age: person.age) * 100)).description),
                        "start_month": .text(start.description),
                    ]
                    // fate 1: died this year; fate 2: exited; both extra to the profile's paid persons.
                    if fate == 1 {
                        let death = CivilDate(year: today.year, month: 1 + Int(random.next() % UInt64(max(1, today.monthNumber - 1))), day: 1 + Int(random.next() % 28))!
                        try changes.update(person.id, fields: ["vital_status": .text("deceased"), "death_date": .text(death.description)])
                        fields["status"] = .text("exited")
                        fields["end_month"] = .text(max(death.month, start).description)
                        fields["exit_reason"] = .text("death")
                    } else if fate == 2 {
                        fields["status"] = .text("exited")
                        fields["end_month"] = .text(max(start, month.adding(months: -2)).description)
                        fields["exit_reason"] = .text("收入超标")
                    }
                    try changes.create(.enrollment, village: try DivisionCode.parse(village, field: "village"), fields: fields)
                    persons[index].enrolled = true
                }
                let villageOf = Dictionary(uniqueKeysWithValues: homes.map { ($0.0, $0.1) })
                // Each program: exactly its quota of paid persons, then 3% more who died (1%) or exited (2%).
                func fates(_ quota: Int) -> [Int] {
                    let extra = Int((Double(quota) * 0.03).rounded())
                    return [(0, quota), (1, extra / 3), (2, extra - extra / 3)].flatMap { Array(repeating: $0.0, count: $0.1) }
                }
                // Household programs: whole households that fit what the quota still needs.
                for (program, urban) in [(Program.dibaoUrban, true), (.dibaoRural, false)] {
                    for fate in [0, 1, 2] {
                        var remaining = fates(quotas[program] ?? 0).filter { $0 == fate }.count
                        for home in homes where home.2 == urban && remaining > 0 {
                            guard let members = byHousehold[home.0], members.count <= remaining,
                                !members.contains(where: { persons[$0].enrolled })
                            else { continue }
                            for index in members { try enroll(index, program, village: home.1, fate: fate) }
                            remaining -= members.count
                        }
                    }
                }
                func pick(_ program: Program, where eligible: (Person) -> Bool, grade: Int? = nil) throws {
                    var plan = fates(quotas[program] ?? 0)[...]
                    for index in persons.indices where !plan.isEmpty && eligible(persons[index]) {
                        if let grade { try changes.update(persons[index].id, fields: ["disability_grade": .integer(Int64(grade))]) }
                        try enroll(index, program, grade: grade, village: villageOf[persons[index].household] ?? "", fate: plan.removeFirst())
                    }
                }
                try pick(.tekunDispersed) { !$0.enrolled && $0.age >= 18 && $0.age < 80 }
                try pick(.tekunCentralized) { !$0.enrolled && $0.age >= 18 && $0.age < 80 }
                try pick(.orphan) { !$0.enrolled && $0.age < 18 }
                try pick(.unsupportedChild) { !$0.enrolled && $0.age < 18 }
                try pick(.elderly) { $0.age >= 85 && !$0.enrolled }  // 80 by any start month the generator uses
                try pick(.disabilityCare, where: { $0.age >= 18 && $0.age < 82 && !$0.enrolled }, grade: 1)
                try pick(.disabilityLiving, where: { $0.age >= 18 && $0.age < 82 && !$0.enrolled }, grade: 3)
            }
            try hub.integrate(try node.allOps(), nowMillis: nowMillis)
            _ = try hub.register(secret: secret, replica: node.info.id, publicKey: node.info.publicKey, nowMillis: nowMillis)
            try node.setHub(replica: hub.info.id, key: hub.info.publicKey, url: nil, pendingRegistration: nil)
            try node.recordAck(try node.syncState().ownCounter, notes: nil, nowMillis: nowMillis)
            nodes.append(node)
            say("  township \(code): \(households) households, \(people) people")
        }
        return (hub, nodes)
    }
}
