import HearthCore
import HearthLedger
import HearthStore

/// What people do to the records during a simulation, through the same commands the CLI
/// calls: field workers on the nodes (the domain's hard cases among them: deaths, exits,
/// duplicate persons, concurrent edits of money fields, moves) and the county's desk on the hub.
/// A command the replica refuses (an edit to a field in conflict, a second head) is part of
/// the run, not a failure.
enum FieldWork {
    static let programs = [
        "dibao_rural", "dibao_urban", "tekun_dispersed", "elderly", "disability_living", "temporary",
    ]

    static func act(on node: SimNode, in sim: Simulation) {
        let replica = node.replica
        let now = sim.clock.now + node.skew
        let author = "w-\(node.index)"
        let households = (try? replica.list(.household, where: "status", equals: "active")) ?? []
        let members = (try? replica.list(.member, where: "vital_status", equals: "alive")) ?? []
        let enrollments = (try? replica.list(.enrollment)) ?? []
        let openLeads = (try? replica.leads(status: "open")) ?? []
        let roll = sim.random.int(0...99)
        var action = "idle"
        do {
            switch roll {
            case _ where !openLeads.isEmpty && sim.random.chance(20):
                // A township or village verifies a lead from the county's cross-check.
                guard let lead = sim.random.pick(openLeads) else { break }
                let confirm = sim.random.chance(60)
                action = "lead \(confirm ? "confirm" : "refute")"
                _ = try replica.decideLead(
                    lead.id.value, confirm: confirm, note: confirm ? "入户核实" : "本人健在", date: nil, author: author,
                    nowMillis: now)
                sim.count("leads decided")
            case _ where households.isEmpty || roll < 14:
                action = "household add"
                var input = HouseholdInput()
                input.village = sim.random.pick(node.villages)
                input.address = "\(sim.random.int(1...9))组\(sim.random.int(1...60))号"
                input.type = sim.random.chance(70) ? "rural" : "urban"
                input.phone = "139\(sim.random.int(10_000_000...99_999_999))"
                _ = try replica.addHousehold(input, author: author, nowMillis: now)
            case 14..<34:
                action = "member add"
                var input = MemberInput()
                input.household = hot(households, sim)?.value
                input.name = sim.random.pick(["王秀英", "李强", "张伟", "刘芳", "陈静", "杨洋"])
                input.relation = sim.random.pick(["head", "spouse", "child", "parent", "other"])
                if sim.random.chance(85) { input.idNumber = idNumber(sim) }
                _ = try replica.addMember(input, author: author, nowMillis: now)
            case 34..<44:
                action = "household edit"
                guard let household = hot(households, sim) else { break }
                var input = HouseholdInput()
                switch sim.random.int(0...3) {
                case 0: input.phone = "138\(sim.random.int(10_000_000...99_999_999))"
                case 1: input.address = "\(sim.random.int(1...9))组\(sim.random.int(1...60))号"
                case 2: input.income = String(sim.random.int(0...900))
                default: input.tags = [sim.random.pick(["重点户", "低收入", "独居"])!]
                }
                try replica.editHousehold(household.value, input, author: author, nowMillis: now)
            case 44..<56:
                action = "enroll"
                guard let member = hot(members, sim) else { break }
                let program = sim.random.pick(programs)!
                let amount = sim.random.pick(["560", "600", "100"])!
                let start = sim.random.pick(["01", "06", "10"])!
                // Programs and amounts are drawn at random, so some are implausible (R6): a third of
                // them (those from October) carry an override reason, the rest are refused when they are.
                _ = try replica.enroll(
                    EnrollInput(
                        member: member.value, program: program, amount: amount, start: "2026-\(start)",
                        override: start == "10" ? "县民政局特批" : nil),
                    author: author, nowMillis: now)
            case 56..<66:
                guard let enrollment = hot(enrollments, sim) else { break }
                let change = sim.random.pick([EnrollmentAction.approve, .approve, .suspend, .resume, .reject])!
                action = "enrollment \(change.rawValue)"
                try replica.changeEnrollment(enrollment.value, change, note: nil, author: author, nowMillis: now)
            case 66..<73:
                action = "amount change"
                guard let enrollment = hot(enrollments, sim) else { break }
                let amount = sim.random.pick(["500", "580", "620"])!
                let from = sim.random.pick(["07", "11"])!
                // As for enrolling: half of the changes (those from November) carry an override reason.
                try replica.changeAmount(
                    enrollment.value, amount: amount, from: "2026-\(from)", reason: "核定",
                    override: from == "11" ? "复核后特批" : nil, author: author, nowMillis: now)
            case 73..<77:
                action = "exit"
                guard let enrollment = hot(enrollments, sim) else { break }
                try replica.exitEnrollment(
                    enrollment.value, reason: "收入超标", end: "2026-10", author: author, nowMillis: now)
            case 77..<81:
                action = "death"
                guard let member = hot(members, sim) else { break }
                _ = try replica.recordDeath(
                    member: member.value,
                    date: "2026-\(sim.random.pick(["09", "10", "11"])!)-0\(sim.random.int(1...9))",
                    author: author, nowMillis: now)
            case 81..<86:
                action = "member move"
                guard let member = hot(members, sim), let household = hot(households, sim) else { break }
                try replica.moveMember(member.value, toHousehold: household.value, author: author, nowMillis: now)
            case 86..<91:
                action = "visit"
                guard let household = hot(households, sim) else { break }
                _ = try replica.addVisit(
                    household: household.value, note: "入户核查", date: nil, author: author, nowMillis: now)
            case 91..<97:
                action = "member edit"
                guard let member = hot(members, sim) else { break }
                var input = MemberInput()
                if sim.random.chance(50) { input.disabilityGrade = sim.random.int(1...4) } else { input.name = "王小宝" }
                try replica.editMember(member.value, input, author: author, nowMillis: now)
            case 97 where node.villages.count > 1:
                // A move between villages (two-sided: the record leaves one village's nodes and arrives whole at the other's).
                action = "household move"
                guard let household = hot(households, sim), let village = sim.random.pick(node.villages) else { break }
                _ = try replica.moveHousehold(household.value, toVillage: village, author: author, nowMillis: now)
            default:
                action = "household archive"
                guard let household = hot(households, sim) else { break }
                try replica.archiveHousehold(household.value, reason: "迁出", author: author, nowMillis: now)
            }
            sim.count("field edits")
            sim.note("\(node.name) \(action)")
        } catch {
            sim.count("edits refused by a replica")
            sim.note("\(node.name) \(action) refused")
        }
    }

    /// Usually one of the first few records (in id order, the same on every replica), so that
    /// nodes often edit the same records concurrently and the desk has conflicts to settle.
    static func hot(_ ids: [RecordID], _ sim: Simulation) -> RecordID? {
        guard !ids.isEmpty else { return nil }
        return sim.random.chance(60) ? ids[sim.random.int(0...min(1, ids.count - 1))] : sim.random.pick(ids)
    }

    /// The county's desk: settles a conflict, approves an application, or raises a standard.
    static func desk(_ sim: Simulation) async {
        let now = sim.clock.now
        do {
            switch sim.random.int(0...11) {
            case 0...4:
                guard let conflict = await sim.random.pick(try sim.hub.conflicts()) else { return }
                let choice: DeskChoice =
                    sim.random.chance(50) ? .pick(sim.random.int(1...conflict.candidates.count)) : .newest
                try await sim.hub.resolve(conflict.id, choice: choice, note: "核实后决定", author: "admin", nowMillis: now)
                sim.count("conflicts resolved at the desk")
                sim.note("desk resolved \(conflict.id)")
            case 5...7:
                guard
                    let enrollment = sim.random.pick(
                        try sim.hub.replica.list(.enrollment, where: "status", equals: "applied"))
                else { return }
                try sim.hub.replica.changeEnrollment(
                    enrollment.value, .approve, note: nil, author: "admin", nowMillis: now)
                sim.count("county approvals")
                sim.note("county approved \(enrollment)")
            case 9...11 where !sim.idNumbers.isEmpty:
                // A death list from the civil registry: one or two people the county knows, perhaps.
                let rows = (0..<sim.random.int(1...2)).map { index in
                    CrosscheckRow(
                        line: index + 2, idNumber: sim.random.pick(sim.idNumbers)!,
                        date: "2026-\(sim.random.pick(["09", "10"])!)-1\(sim.random.int(0...9))", detail: "火化")
                }
                let outcome = try await sim.hub.importCrosscheck(
                    source: .death, rows: rows, dryRun: false, skipInvalid: false, author: "admin", nowMillis: now)
                sim.count("death leads made", outcome.leads.count)
                sim.note("death list: \(outcome.leads.count) leads")
            default:
                _ = try await sim.hub.setStandard(
                    program: "dibao_rural", band: nil, from: "2026-\(sim.random.pick(["01", "12"])!)",
                    amount: sim.random.pick(["560", "600"])!, note: nil, author: "admin", nowMillis: now)
                sim.count("standards set")
                sim.note("standard set")
            }
        } catch {
            sim.count("desk actions refused")
            sim.note("desk refused")
        }
    }

    /// A valid ID number of the county; now and then one already used, for duplicate persons (R5).
    static func idNumber(_ sim: Simulation) -> String {
        if !sim.idNumbers.isEmpty, sim.random.chance(12) { return sim.random.pick(sim.idNumbers)! }
        let year = sim.random.int(1930...2010)
        let month = sim.random.int(1...12)
        let day = sim.random.int(1...28)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let first17 = SimTopology.county + "\(year)\(two(month))\(two(day))" + String(sim.random.int(100...999))
        let number = first17 + String(IDNumber.checkDigit(of: first17)!)
        sim.idNumbers.append(number)
        return number
    }
}
