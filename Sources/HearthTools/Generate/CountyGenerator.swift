import Foundation
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import HearthStore
import HearthText

/// `hearth hub generate`: a hub and one node per township holding a synthetic county whose
/// size and program mix follow a ``CountyProfile``, reproducible from a seed.
///
/// People get valid ID numbers consistent with their age and sex; enrollments are approved.
/// Each program's paid persons (and each dibao program's households) are split over the
/// townships by the largest-remainder method, so the county's totals are the profile's figures
/// exactly. Dibao households are small (1.93 persons on average, the large district's figure),
/// carry a verified income per person, and are paid the standard less that income (补差),
/// recorded as `std-<income>` so a raise of the standard carries them with it; every other
/// program pays its standard (`std`). On top of the paid persons, about 1% of enrolled people
/// have died this year (their enrollments ended by the death) and 2% have exited.
public struct CountyGenerator: Sendable {
    public let profile: CountyProfile
    public let seed: UInt64
    public let directory: String
    /// The month the profile's figures describe.
    public let month: Month
    public let nowMillis: Int64
    /// The hub's name, which titles the county's reports and printed rolls (default `<profile> hub`).
    public let name: String

    public init(
        profile: CountyProfile, seed: UInt64, directory: String, month: Month, nowMillis: Int64, name: String? = nil
    ) {
        self.name = name ?? "\(profile.name) hub"
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

    /// A household to create: its size, type, and the dibao program and fate it is enrolled
    /// with (fate 0: paid; 1: died this year; 2: exited), if any.
    struct Home {
        let size: Int
        let urban: Bool
        let dibao: (program: Program, fate: Int)?
    }

    /// The amount schedule text of an enrollment starting in `start`: `std` pays the standard
    /// in force for the member's band each month; with an income, `std-<fen>` pays the standard
    /// less the household's income per person (补差). Either way a raise of the standard moves
    /// the payment with it, which a fixed amount would not.
    public static func scheduleText(from start: Month, lessIncome income: Money?) -> String {
        guard let income, income.fen > 0 else { return "\(start):std" }
        return "\(start):std-\(income.fen)"
    }

    /// Dibao household sizes: `households` sizes adding up to `persons` exactly, most of one or
    /// two people (a geometric draw with the right mean, then single persons moved until the
    /// sum is exact).
    static func dibaoSizes(persons: Int, households: Int, random: inout SplitMix64) -> [Int] {
        guard persons > 0, households > 0 else { return [] }
        let count = min(households, persons)
        let stay = Double(count) / Double(persons)  // mean size 1 / stay = persons / count
        var sizes = (0..<count).map { _ in
            var size = 1
            while size < 7, Double(random.next() % 1_000_000) / 1_000_000 >= stay { size += 1 }
            return size
        }
        var total = sizes.reduce(0, +)
        while total != persons {
            let index = Int(random.next() % UInt64(count))
            if total < persons {
                sizes[index] += 1
                total += 1
            } else if sizes[index] > 1 {
                sizes[index] -= 1
                total -= 1
            }
        }
        return sizes
    }

    /// A dibao household's verified income per person, in whole yuan, for the quantile `unit`
    /// (0..<1): what it is paid (the standard less the income) runs from the floor to the full
    /// standard with the mean ``CountyProfile/dibaoMeanPaid`` (paid = floor + span × unitᵏ, whose
    /// mean is floor + span / (k + 1)).
    static func dibaoIncome(_ program: Program, unit: Double) -> Int64 {
        let standard = CountyProfile.standard(program)
        let floor = standard * CountyProfile.dibaoFloorPercent / 100
        let mean = CountyProfile.dibaoMeanPaid[program] ?? standard
        guard mean > floor, mean < standard else { return standard - max(floor, min(mean, standard)) }
        let span = Double(standard - floor)
        let power = span / Double(mean - floor) - 1
        let paid = Int64((Double(floor) + span * pow(unit, power)).rounded())
        return standard - min(standard, max(floor, paid))
    }

    public func run(say: (String) -> Void) async throws -> (hub: HubLedger, nodes: [Replica]) {
        var random = SplitMix64(seed: seed)
        let county = "421281"
        let hub = try HubLedger.create(
            path: directory + "/hub.db", name: name,
            scope: try ScopePrefix.parse(county, field: "scope"), nowMillis: nowMillis)
        for standard in CountyProfile.standards {
            _ = try await hub.setStandard(
                program: standard.program.rawValue, band: standard.band, from: "2024-01", amount: String(standard.yuan),
                note: "generated", author: "generator", nowMillis: nowMillis)
        }
        let standardOps = try hub.replica.allOps()
        // Every figure split over the townships so the shares add up to it exactly; each
        // figure's remainder starts where the last one's ended. Program persons and households
        // share a start, so a township's extra household comes with its extra persons.
        var rotation = 0
        func shares(_ total: Int, from start: Int? = nil) -> [Int] {
            let split = CountyProfile.apportion(total, over: profile.townships, from: start ?? rotation)
            if start == nil { rotation += total % max(1, profile.townships) }
            return split
        }
        let householdShares = shares(profile.households)
        let peopleShares = shares(profile.people)
        var programShares: [Program: [Int]] = [:]
        var homeShares: [Program: [Int]] = [:]
        for program in Program.allCases {
            guard let persons = profile.programs[program] else { continue }
            let start = rotation
            programShares[program] = shares(persons)
            if let homes = profile.programHouseholds[program] { homeShares[program] = shares(homes, from: start) }
        }
        // The next quantile of the incomes of each dibao program's households of each size: a
        // golden-ratio sequence from a random start, running on from township to township, spreads
        // the paid households' incomes evenly, and one sequence per size keeps large households
        // from tilting the mean per person, so it is close to the target even in a small county.
        struct Stratum: Hashable { let program: Program; let size: Int }
        var quantile: [Stratum: Double] = [:]
        var nodes: [Replica] = []
        var registered: [(NodeRecord, head: Op?)] = []
        var usedNumbers: Set<String> = []
        let today = DomainCalendar.date(atMillis: nowMillis)
        for township in 0..<profile.townships {
            let code = "\(county)\(101 + township)"
            let villages =
                profile.villages / profile.townships + (township < profile.villages % profile.townships ? 1 : 0)
            let households = householdShares[township]
            let people = peopleShares[township]
            let quotas = programShares.mapValues { $0[township] }
            let secret = try await hub.createEnrollment(
                name: "township-\(code)", scope: try ScopePrefix.parse(code, field: "scope"), nowMillis: nowMillis)
            let node = try Replica.create(
                path: directory + "/\(code).db", name: "township-\(code)",
                scope: try ScopePrefix.parse(code, field: "scope"), nowMillis: nowMillis,
                keys: hub.keys.withNewSigningKey())
            try node.integrate(standardOps, nowMillis: nowMillis)
            // Each program: exactly its quota of paid persons, then 3% more who died (1%) or exited (2%).
            func fates(_ quota: Int) -> [Int] {
                let extra = Int((Double(quota) * 0.03).rounded())
                return [(0, quota), (1, extra / 3), (2, extra - extra / 3)].flatMap {
                    Array(repeating: $0.0, count: $0.1)
                }
            }
            // The households: dibao ones first (paid, died: single persons, exited), then the rest
            // at the size that brings the township to its people; shuffled, so every village has some.
            var plan: [Home] = []
            for program in CountyProfile.householdPrograms {
                let quota = quotas[program] ?? 0
                let extra = fates(quota)
                let died = extra.filter { $0 == 1 }.count
                let exited = extra.filter { $0 == 2 }.count
                let paidHomes = homeShares[program]?[township] ?? quota
                let exitedHomes =
                    exited == 0 ? 0 : max(1, Int((Double(exited) / CountyProfile.dibaoPersonsPerHousehold).rounded()))
                for (fate, persons, homes) in [
                    (0, quota, max(1, paidHomes)), (1, died, died), (2, exited, exitedHomes),
                ] {
                    plan += Self.dibaoSizes(persons: persons, households: homes, random: &random).map {
                        Home(size: $0, urban: program == .dibaoUrban, dibao: (program, fate))
                    }
                }
            }
            let others = max(0, households - plan.count)
            var unplaced = people - plan.reduce(0) { $0 + $1.size }
            for number in 0..<others {
                let mean = Double(unplaced) / Double(others - number)
                let size = max(1, min(7, Int((mean + Double(Int(random.next() % 300)) / 100 - 1.5).rounded())))
                unplaced -= size
                plan.append(Home(size: size, urban: random.next() % 100 < 25, dibao: nil))
            }
            for index in plan.indices.reversed() where index > 0 {
                plan.swapAt(index, Int(random.next() % UInt64(index + 1)))
            }
            _ = try node.write(author: "generator", nowMillis: nowMillis) { changes in
                var persons: [Person] = []
                var villageOf: [RecordID: String] = [:]
                func enroll(
                    _ index: Int, _ program: Program, grade: Int? = nil, village: String, fate: Int,
                    start: Month? = nil,
                    income: Money? = nil
                ) throws {
                    let person = persons[index]
                    let start = start ?? Month(year: 2024 + Int(random.next() % 2), month: 1 + Int(random.next() % 12))!
                    let amount = Self.scheduleText(from: start, lessIncome: income)
                    var fields: [String: FieldValue] = [
                        "member": .text(person.id.value), "household": .text(person.household.value),
                        "program": .text(program.rawValue),
                        "status": .text("approved"), "decision": .text("approved"), "approver": .text("generator"),
                        "amount": .text(amount), "start_month": .text(start.description),
                    ]
                    // fate 1: died this year; fate 2: exited; both extra to the profile's paid persons.
                    if fate == 1 {
                        let death = CivilDate(
                            year: today.year, month: 1 + Int(random.next() % UInt64(max(1, today.monthNumber - 1))),
                            day: 1 + Int(random.next() % 28))!
                        try changes.update(
                            person.id,
                            fields: ["vital_status": .text("deceased"), "death_date": .text(death.description)])
                        fields["status"] = .text("exited")
                        fields["end_month"] = .text(max(death.month, start).description)
                        fields["exit_reason"] = .text("death")
                    } else if fate == 2 {
                        fields["status"] = .text("exited")
                        fields["end_month"] = .text(max(start, month.adding(months: -2)).description)
                        fields["exit_reason"] = .text("收入超标")
                    }
                    try changes.create(
                        .enrollment, village: try DivisionCode.parse(village, field: "village"), fields: fields)
                    persons[index].enrolled = true
                }
                for (number, plannedHome) in plan.enumerated() {
                    let village = "\(code)\(String(format: "%03d", 1 + number % max(1, villages)))"
                    let villageCode = try DivisionCode.parse(village, field: "village")
                    let home = try changes.create(
                        .household, village: villageCode,
                        fields: [
                            "address": .text("\(number % 40 + 1)组\(number / 40 + 1)号"),
                            "type": .text(plannedHome.urban ? "urban" : "rural"), "status": .text("active"),
                            // 一卡通: most households have a card on record; the rest are listed apart by the roll.
                            "bank_card": random.next() % 100 < 97
                                ? .sealed(
                                    node.keys.seal(
                                        "6217" + String(format: "%015llu", random.next() % 1_000_000_000_000_000)))
                                : .null,
                        ])
                    villageOf[home] = village
                    var head: RecordID?
                    var identified: [Int] = []
                    for position in 0..<plannedHome.size {
                        let age = position == 0 ? 25 + Int(random.next() % 71) : Int(random.next() % 95)
                        let born = today.year - age
                        // A dibao household is one the township has verified: every member identified
                        // (a number is drawn again until it is valid: a baby's may be dated after today).
                        var id: IDNumber?
                        while true {
                            let monthDay = String(
                                format: "%02d%02d", 1 + Int(random.next() % 12), 1 + Int(random.next() % 28))
                            let body = "\(county)\(born)\(monthDay)\(String(format: "%03d", Int(random.next() % 1000)))"
                            guard usedNumbers.insert(body).inserted else { continue }
                            id = try? IDNumber(parsing: body + String(IDNumber.checkDigit(of: body)!), today: today)
                            if id != nil || plannedHome.dibao == nil { break }
                        }
                        var fields: [String: FieldValue] = [
                            "household": .text(home.value), "name": .text("居民\(number)-\(position)"),
                            "relation": .text(position == 0 ? "head" : position == 1 ? "spouse" : "child"),
                            "vital_status": .text("alive"),
                        ]
                        if let id, plannedHome.dibao != nil || random.next() % 200 != 0 {
                            fields["id_number"] = .sealed(node.keys.seal(id.value))
                            fields["sex"] = .text(id.sex.rawValue)
                            fields["birth_date"] = .text(id.birthDate.description)
                        }
                        let member = try changes.create(.member, village: villageCode, fields: fields)
                        if fields["id_number"] != nil {
                            identified.append(persons.count)
                            persons.append(Person(id: member, household: home, age: age))
                        }
                        if position == 0 { head = member }
                    }
                    var facts: [String: FieldValue] = ["population": .integer(Int64(plannedHome.size))]
                    if let head { facts["head"] = .text(head.value) }
                    guard let (program, fate) = plannedHome.dibao else {
                        try changes.update(home, fields: facts)
                        continue
                    }
                    let unit: Double
                    if fate == 0 {
                        let stratum = Stratum(program: program, size: plannedHome.size)
                        let next = quantile[stratum] ?? Double(random.next() % 1_000_000) / 1_000_000
                        unit = next
                        quantile[stratum] = (next + 0.618_033_988_749_895).truncatingRemainder(dividingBy: 1)
                    } else {
                        unit = Double(random.next() % 1_000_000) / 1_000_000
                    }
                    let income = Money(fen: Self.dibaoIncome(program, unit: unit) * 100)
                    facts["income"] = .integer(income.fen)
                    try changes.update(home, fields: facts)
                    let start = Month(year: 2024 + Int(random.next() % 2), month: 1 + Int(random.next() % 12))!
                    for index in identified {
                        try enroll(index, program, village: village, fate: fate, start: start, income: income)
                    }
                }
                func pick(_ program: Program, where eligible: (Person) -> Bool, grade: Int? = nil) throws {
                    var todo = fates(quotas[program] ?? 0)[...]
                    for index in persons.indices where !todo.isEmpty && eligible(persons[index]) {
                        if let grade {
                            try changes.update(persons[index].id, fields: ["disability_grade": .integer(Int64(grade))])
                        }
                        try enroll(
                            index, program, grade: grade, village: villageOf[persons[index].household] ?? "",
                            fate: todo.removeFirst())
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
            let written = try node.allOps()
            try hub.replica.integrate(written, nowMillis: nowMillis)
            let record = try await hub.register(
                secret: secret, replica: node.info.id, publicKey: node.info.publicKey, nowMillis: nowMillis)
            try node.setHub(replica: hub.info.id, key: hub.info.publicKey, url: nil, pendingRegistration: nil)
            try node.recordAck(try node.syncState().ownCounter, notes: nil, nowMillis: nowMillis)
            registered.append(
                (record, written.filter { $0.dot.replica == node.info.id }.max { $0.dot.counter < $1.dot.counter }))
            nodes.append(node)
            let persons = plan.reduce(0) { $0 + $1.size }
            say(
                Catalogue.text(
                    "generate.township", ["code": code, "households": "\(plan.count)", "people": "\(persons)"]))
        }
        // Once every township is in the hub, so each node's pull reaches the log's end.
        for (node, (record, head)) in zip(nodes, registered) {
            try await Self.recordFirstSync(of: node, as: record, head: head, with: hub, nowMillis: nowMillis)
        }
        return (hub, nodes)
    }
}
