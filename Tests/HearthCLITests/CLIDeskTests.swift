import Foundation
import HearthCore
import Testing
import HearthTestSupport

/// A county in real processes: `hearth hub serve --port 0` on loopback, a township node
/// (shahe, 421281101), a village node (xinzhuang, 421281101001) and a second node for the
/// same township (shahe-2, 421281101), for ties between replicas of equal approving rank
/// (a village's approve/reject is only a recommendation, R7).
/// Nodes edit the same records offline, sync, and the county desk settles what no rule could.
final class DeskCounty {
    static let village = "421281101001"
    let cli: CLIRunner
    let hubDB: String
    let township: String
    let xinzhuang: String
    let township2: String
    let hub: ChildProcess
    let url: String

    var nodes: [String] { [township, xinzhuang, township2] }
    var replicas: [String] { [hubDB] + nodes }

    init() async throws {
        let cli = try CLIRunner()
        let hubDB = cli.directory + "/hub.db"
        _ = try await cli.ok(["hub", "init", "--db", hubDB, "--name", "宜城", "--scope", "421281"])
        var tokens: [String] = []
        for (name, scope) in [("shahe", "421281101"), ("xinzhuang", DeskCounty.village), ("shahe-2", "421281101")] {
            tokens.append(
                try await cli.ok(["hub", "enroll", "--db", hubDB, "--name", name, "--scope", scope]).firstLine)
        }
        let (hub, url) = try await DeskCounty.startHub(database: hubDB)
        self.cli = cli
        self.hubDB = hubDB
        self.hub = hub
        self.url = url
        township = cli.directory + "/shahe.db"
        xinzhuang = cli.directory + "/xinzhuang.db"
        township2 = cli.directory + "/shahe-2.db"
        for (db, token) in zip([township, xinzhuang, township2], tokens) {
            _ = try await cli.ok(["node", "init", "--db", db, "--token", token, "--hub", url])
        }
    }

    deinit {
        if hub.isRunning {
            hub.terminate()
            hub.waitUntilExit()
        }
    }

    static func startHub(database: String) async throws -> (ChildProcess, String) {
        try await CLIRunner.startHub(database: database)
    }

    @discardableResult
    func ok(_ arguments: [String]) async throws -> CLIRunner.Result { try await cli.ok(arguments) }

    func run(_ arguments: [String]) async throws -> CLIRunner.Result { try await cli.run(arguments) }

    func json(_ arguments: [String]) async throws -> JSON {
        let result = try await cli.ok(arguments + ["--json"])
        guard let json = result.json else { throw CLITestFailure("not JSON from \(arguments): \(result.stdout)") }
        return json
    }

    /// Every node syncs, twice round, so each holds what every other pushed.
    func syncAll() async throws {
        for _ in 0..<2 {
            for node in nodes { try await ok(["node", "sync", "--db", node]) }
        }
    }

    /// A household in the village with members (the first is the head), created on the
    /// village node and synced everywhere. Returns the household id and member ids.
    func household(_ names: [String]) async throws -> (household: String, members: [String]) {
        let household = try await ok([
            "household", "add", "--db", xinzhuang, "--village", DeskCounty.village, "--address", "新庄村三组12号",
            "--type", "rural", "--phone", "13800001111", "--income", "300",
        ]).firstLine
        var members: [String] = []
        for (index, name) in names.enumerated() {
            let relation = index == 0 ? "head" : index == 1 ? "spouse" : "child"
            members.append(
                try await ok([
                    "member", "add", "--db", xinzhuang, "--household", household, "--name", name, "--relation",
                    relation,
                ]).firstLine)
        }
        return (household, members)
    }

    func conflicts(_ filters: [String] = []) async throws -> [JSON] {
        try await json(["hub", "conflicts", "list", "--db", hubDB] + filters).arrayValue ?? []
    }

    func conflictIDs(_ filters: [String] = []) async throws -> [String] {
        try await conflicts(filters).compactMap { $0["id"]?.stringValue }
    }

    func show(_ id: String, on db: String) async throws -> JSON { try await json(["show", "--db", db, id]) }

    func status(_ db: String) async throws -> JSON { try await json(["status", "--db", db]) }

    func logSize(_ db: String) async throws -> Int64 { try await status(db)["log_size"]?.integerValue ?? -1 }

    /// The number (`n`) of the candidate with this value in `conflicts show`.
    func candidate(_ conflict: String, value: String) async throws -> String {
        let shown = try await json(["hub", "conflicts", "show", "--db", hubDB, conflict])
        guard
            let n = shown["candidates"]?.arrayValue?.first(where: { $0["value"]?.stringValue == value })?["n"]?
                .integerValue
        else { throw CLITestFailure("\(conflict) has no candidate \(value): \(shown.canonicalText)") }
        return String(n)
    }

    /// After the desk and a sync: no replica holds the field in conflict, and every replica
    /// reads the same value for it.
    func expectSettled(
        _ record: String, _ field: String, value: String, sourceLocation: SourceLocation = #_sourceLocation
    )
        async throws
    {
        for db in replicas {
            let name = URL(fileURLWithPath: db).lastPathComponent
            let shown = try await show(record, on: db)
            #expect(
                shown["fields"]?[field]?.stringValue == value, "\(name): \(record)/\(field)",
                sourceLocation: sourceLocation)
            #expect(
                shown["conflicts"]?.arrayValue == [], "\(name): \(record) still in conflict",
                sourceLocation: sourceLocation)
            #expect(
                shown["concurrent"]?[field] == nil, "\(name): \(record)/\(field) still concurrent",
                sourceLocation: sourceLocation)
            let open = try await status(db)["conflicts"]?.arrayValue ?? []
            #expect(!open.contains(.string("\(record)/\(field)")), "\(name) lists it", sourceLocation: sourceLocation)
        }
    }

    func audit() async throws -> [JSON] { try await json(["hub", "audit", "--db", hubDB]).arrayValue ?? [] }
}

@Suite("The county desk through the hearth CLI: conflicts built by real replicas, resolved once for all")
struct CLIDeskTests {
    @Test(
        "money (R4b): concurrent amount and income edits are listed, shown three ways, hold payments, and resolve by --value and --pick county everywhere"
    )
    func money() async throws {
        let county = try await DeskCounty()
        let (household, members) = try await county.household(["张三"])
        let enrollment = try await county.ok([
            "enroll", "--db", county.xinzhuang, "--member", members[0], "--program", "dibao_rural", "--amount", "560",
            "--start", "2026-01",
        ]).firstLine
        try await county.syncAll()
        await #expect(try county.status(county.hubDB)["on_hold"]?.arrayValue == [])

        // Offline, concurrently: the township approves and changes the amount, the village changes
        // it too, and both change the income; the county edits the income too before it has seen
        // either. (The village's amount reaches the hub before the approval: after it, a village's
        // amount change on an approved enrollment would be held for the township, R7.)
        try await county.ok(["approve", "--db", county.township, enrollment, "--worker", "zhen-wang"])
        try await county.ok([
            "enrollment", "edit", "--db", county.township, enrollment, "--amount", "600", "--from", "2026-07",
            "--reason", "提标", "--worker", "zhen-wang",
        ])
        try await county.ok([
            "enrollment", "edit", "--db", county.xinzhuang, enrollment, "--amount", "580", "--from", "2026-07",
            "--reason", "收入核减", "--worker", "cun-li",
        ])
        try await county.ok([
            "household", "edit", "--db", county.township, household, "--income", "410", "--reason", "入户复核",
            "--worker", "zhen-wang",
        ])
        try await county.ok([
            "household", "edit", "--db", county.hubDB, household, "--income", "420", "--worker", "county-admin",
        ])
        try await county.ok([
            "household", "edit", "--db", county.xinzhuang, household, "--income", "430", "--worker", "cun-li",
        ])
        try await county.ok(["node", "sync", "--db", county.xinzhuang])
        try await county.syncAll()

        let amountID = "\(enrollment)/amount"
        let incomeID = "\(household)/income"
        let listed = try await county.conflicts()
        #expect(Set(listed.compactMap { $0["id"]?.stringValue }) == [amountID, incomeID])
        #expect(listed.allSatisfy { $0["rule"]?.stringValue == "R4b" && $0["open"] == .bool(true) })
        await #expect(Set(try county.conflictIDs(["--rule", "R4b"])) == [amountID, incomeID])
        await #expect(try county.conflictIDs(["--kind", "amount"]) == [amountID])
        await #expect(try county.conflictIDs(["--kind", "household"]) == [incomeID])
        await #expect(try county.conflictIDs(["--kind", "enrollment"]) == [amountID])
        await #expect(Set(try county.conflictIDs(["--township", "421281101"])) == [amountID, incomeID])
        await #expect(try county.conflictIDs(["--township", "421281102"]) == [])
        await #expect(try county.conflictIDs(["--rule", "R4c"]) == [])

        let amount = try await county.json(["hub", "conflicts", "show", "--db", county.hubDB, amountID])
        #expect(amount["rule"]?.stringValue == "R4b")
        #expect(amount["base"]?.stringValue == "560.00 from 2026-01")
        let amountCandidates = amount["candidates"]?.arrayValue ?? []
        #expect(amountCandidates.count == 2)
        let township = amountCandidates.first { $0["value"]?.stringValue == "560.00 from 2026-01; 600.00 from 2026-07" }
        #expect(township?["author"]?.stringValue == "zhen-wang")
        #expect(township?["replica"]?.stringValue == "shahe")
        #expect(township?["rank"]?.stringValue == "township")
        let village = amountCandidates.first { $0["value"]?.stringValue == "560.00 from 2026-01; 580.00 from 2026-07" }
        #expect(village?["author"]?.stringValue == "cun-li")
        #expect(village?["replica"]?.stringValue == "xinzhuang")
        #expect(village?["rank"]?.stringValue == "village")
        // Each side's reason, from the op that wrote it: 提标 against 收入核减.
        #expect(township?["reason"]?.stringValue == "amount change: 提标")
        #expect(village?["reason"]?.stringValue == "amount change: 收入核减")
        let shownText = try await county.ok(["hub", "conflicts", "show", "--db", county.hubDB, amountID]).stdout
        #expect(
            shownText.contains("why: amount change: 提标") && shownText.contains("why: amount change: 收入核减"),
            "\(shownText)")

        let income = try await county.json(["hub", "conflicts", "show", "--db", county.hubDB, incomeID])
        #expect(income["base"]?.stringValue == "300.00")
        let incomeCandidates = income["candidates"]?.arrayValue ?? []
        #expect(Set(incomeCandidates.compactMap { $0["value"]?.stringValue }) == ["410.00", "420.00", "430.00"])
        let countyValue = incomeCandidates.first { $0["rank"]?.stringValue == "county" }
        #expect(countyValue?["value"]?.stringValue == "420.00")
        #expect(countyValue?["author"]?.stringValue == "county-admin")
        #expect(countyValue?["replica"]?.stringValue == "宜城 (hub)")
        #expect(countyValue?["reason"] == .null, "the county gave no reason")
        #expect(incomeCandidates.first { $0["rank"]?.stringValue == "township" }?["reason"]?.stringValue == "入户复核")
        let incomeText = try await county.ok(["hub", "conflicts", "show", "--db", county.hubDB, incomeID]).stdout
        #expect(incomeText.contains("why: 入户复核") && incomeText.contains("why: (no reason given)"), "\(incomeText)")

        // Held everywhere while the amount (and the income) is in conflict.
        for db in county.replicas {
            let shown = try await county.show(enrollment, on: db)
            #expect(shown["on_hold"] == .bool(true), "\(db)")
            let reasons = shown["holds"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(reasons.contains { $0.contains(amountID) && $0.contains("R4b") }, "\(db): \(reasons)")
            #expect(reasons.contains { $0.contains(incomeID) }, "\(db): \(reasons)")
            let held = try await county.status(db)["on_hold"]?.arrayValue ?? []
            #expect(held.map { $0["enrollment"] } == [.string(enrollment)], "\(db)")
            await #expect(
                Set(try county.status(db)["conflicts"]?.arrayValue ?? []) == [.string(amountID), .string(incomeID)],
                "\(db)")
        }

        // The desk writes its own schedule for the amount.
        let resolved = try await county.ok([
            "hub", "conflicts", "resolve", "--db", county.hubDB, amountID, "--value", "2026-01:560;2026-07:590",
            "--note", "复核: 590 from July", "--worker", "county-admin",
        ])
        #expect(resolved.firstLine == amountID)
        try await county.syncAll()
        try await county.expectSettled(enrollment, "amount", value: "560.00 from 2026-01; 590.00 from 2026-07")
        for db in county.replicas {
            let reasons =
                try await county.show(enrollment, on: db)["holds"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(!reasons.contains { $0.contains(amountID) }, "\(db): \(reasons)")
            #expect(reasons.contains { $0.contains(incomeID) }, "\(db): still held by the income")
        }

        // The county's own value for the income.
        try await county.ok([
            "hub", "conflicts", "resolve", "--db", county.hubDB, incomeID, "--pick", "county", "--note", "县级核定",
            "--worker", "county-admin",
        ])
        try await county.syncAll()
        try await county.expectSettled(household, "income", value: "420.00")
        for db in county.replicas {
            let shown = try await county.show(enrollment, on: db)
            #expect(shown["on_hold"] == .bool(false), "\(db)")
            #expect(shown["holds"]?.arrayValue == [], "\(db)")
            let status = try await county.status(db)
            #expect(status["on_hold"]?.arrayValue == [], "\(db)")
            #expect(status["conflicts"]?.arrayValue == [], "\(db)")
        }
        await #expect(try county.conflicts() == [])
        for db in county.nodes {
            let decisions = try await county.status(db)["county_decisions"]?.arrayValue ?? []
            let records = Set(decisions.compactMap { $0["record"]?.stringValue })
            #expect(records.isSuperset(of: [enrollment, household]), "\(db): \(records)")
        }

        let audit = try await county.audit()
        #expect(audit.count == 2)
        let amountDecision = audit.first { $0["record"]?.stringValue == enrollment }
        #expect(amountDecision?["field"]?.stringValue == "amount")
        #expect(amountDecision?["rule"]?.stringValue == "R4b")
        #expect(amountDecision?["rule_set"]?.integerValue == 1)
        #expect(amountDecision?["kind"]?.stringValue == "resolution")
        #expect(amountDecision?["choice"]?.stringValue == "value")
        #expect(amountDecision?["note"]?.stringValue == "复核: 590 from July")
        #expect(amountDecision?["by"]?.stringValue == "county-admin")
        let incomeDecision = audit.first { $0["record"]?.stringValue == household }
        #expect(incomeDecision?["rule"]?.stringValue == "R4b")
        #expect(incomeDecision?["rule_set"]?.integerValue == 1)
        #expect(incomeDecision?["choice"]?.stringValue == "county")
    }

    @Test(
        "identity (R4c), household head (R8) and date of death (R1): listed by rule, shown with base and ranks, resolved by --pick and --value on every replica"
    )
    func identityHeadDeath() async throws {
        let county = try await DeskCounty()
        let (household, members) = try await county.household(["张三", "李芳", "张小明", "张德顺"])
        let (head, spouse, child, father) = (members[0], members[1], members[2], members[3])
        try await county.syncAll()

        try await county.ok(["member", "edit", "--db", county.township, head, "--name", "张叁", "--worker", "zhen-wang"])
        try await county.ok(["member", "edit", "--db", county.xinzhuang, head, "--name", "章三", "--worker", "cun-li"])
        try await county.ok([
            "household", "edit", "--db", county.township, household, "--head", spouse, "--worker", "zhen-wang",
        ])
        try await county.ok([
            "household", "edit", "--db", county.xinzhuang, household, "--head", child, "--worker", "cun-li",
        ])
        try await county.ok([
            "death", "--db", county.township, "--member", father, "--date", "2024-10-03", "--worker", "zhen-wang",
        ])
        try await county.ok([
            "death", "--db", county.xinzhuang, "--member", father, "--date", "2024-10-05", "--worker", "cun-li",
        ])
        try await county.syncAll()

        let nameID = "\(head)/name"
        let headID = "\(household)/head"
        let deathID = "\(father)/death_date"
        let rules = await Dictionary(
            uniqueKeysWithValues: try county.conflicts().map {
                ($0["id"]?.stringValue ?? "?", $0["rule"]?.stringValue ?? "?")
            })
        #expect(rules == [nameID: "R4c", headID: "R8", deathID: "R1"])
        await #expect(try county.conflictIDs(["--rule", "R8"]) == [headID])
        await #expect(try county.conflictIDs(["--rule", "R1"]) == [deathID])
        await #expect(try county.conflictIDs(["--rule", "R4c"]) == [nameID])
        await #expect(try county.conflictIDs(["--kind", "head"]) == [headID])
        await #expect(Set(try county.conflictIDs(["--kind", "member"])) == [nameID, deathID])
        await #expect(try county.conflictIDs(["--township", "421281101", "--rule", "R1"]) == [deathID])
        await #expect(try county.conflictIDs(["--township", "421281102"]) == [])
        for db in county.replicas {
            await #expect(
                Set(try county.status(db)["conflicts"]?.arrayValue ?? []) == [
                    .string(nameID), .string(headID), .string(deathID),
                ],
                "\(db)")
            await #expect(try county.show(head, on: db)["conflicts"]?.arrayValue == [.string("name")], "\(db)")
        }

        let name = try await county.json(["hub", "conflicts", "show", "--db", county.hubDB, nameID])
        #expect(name["base"]?.stringValue == "张三")
        #expect(name["why"]?.stringValue?.isEmpty == false)
        let byValue = Dictionary(
            uniqueKeysWithValues: (name["candidates"]?.arrayValue ?? []).map { ($0["value"]?.stringValue ?? "?", $0) })
        #expect(Set(byValue.keys) == ["张叁", "章三"])
        #expect(byValue["张叁"]?["replica"]?.stringValue == "shahe")
        #expect(byValue["张叁"]?["rank"]?.stringValue == "township")
        #expect(byValue["张叁"]?["author"]?.stringValue == "zhen-wang")
        #expect(byValue["章三"]?["replica"]?.stringValue == "xinzhuang")
        #expect(byValue["章三"]?["rank"]?.stringValue == "village")
        #expect(byValue["章三"]?["author"]?.stringValue == "cun-li")

        let headShown = try await county.json(["hub", "conflicts", "show", "--db", county.hubDB, headID])
        #expect(headShown["base"]?.stringValue == head)
        #expect(
            Set((headShown["candidates"]?.arrayValue ?? []).compactMap { $0["value"]?.stringValue }) == [spouse, child])

        let death = try await county.json(["hub", "conflicts", "show", "--db", county.hubDB, deathID])
        #expect(death["base"] == .null, "no date of death was written before the two concurrent ones")
        #expect(
            Set((death["candidates"]?.arrayValue ?? []).compactMap { $0["value"]?.stringValue }) == [
                "2024-10-03", "2024-10-05",
            ])
        #expect(
            Set((death["candidates"]?.arrayValue ?? []).compactMap { $0["rank"]?.stringValue }) == [
                "township", "village",
            ])

        try await county.ok([
            "hub", "conflicts", "resolve", "--db", county.hubDB, nameID, "--pick",
            try county.candidate(nameID, value: "张叁"),
            "--note", "按户口簿", "--worker", "county-admin",
        ])
        try await county.ok([
            "hub", "conflicts", "resolve", "--db", county.hubDB, headID, "--pick",
            try county.candidate(headID, value: child),
            "--note", "户主变更已核实", "--worker", "county-admin",
        ])
        try await county.ok([
            "hub", "conflicts", "resolve", "--db", county.hubDB, deathID, "--value", "2024-10-04", "--note", "死亡证明",
            "--worker", "county-admin",
        ])
        await #expect(try county.conflicts() == [])
        try await county.syncAll()
        try await county.expectSettled(head, "name", value: "张叁")
        try await county.expectSettled(household, "head", value: child)
        try await county.expectSettled(father, "death_date", value: "2024-10-04")
        for db in county.replicas {
            await #expect(try county.status(db)["conflicts"]?.arrayValue == [], "\(db)")
            await #expect(
                try county.show(father, on: db)["fields"]?["vital_status"]?.stringValue == "deceased", "\(db)")
        }

        let audit = try await county.audit()
        #expect(audit.count == 3)
        #expect(Set(audit.compactMap { $0["rule"]?.stringValue }) == ["R4c", "R8", "R1"])
        #expect(audit.allSatisfy { $0["rule_set"]?.integerValue == 1 && $0["kind"]?.stringValue == "resolution" })
        #expect(audit.first { $0["rule"]?.stringValue == "R1" }?["choice"]?.stringValue == "value")
        #expect(audit.first { $0["rule"]?.stringValue == "R8" }?["note"]?.stringValue == "户主变更已核实")
    }

    /// Builds an R7 tie: two township replicas (same scope, equal rank, both holding the
    /// approving authority) approve and reject one application.
    func authorityTie(_ county: DeskCounty) async throws -> (enrollment: String, conflict: String) {
        let (_, members) = try await county.household(["王秀英"])
        let enrollment = try await county.ok([
            "enroll", "--db", county.xinzhuang, "--member", members[0], "--program", "dibao_rural", "--amount", "560",
            "--start", "2026-01",
        ]).firstLine
        try await county.syncAll()
        try await county.ok(["approve", "--db", county.township, enrollment, "--worker", "zhen-wang"])
        try await county.ok(["reject", "--db", county.township2, enrollment, "--worker", "zhen-zhao"])
        try await county.syncAll()
        return (enrollment, "\(enrollment)/decision")
    }

    /// The desk's answer to the tie: the decision, then the status (R3 kept the reject's
    /// `exited`, and the R2a case "exit against approval" holds the payment until the status
    /// is settled too).
    func approveAtDesk(_ county: DeskCounty, _ enrollment: String, _ conflict: String) async throws {
        try await county.ok([
            "hub", "conflicts", "resolve", "--db", county.hubDB, conflict, "--pick",
            try county.candidate(conflict, value: "approved"),
            "--note", "镇审核通过", "--worker", "county-admin",
        ])
        let status = "\(enrollment)/status"
        try await county.ok([
            "hub", "conflicts", "resolve", "--db", county.hubDB, status, "--pick",
            try county.candidate(status, value: "approved"),
            "--note", "按县级决定在保", "--worker", "county-admin",
        ])
        try await county.syncAll()
    }

    @Test(
        "approval authority (R7): two township replicas of equal rank approve and reject; the tie and the R2a case hold it until the desk decides"
    )
    func authority() async throws {
        let county = try await DeskCounty()
        let (enrollment, conflict) = try await authorityTie(county)
        let r2a = "R2a:\(enrollment)"
        await #expect(try county.conflictIDs(["--rule", "R7"]) == [conflict])
        await #expect(try county.conflictIDs(["--kind", "decision"]) == [conflict])
        await #expect(try county.conflictIDs(["--rule", "R2a"]) == [r2a])
        let shown = try await county.json(["hub", "conflicts", "show", "--db", county.hubDB, conflict])
        #expect(shown["rule"]?.stringValue == "R7")
        #expect(shown["base"]?.stringValue == "pending")
        let candidates = shown["candidates"]?.arrayValue ?? []
        #expect(Set(candidates.compactMap { $0["value"]?.stringValue }) == ["approved", "rejected"])
        #expect(candidates.allSatisfy { $0["rank"]?.stringValue == "township" })
        #expect(Set(candidates.compactMap { $0["replica"]?.stringValue }) == ["shahe", "shahe-2"])
        #expect(Set(candidates.compactMap { $0["author"]?.stringValue }) == ["zhen-wang", "zhen-zhao"])
        for db in county.replicas {
            let view = try await county.show(enrollment, on: db)
            #expect(view["on_hold"] == .bool(true), "\(db)")
            #expect(view["conflicts"]?.arrayValue?.contains(.string("decision")) == true, "\(db)")
            let reasons = view["holds"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(reasons.contains { $0.contains("\(conflict) is in conflict (R7") }, "\(db): \(reasons)")
        }

        try await county.ok([
            "hub", "conflicts", "resolve", "--db", county.hubDB, conflict, "--pick",
            try county.candidate(conflict, value: "approved"),
            "--note", "镇审核通过", "--worker", "county-admin",
        ])
        try await county.syncAll()
        try await county.expectSettled(enrollment, "decision", value: "approved")
        await #expect(try county.conflictIDs(["--rule", "R2a"]) == [r2a], "the status still says exited")
        for db in county.replicas {
            let view = try await county.show(enrollment, on: db)
            #expect(view["fields"]?["status"]?.stringValue == "exited", "\(db)")
            let reasons = view["holds"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(
                reasons.contains { $0.hasPrefix(r2a) } && !reasons.contains { $0.contains("/decision") },
                "\(db): \(reasons)")
        }

        let status = "\(enrollment)/status"
        await #expect(
            try county.conflicts(["--soft"]).first { $0["id"]?.stringValue == status }?["rule"]?.stringValue == "R3")
        try await county.ok([
            "hub", "conflicts", "resolve", "--db", county.hubDB, status, "--pick",
            try county.candidate(status, value: "approved"),
            "--note", "按县级决定在保", "--worker", "county-admin",
        ])
        try await county.syncAll()
        try await county.expectSettled(enrollment, "status", value: "approved")
        await #expect(try county.conflicts() == [])
        for db in county.replicas {
            let view = try await county.show(enrollment, on: db)
            #expect(view["on_hold"] == .bool(false), "\(db): \(view["holds"]?.canonicalText ?? "")")
            #expect(view["fields"]?["decision"]?.stringValue == "approved", "\(db)")
            await #expect(try county.status(db)["on_hold"]?.arrayValue == [], "\(db)")
        }
        let audit = try await county.audit()
        #expect(audit.compactMap { $0["rule"]?.stringValue } == ["R7", "R3"])
        #expect(audit.compactMap { $0["kind"]?.stringValue } == ["resolution", "acknowledgement"])
        #expect(audit.allSatisfy { $0["rule_set"]?.integerValue == 1 })
    }

    // BUG (see the report): after the desk settles the tie as approved (decision and status),
    // the reject's exit_reason "application rejected" stays on the approved enrollment, on every
    // replica: nothing the desk writes covers it, and no desk command can clear it.
    @Test("an application the desk approves after an R7 tie carries no exit reason from the losing rejection")
    func authorityApprovalLeavesNoRejection() async throws {
        let county = try await DeskCounty()
        let (enrollment, conflict) = try await authorityTie(county)
        try await approveAtDesk(county, enrollment, conflict)
        for db in county.replicas {
            let fields = try await county.show(enrollment, on: db)["fields"]
            #expect(fields?["status"]?.stringValue == "approved", "\(db)")
            #expect(
                fields?["exit_reason"] == .null,
                "\(db): an approved enrollment with exit_reason \(fields?["exit_reason"]?.stringValue ?? "")")
        }
    }

    @Test("resolve --bulk --dry-run prints the plan and writes nothing; --bulk writes exactly that plan in one go")
    func bulkPlan() async throws {
        let county = try await DeskCounty()
        let (household, _) = try await county.household(["张三", "李芳"])
        let enrollments = try await county.ok([
            "enroll", "--db", county.xinzhuang, "--household", household, "--program", "dibao_rural", "--amount", "500",
            "--start", "2026-01",
        ]).stdout.split(separator: "\n").map(String.init)
        try await county.syncAll()
        for (db, base) in [(county.township, 600), (county.xinzhuang, 550)] {
            for (index, enrollment) in enrollments.enumerated() {
                try await county.ok([
                    "enrollment", "edit", "--db", db, enrollment, "--amount", "\(base + index)", "--from", "2026-07",
                    "--reason", "调整",
                ])
            }
        }
        try await county.syncAll()
        let amountIDs = Set(enrollments.map { "\($0)/amount" })
        await #expect(Set(try county.conflictIDs(["--kind", "amount"])) == amountIDs)
        let command = [
            "hub", "conflicts", "resolve", "--db", county.hubDB, "--bulk", "--kind", "amount", "--pick", "newest",
            "--note", "按村级核减", "--worker", "county-admin",
        ]
        let dry = try await county.ok(command + ["--dry-run"])
        let planned = dry.stdout.split(separator: "\n").filter { $0.contains(" -> ") }.map(String.init)
        #expect(Set(planned.map { String($0.split(separator: " ")[0]) }) == amountIDs)
        #expect(dry.stdout.contains("2 would be resolved, 0 left open (dry run: nothing written)"))
        await #expect(Set(try county.conflictIDs(["--kind", "amount"])) == amountIDs)
        await #expect(try county.audit().isEmpty)
        let byCounty = try await county.ok(command.map { $0 == "newest" ? "county" : $0 } + ["--dry-run"])
        #expect(byCounty.stdout.contains("0 would be resolved, 2 left open"))
        let applied = try await county.ok(command)
        #expect(applied.stdout.split(separator: "\n").filter { $0.contains(" -> ") }.map(String.init) == planned)
        #expect(applied.stdout.contains("2 resolved, 0 left open"))
        await #expect(try county.conflictIDs(["--kind", "amount"]) == [])
        let audit = try await county.audit()
        #expect(audit.count == 2 && audit.allSatisfy { $0["choice"]?.stringValue == "bulk newest" })
        #expect(try await county.run(command + ["--all"]).status == 2)
    }

    @Test(
        "bulk: resolve --all --kind amount --pick newest settles every amount conflict and nothing else; ack --all --rule R4a clears soft phone decisions"
    )
    func bulk() async throws {
        let county = try await DeskCounty()
        let (household, members) = try await county.household(["张三", "李芳", "张小明"])
        let enrollments = try await county.ok([
            "enroll", "--db", county.xinzhuang, "--household", household, "--program", "dibao_rural", "--amount", "500",
            "--start", "2026-01",
        ]).stdout.split(separator: "\n").map(String.init)
        #expect(enrollments.count == 3)
        try await county.syncAll()
        for (index, enrollment) in enrollments.enumerated() {
            try await county.ok([
                "enrollment", "edit", "--db", county.township, enrollment, "--amount", "\(600 + index)", "--from",
                "2026-07",
                "--reason", "提标",
            ])
        }
        try await county.ok(["member", "edit", "--db", county.township, members[2], "--name", "张晓明"])
        try await county.ok(["household", "edit", "--db", county.township, household, "--phone", "13811112222"])
        // The village writes later (newest by HLC).
        for (index, enrollment) in enrollments.enumerated() {
            try await county.ok([
                "enrollment", "edit", "--db", county.xinzhuang, enrollment, "--amount", "\(550 + index)", "--from",
                "2026-07",
                "--reason", "核减",
            ])
        }
        try await county.ok(["member", "edit", "--db", county.xinzhuang, members[2], "--name", "张小铭"])
        try await county.ok(["household", "edit", "--db", county.xinzhuang, household, "--phone", "13933334444"])
        try await county.syncAll()

        let amountIDs = Set(enrollments.map { "\($0)/amount" })
        await #expect(Set(try county.conflictIDs(["--kind", "amount"])) == amountIDs)
        await #expect(try county.conflictIDs().count == 4)
        let phoneID = "\(household)/phone"
        await #expect(!(try county.conflictIDs()).contains(phoneID), "a soft decision is not an open conflict")
        let soft = try await county.conflicts(["--soft"]).first { $0["id"]?.stringValue == phoneID }
        #expect(soft?["rule"]?.stringValue == "R4a")
        #expect(soft?["open"] == .bool(false))
        #expect(soft?["display"]?.stringValue == "13933334444", "the latest write is kept")
        await #expect(try county.conflictIDs(["--rule", "R4a"]) == [phoneID])
        for db in county.replicas {
            await #expect(!(try county.status(db)["conflicts"]?.arrayValue ?? []).contains(.string(phoneID)), "\(db)")
        }

        let bulk = try await county.ok([
            "hub", "conflicts", "resolve", "--db", county.hubDB, "--all", "--kind", "amount", "--pick", "newest",
            "--note",
            "按村级核减", "--worker", "county-admin",
        ])
        #expect(bulk.firstLine == "3 resolved, 0 left open")
        await #expect(try county.conflictIDs(["--kind", "amount"]) == [])
        await #expect(try county.conflictIDs() == ["\(members[2])/name"], "the name conflict is not an amount")
        try await county.syncAll()
        for (index, enrollment) in enrollments.enumerated() {
            try await county.expectSettled(
                enrollment, "amount", value: "500.00 from 2026-01; \(550 + index).00 from 2026-07")
        }
        let audit = try await county.audit()
        #expect(audit.count == 3)
        #expect(
            audit.allSatisfy {
                $0["choice"]?.stringValue == "newest" && $0["rule"]?.stringValue == "R4b"
                    && $0["rule_set"]?.integerValue == 1
            })

        let ack = try await county.ok([
            "hub", "conflicts", "ack", "--db", county.hubDB, "--all", "--rule", "R4a", "--worker", "county-admin",
        ])
        #expect(ack.firstLine == "1 acknowledged")
        await #expect(!(try county.conflictIDs(["--soft"])).contains(phoneID))
        await #expect(try county.conflictIDs(["--rule", "R4a"]) == [])
        try await county.syncAll()
        for db in county.replicas {
            let shown = try await county.show(household, on: db)
            #expect(shown["fields"]?["phone"]?.stringValue == "13933334444", "\(db)")
            #expect(shown["concurrent"]?["phone"] == nil, "\(db)")
        }
        let acknowledgement = try await county.audit().last
        #expect(acknowledgement?["kind"]?.stringValue == "acknowledgement")
        #expect(acknowledgement?["rule"]?.stringValue == "R4a")
        #expect(acknowledgement?["rule_set"]?.integerValue == 1)
        await #expect(try county.conflictIDs() == ["\(members[2])/name"], "still open for the desk")
    }

    @Test(
        "refusals: no note, --pick with --value, --pick out of range, bad ids, ack of an open conflict, a node's desk: non-zero, a clear message, nothing written"
    )
    func refusals() async throws {
        let county = try await DeskCounty()
        let (household, members) = try await county.household(["张三", "李芳"])
        try await county.syncAll()
        try await county.ok(["household", "edit", "--db", county.township, household, "--head", members[1]])
        try await county.ok([
            "household", "edit", "--db", county.xinzhuang, household, "--head", members[0], "--address", "新址",
        ])
        try await county.syncAll()
        let conflict = "\(household)/head"
        await #expect(try county.conflictIDs() == [conflict])
        let before = try await county.logSize(county.hubDB)
        let nodeBefore = try await county.logSize(county.xinzhuang)

        let resolve = ["hub", "conflicts", "resolve", "--db", county.hubDB]
        let cases: [([String], String)] = [
            (resolve + [conflict, "--pick", "1"], "--note"),
            (resolve + [conflict, "--pick", "1", "--note", "   "], "note: say why"),
            (
                resolve + [conflict, "--pick", "1", "--value", members[0], "--note", "x"],
                "exactly one of --pick and --value"
            ),
            (resolve + [conflict, "--note", "x"], "exactly one of --pick and --value"),
            (resolve + [conflict, "--pick", "9", "--note", "x"], "must be 1 to 2"),
            (resolve + [conflict, "--pick", "0", "--note", "x"], "--pick takes a number"),
            (resolve + [conflict, "--pick", "county", "--note", "x"], "the county wrote no single value"),
            (resolve + [conflict, "--value", "H-123", "--note", "x"], "must be a member id"),
            (resolve + ["not-a-conflict", "--pick", "1", "--note", "x"], "is not a conflict id"),
            (resolve + ["\(household)/bogus", "--pick", "1", "--note", "x"], "is not a conflict id"),
            (resolve + ["H-000000000000-9/head", "--pick", "1", "--note", "x"], "no record"),
            (resolve + ["\(household)/address", "--pick", "1", "--note", "x"], "there is no conflict to settle"),
            (resolve + ["--all", "--pick", "2", "--note", "x"], "--all takes --pick newest or --pick county"),
            (resolve + [conflict, "--all", "--pick", "newest", "--note", "x"], "a conflict id or --all"),
            (["hub", "conflicts", "ack", "--db", county.hubDB, conflict], "is open"),
            (["hub", "conflicts", "show", "--db", county.hubDB, "nonsense"], "nonsense"),
        ]
        for (arguments, message) in cases {
            let result = try await county.run(arguments)
            #expect(result.status != 0, "\(arguments) succeeded: \(result.stdout)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(!result.stdout.contains("resolved"), "\(arguments): \(result.stdout)")
        }
        let onNode = try await county.run([
            "hub", "conflicts", "resolve", "--db", county.xinzhuang, conflict, "--pick", "1", "--note", "x",
        ])
        #expect(onNode.status != 0)
        #expect(onNode.stderr.contains("not the county hub's"), "\(onNode.stderr)")

        await #expect(try county.logSize(county.hubDB) == before)
        await #expect(try county.logSize(county.xinzhuang) == nodeBefore)
        await #expect(try county.audit() == [])
        await #expect(try county.conflictIDs() == [conflict])
        let shown = try await county.json(["hub", "conflicts", "show", "--db", county.hubDB, conflict])
        #expect(shown["candidates"]?.arrayValue?.count == 2)
    }

    // BUG (see the report): `--value` for an amount schedule replaces the whole schedule, so a
    // value given as the new month only (`2026-07:580`) silently erases the months before it
    // that every competing value and the base agreed on (500 from 2026-01), leaving January to
    // June of an enrollment that starts in 2026-01 without an amount.
    @Test("--value with an amount from a month keeps the months before it that every value agreed on (or is refused)")
    func partialScheduleValue() async throws {
        let county = try await DeskCounty()
        let (_, members) = try await county.household(["张三"])
        let enrollment = try await county.ok([
            "enroll", "--db", county.xinzhuang, "--member", members[0], "--program", "dibao_rural", "--amount", "500",
            "--start", "2026-01",
        ]).firstLine
        try await county.syncAll()
        try await county.ok([
            "enrollment", "edit", "--db", county.township, enrollment, "--amount", "600", "--from", "2026-07",
            "--reason", "a",
        ])
        try await county.ok([
            "enrollment", "edit", "--db", county.xinzhuang, enrollment, "--amount", "550", "--from", "2026-07",
            "--reason", "b",
        ])
        try await county.syncAll()
        let conflict = "\(enrollment)/amount"
        let result = try await county.run([
            "hub", "conflicts", "resolve", "--db", county.hubDB, conflict, "--value", "2026-07:580", "--note", "折中",
        ])
        let amount = try await county.show(enrollment, on: county.hubDB)["fields"]?["amount"]?.stringValue
        if result.status == 0 {
            #expect(
                amount == "500.00 from 2026-01; 580.00 from 2026-07",
                "January to June lost their amount: \(amount ?? "")")
        } else {
            await #expect(try county.conflictIDs() == [conflict])
        }
    }
}
