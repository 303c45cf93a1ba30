import Foundation
import GRDB
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import Testing

@testable import HearthStore

/// ``RuleLookup`` over a replica's public reads, independent of the store's own lookup:
/// references matched as the text their column holds.
private struct ReplicaLookup: RuleLookup {
    let replica: ReplicaCore

    mutating func state(of id: RecordID) throws -> RecordState? { try replica.state(of: id) }
    mutating func quarantinedVillage(of id: RecordID) throws -> String? { nil }
    mutating func countyConfiguration() throws -> CountyConfiguration { try replica.countyConfiguration() }

    private func states(_ type: RecordType, _ column: String, _ value: String) throws -> [RecordState] {
        try replica.list(type, where: column, equals: value).compactMap { try replica.state(of: $0) }
    }

    mutating func enrollments(ofMember member: RecordID) throws -> [RecordState] {
        try states(.enrollment, "member", member.value)
    }
    mutating func enrollments(ofHousehold household: RecordID) throws -> [RecordState] {
        try states(.enrollment, "household", household.value)
    }
    mutating func members(ofHousehold household: RecordID) throws -> [RecordState] {
        try states(.member, "household", household.value)
    }
    mutating func holders(ofIDHash hash: String) throws -> [RecordState] {
        try states(.member, "id_number_hash", hash)
    }
}

/// A county's history drawn from a seed, in three batches: records; deaths, exits, approvals,
/// amount changes and moves, some written concurrently; dates of death settled by the county.
private struct ParityHistory {
    static let villages = ["421281101001", "421281101002"]
    var random: SplitMix64
    var states: [RecordID: RecordState] = [:]
    var counters: [ReplicaID: UInt64] = [:]
    var millis: Int64 = 1_795_600_000_000
    var fresh = 0
    var households: [RecordID] = []
    var members: [RecordID] = []
    var enrollments: [RecordID] = []
    var leads: [RecordID] = []
    let village = ReplicaID("a00000000001")
    let county = ReplicaID("c00000000001")

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func next(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
    mutating func chance(_ percent: Int) -> Bool { next(100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[next(items.count)] }

    /// A replica that never wrote before: its ops are concurrent with whatever it did not see.
    mutating func freshWriter() -> (ReplicaID, ScopePrefix) {
        fresh += 1
        let scope = pick(["421281101001", "421281101", "421281"])
        return (ReplicaID(String(format: "f%011x", fresh)), try! ScopePrefix.parse(scope, field: "s"))
    }

    mutating func op(
        _ type: RecordType, _ record: RecordID?, by writer: ReplicaID, origin: ScopePrefix, village: String,
        fields: [String: FieldValue], seen: VersionVector? = nil, cause: String? = nil
    ) -> Op {
        counters[writer, default: 0] += 1
        millis += 1_000
        let dot = Dot(replica: writer, counter: counters[writer]!)
        let id = record ?? RecordID(type: type, creator: dot)
        let made = Op(
            dot: dot, hlc: HLC(millis: millis, logical: 0), author: "w", origin: origin, record: id,
            scope: try! DivisionCode.parse(village, field: "v"), fields: fields,
            context: seen ?? states[id]?.clock ?? .empty, previous: "", cause: cause)
        var state = states[id] ?? RecordState(id: id)
        state.apply(made)
        states[id] = state
        return made
    }

    mutating func create(_ type: RecordType, in village: String, _ fields: [String: FieldValue]) -> Op {
        var all = fields
        all["village"] = .text(village)
        return op(type, nil, by: self.village, origin: try! .parse("421281", field: "s"), village: village, fields: all)
    }

    mutating func write(
        _ id: RecordID, _ fields: [String: FieldValue], seen: VersionVector? = nil, cause: String? = nil
    )
        -> Op
    {
        let place = states[id]!.resolution(of: "village").value.textValue!
        let (writer, scope) = seen == nil ? (county, try! ScopePrefix.parse("421281", field: "s")) : freshWriter()
        return op(id.type, id, by: writer, origin: scope, village: place, fields: fields, seen: seen, cause: cause)
    }

    func hash(_ number: Int) -> String { String(repeating: String(number), count: 64) }

    mutating func records() -> [Op] {
        var ops: [Op] = []
        for _ in 0..<(4 + next(5)) {
            let place = pick(Self.villages)
            let home = create(
                .household, in: place,
                ["status": .text(chance(85) ? "active" : "archived"), "type": .text(pick(["rural", "urban"]))])
            ops.append(home)
            households.append(home.record)
            var people: [RecordID] = []
            for _ in 0..<next(4) {
                var fields: [String: FieldValue] = [
                    "household": .text(home.record.value), "vital_status": .text(chance(85) ? "alive" : "deceased"),
                    "name": .text("某"),
                ]
                if chance(75) { fields["id_number"] = .sealed(SealedValue(box: "box", digest: hash(1 + next(4)))) }
                if chance(85) { fields["birth_date"] = .text(pick(["1940-02-10", "1946-05-31", "1980-07-01"])) }
                if chance(40) { fields["disability_grade"] = .integer(Int64(1 + next(4))) }
                if chance(20) { fields["death_date"] = .text("2026-02-03") }
                let person = create(.member, in: place, fields)
                ops.append(person)
                people.append(person.record)
                members.append(person.record)
                for _ in 0..<next(4) {
                    var enrollment: [String: FieldValue] = [
                        "member": .text(person.record.value), "household": .text(home.record.value),
                        "program": .text(pick(Program.allCases).rawValue), "amount": .text("2026-01:56000"),
                        "start_month": .text(pick(["2026-01", "2026-05"])),
                    ]
                    if let status = pick(["applied", "approved", "suspended", "exited", nil] as [String?]) {
                        enrollment["status"] = .text(status)
                    }
                    let made = create(.enrollment, in: place, enrollment)
                    ops.append(made)
                    enrollments.append(made.record)
                }
                if chance(20) {
                    let lead = create(
                        .lead, in: place,
                        [
                            "member": .text(person.record.value), "source": .text(pick(["death", "pension"])),
                            "status": .text("open"), "reported_date": .text("2026-03-01"),
                        ])
                    ops.append(lead)
                    leads.append(lead.record)
                }
            }
            if let head = people.first, chance(75) { ops.append(write(home.record, ["head": .text(head.value)])) }
        }
        return ops
    }

    mutating func edits() -> [Op] {
        var ops: [Op] = []
        for member in members where chance(30) {
            // A death, sometimes recorded twice with different dates, each replica ending the
            // member's enrollments with its own last month.
            let seen = states[member]!.clock
            let twice = chance(50)
            ops.append(
                write(member, ["vital_status": .text("deceased"), "death_date": .text("2026-04-10")], seen: seen))
            if twice {
                ops.append(
                    write(member, ["vital_status": .text("deceased"), "death_date": .text("2026-06-20")], seen: seen))
            }
            let theirs = enrollments.filter { states[$0]?.resolution(of: "member").value == .text(member.value) }
            for enrollment in theirs where chance(60) {
                let before = states[enrollment]!.clock
                for month in twice ? ["2026-04", "2026-06"] : ["2026-04"] {
                    ops.append(
                        write(
                            enrollment,
                            ["status": .text("exited"), "exit_reason": .text("death"), "end_month": .text(month)],
                            seen: before))
                }
            }
        }
        for enrollment in enrollments where chance(40) {
            let seen = states[enrollment]!.clock
            switch next(4) {
            case 0:
                ops.append(write(enrollment, ["status": .text("exited"), "exit_reason": .text("moved")], seen: seen))
                ops.append(write(enrollment, ["status": .text("approved"), "decision": .text("approved")], seen: seen))
            case 1:
                ops.append(write(enrollment, ["status": .text(pick(["exited", "suspended"]))], seen: seen))
                let cause = chance(50) ? Plausibility.cause("raise", override: "county rule") : nil
                ops.append(write(enrollment, ["amount": .text("2026-01:60000")], seen: seen, cause: cause))
            case 2:
                ops.append(write(enrollment, ["status": .text("suspended")], seen: seen))
                ops.append(write(enrollment, ["status": .text("approved")], seen: seen))
            default:
                ops.append(write(enrollment, ["end_month": .text(pick(["2026-03", "2026-07"]))], seen: seen))
            }
        }
        for lead in leads where chance(50) {
            let seen = states[lead]!.clock
            ops.append(write(lead, ["status": .text("confirmed")], seen: seen))
            if chance(50) { ops.append(write(lead, ["status": .text("refuted")], seen: seen)) }
        }
        for household in households where chance(15) {
            ops.append(write(household, ["status": .text("archived")]))
        }
        return ops
    }

    /// The county settles each date of death in conflict.
    mutating func settlements() -> [Op] {
        members.compactMap { member in
            guard let state = states[member], state.resolution(of: "death_date").inConflict else { return nil }
            return write(member, ["death_date": .text("2026-04-10")])
        }
    }

    /// Folds in ops made elsewhere (the hub's own rule ops).
    mutating func observe(_ ops: [Op]) {
        for op in ops {
            var state = states[op.record] ?? RecordState(id: op.record)
            state.apply(op)
            states[op.record] = state
        }
    }
}

/// The hub runs the rule engine over candidates its SQL finds (members a death may act on, ID
/// hashes held twice, households missing a head, …) through a lookup over its transaction.
/// Here the engine, shown every record of a plain replica, must give exactly what the hub
/// wrote and lists: the same automatic decisions (R1, R2, R6 overrides), each once, and the
/// same desk cases (R1, R2a, R5, R6, R8). What proves the candidate queries miss nothing.
@Suite("The hub's rules and rule cases equal the rule engine's over every record")
struct RuleEngineParityTests {
    static let now: Int64 = 1_795_700_000_000

    static func replica(_ role: ReplicaInfo.Role, in directory: String) throws -> ReplicaCore {
        let path = directory + "/\(role.rawValue).db"
        let scope = try ScopePrefix.parse("421281", field: "scope")
        switch role {
        case .node: return try Replica.create(path: path, name: role.rawValue, scope: scope, nowMillis: now)
        // The county's replica with the hub's rules running in its transactions.
        case .hub: return try HubLedger.create(path: path, name: role.rawValue, scope: scope, nowMillis: now).replica
        }
    }

    /// A decision as the hub's table holds it.
    struct Row: Equatable, CustomStringConvertible {
        let rule: String
        let record: String
        let field: String?
        let choice: String
        let note: String
        let worker: String
        let trigger: String
        let op: String?
        var description: String { "\(rule) \(record) \(field ?? "-") \(choice) [\(trigger)] \(note)" }
    }

    static func ruleRows(_ hub: ReplicaCore, after seq: Int64) throws -> [Row] {
        try hub.read { db in
            try GRDB.Row.fetchAll(
                db, sql: "SELECT * FROM decisions WHERE kind = 'rule' AND seq > ? ORDER BY seq", arguments: [seq]
            ).map {
                let rule: String = $0["rule"]
                return Row(
                    rule: rule, record: $0["record"], field: $0["field"], choice: $0["choice"], note: $0["note"],
                    worker: $0["worker"], trigger: $0["trigger"], op: rule == "R1" ? nil : $0["op"])
            }
        }
    }

    static func lastSeq(_ hub: ReplicaCore) throws -> Int64 {
        try hub.read { db in try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM decisions") ?? 0 }
    }

    @Test("desk cases and automatic decisions match the hub's over random counties", arguments: [UInt64](1...12))
    func parity(seed: UInt64) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hearth-parity-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let hub = try Self.replica(.hub, in: directory)
        let plain = try Self.replica(.node, in: directory)
        var history = ParityHistory(seed: seed &* 0x9E37_79B9_7F4A_7C15)
        var decided: Set<String> = []
        var kinds: Set<String> = []
        for round in 0..<3 {
            let batch = round == 0 ? history.records() : round == 1 ? history.edits() : history.settlements()
            guard !batch.isEmpty else { continue }
            // The engine's decisions, on a replica holding the same state without the hub's rules.
            try plain.integrate(batch, nowMillis: Self.now)
            var lookup = ReplicaLookup(replica: plain)
            let logged = Set(try plain.allOps().map(\.dot))
            let engine = try RuleEngine.batchDecisions(
                after: batch, logged: { logged.contains($0.dot) },
                deceased: try plain.list(.member).compactMap { try plain.state(of: $0) },
                history: { try plain.log(record: $0).map(\.op) }, lookup: &lookup)
            var expected: [Row] = []
            for decision in engine
            where decided.insert("\(decision.rule)|\(decision.record)|\(decision.trigger)").inserted {
                expected.append(
                    Row(
                        rule: decision.rule.rawValue, record: decision.record.value, field: decision.field,
                        choice: decision.choice, note: decision.note, worker: decision.worker,
                        trigger: decision.trigger,
                        op: decision.subject?.description))
            }
            let before = try Self.lastSeq(hub)
            try hub.integrate(batch, nowMillis: Self.now)
            let actual = try Self.ruleRows(hub, after: before)
            #expect(actual == expected, "seed \(seed) round \(round)")
            // The hub's rule ops reach the plain replica, as they would reach a node.
            let known = Set(try plain.allOps().map(\.dot))
            let ruleOps = try hub.allOps().filter { !known.contains($0.dot) }
            if !ruleOps.isEmpty { try plain.integrate(ruleOps, nowMillis: Self.now) }
            history.observe(ruleOps)
            // The desk's cases over the hub's state.
            var hubLookup = ReplicaLookup(replica: hub)
            let subjects = RuleEngine.Subjects(
                idHashes: (1...4).map(history.hash), members: try hub.list(.member),
                enrollments: try hub.list(.enrollment).compactMap { try hub.state(of: $0) },
                households: try hub.list(.household).compactMap { try hub.state(of: $0) },
                leads: try hub.list(.lead).compactMap { try hub.state(of: $0) })
            let mine = try RuleEngine.deskCases(subjects, nowMillis: Self.now, lookup: &hubLookup)
            let theirs = try hub.ruleCases(nowMillis: Self.now).filter { $0.rule != "R11" }
            func key(
                _ id: String, _ rule: String, _ kind: String, _ village: String?, _ records: [RecordID],
                _ detail: String, _ holds: [RecordID]
            ) -> String {
                "\(id)|\(rule)|\(kind)|\(village ?? "-")|\(records)|\(detail)|\(holds.sorted())"
            }
            let mineKeys = mine.map {
                key($0.id, $0.rule.rawValue, $0.kind, $0.village, $0.records, $0.detail, $0.holds)
            }
            let theirKeys = theirs.map { key($0.id, $0.rule, $0.kind, $0.village, $0.records, $0.detail, $0.holds) }
            #expect(mineKeys.sorted() == theirKeys.sorted(), "seed \(seed) round \(round)")
            // The cases each replica keeps as the ops apply are the ones judged afresh from its state.
            for replica in [hub, plain] {
                let kept = try replica.ruleCases(nowMillis: Self.now)
                #expect(kept == (try replica.recomputedRuleCases(nowMillis: Self.now)), "seed \(seed) round \(round)")
            }
            kinds.formUnion(mine.map(\.kind))
        }
        #expect(!kinds.isEmpty, "seed \(seed) made no desk case at all")
    }
}
