import HearthCore

/// Division codes of the test county: two villages of one township, and the county.
enum Place {
    static let county = "110101"
    static let township = "110101001"
    static let village1 = "110101001001"
    static let village2 = "110101001002"
    static let otherVillage = "110101002001"

    static func scope(_ text: String) -> ScopePrefix { try! ScopePrefix.parse(text, field: "scope") }
    static func code(_ text: String) -> DivisionCode { try! DivisionCode.parse(text, field: "village") }
}

/// Replicas writing the test records: a village node, a second village node, a township and the county.
enum Writer {
    static let village = ReplicaID("aaaaaaaaaaa1")
    static let village2 = ReplicaID("aaaaaaaaaaa2")
    static let township = ReplicaID("bbbbbbbbbbb1")
    static let county = ReplicaID("ccccccccccc1")

    static func scope(of replica: ReplicaID) -> ScopePrefix {
        switch replica {
        case village: return Place.scope(Place.village1)
        case village2: return Place.scope(Place.village2)
        case township: return Place.scope(Place.township)
        default: return Place.scope(Place.county)
        }
    }
}

/// Records built from ops, as a replica builds them: every write is an op applied to the
/// record's state, with the context its writer saw (the state's clock unless told otherwise,
/// so concurrent writes are made by handing the same earlier clock to two writers).
struct RecordBook {
    private(set) var states: [RecordID: RecordState] = [:]
    private var counters: [ReplicaID: UInt64] = [:]
    private var millis: Int64 = 1_780_000_000_000

    /// An op from `replica` on `record` (a new one of `type` when `record` is nil), not applied.
    mutating func op(
        _ type: RecordType, _ record: RecordID? = nil, by replica: ReplicaID = Writer.village, village: String,
        fields: [String: FieldValue], seen: VersionVector? = nil, cause: String? = nil, origin: ScopePrefix? = nil
    ) -> Op {
        counters[replica, default: 0] += 1
        millis += 1_000
        let dot = Dot(replica: replica, counter: counters[replica]!)
        let id = record ?? RecordID(type: type, creator: dot)
        return Op(
            dot: dot, hlc: HLC(millis: millis, logical: 0), author: "worker-\(replica.value.suffix(1))",
            origin: origin ?? Writer.scope(of: replica), record: id, scope: Place.code(village), fields: fields,
            context: seen ?? states[id]?.clock ?? .empty, previous: "", cause: cause)
    }

    /// Applies an op to its record's state.
    mutating func apply(_ op: Op) {
        var state = states[op.record] ?? RecordState(id: op.record)
        state.apply(op)
        states[op.record] = state
    }

    /// Creates a record in `village` with these fields (the village among them) and returns its id.
    @discardableResult
    mutating func create(
        _ type: RecordType, in village: String = Place.village1, by replica: ReplicaID = Writer.village,
        _ fields: [String: FieldValue]
    ) -> RecordID {
        var all = fields
        all["village"] = .text(village)
        let made = op(type, by: replica, village: village, fields: all)
        apply(made)
        return made.record
    }

    /// Writes fields on a record, as `replica` having seen `seen` (its current clock by default).
    @discardableResult
    mutating func write(
        _ id: RecordID, _ fields: [String: FieldValue], by replica: ReplicaID = Writer.village,
        seen: VersionVector? = nil, cause: String? = nil
    ) -> Op {
        let village = states[id]?.resolution(of: "village").value.textValue ?? Place.village1
        let made = op(id.type, id, by: replica, village: village, fields: fields, seen: seen, cause: cause)
        apply(made)
        return made
    }

    subscript(_ id: RecordID) -> RecordState { states[id]! }

    /// A household, with the fields given.
    mutating func household(
        in village: String = Place.village1, status: String = "active", type: String = "rural",
        _ extra: [String: FieldValue] = [:]
    ) -> RecordID {
        create(.household, in: village, ["status": .text(status), "type": .text(type)].merging(extra) { $1 })
    }

    /// A member of `household`, alive unless told otherwise.
    mutating func member(
        of household: RecordID, vital: String = "alive", idHash: String? = nil, born: String? = nil,
        grade: Int64? = nil,
        _ extra: [String: FieldValue] = [:]
    ) -> RecordID {
        let village = states[household]?.resolution(of: "village").value.textValue ?? Place.village1
        var fields: [String: FieldValue] = ["household": .text(household.value), "vital_status": .text(vital)]
        if let idHash { fields["id_number"] = .sealed(SealedValue(box: "box-\(idHash)", digest: idHash)) }
        if let born { fields["birth_date"] = .text(born) }
        if let grade { fields["disability_grade"] = .integer(grade) }
        return create(.member, in: village, fields.merging(extra) { $1 })
    }

    /// An enrollment of `member` in `program`; `status` nil leaves the status unwritten.
    mutating func enrollment(
        of member: RecordID, _ program: Program, status: String? = "approved", start: String = "2026-01",
        amount: String = "2026-01:56000", _ extra: [String: FieldValue] = [:]
    ) -> RecordID {
        let memberState = states[member]!
        let village = memberState.resolution(of: "village").value.textValue ?? Place.village1
        var fields: [String: FieldValue] = [
            "member": .text(member.value), "program": .text(program.rawValue), "start_month": .text(start),
            "amount": .text(amount),
        ]
        if let household = memberState.resolution(of: "household").value.textValue {
            fields["household"] = .text(household)
        }
        if let status { fields["status"] = .text(status) }
        return create(.enrollment, in: village, fields.merging(extra) { $1 })
    }

    /// A lookup over every record of the book.
    func lookup(configuration: CountyConfiguration = .testCounty) -> MemoryLookup {
        MemoryLookup(states: states.values.sorted { $0.id < $1.id }, configuration: configuration)
    }
}

/// ``RuleLookup`` over records held in memory, in the order given: what the hub answers from
/// its tables, answered by filtering the states (the reference fields' shown text).
struct MemoryLookup: RuleLookup {
    var states: [RecordState]
    var quarantined: [RecordID: String] = [:]
    var configuration: CountyConfiguration
    /// How many times the lookup was asked anything, to show a rule reads what it needs.
    private(set) var reads = 0

    init(states: [RecordState], quarantined: [RecordID: String] = [:], configuration: CountyConfiguration) {
        self.states = states
        self.quarantined = quarantined
        self.configuration = configuration
    }

    private func pointing(_ type: RecordType, _ field: String, at id: RecordID) -> [RecordState] {
        states.filter { $0.id.type == type && $0.resolution(of: field).value == .text(id.value) }
    }

    mutating func state(of id: RecordID) throws -> RecordState? {
        reads += 1
        return states.first { $0.id == id }
    }

    mutating func quarantinedVillage(of id: RecordID) throws -> String? {
        reads += 1
        return quarantined[id]
    }

    mutating func countyConfiguration() throws -> CountyConfiguration { configuration }

    mutating func enrollments(ofMember member: RecordID) throws -> [RecordState] {
        reads += 1
        return pointing(.enrollment, "member", at: member)
    }

    mutating func enrollments(ofHousehold household: RecordID) throws -> [RecordState] {
        reads += 1
        return pointing(.enrollment, "household", at: household)
    }

    mutating func members(ofHousehold household: RecordID) throws -> [RecordState] {
        reads += 1
        return pointing(.member, "household", at: household)
    }

    mutating func holders(ofIDHash hash: String) throws -> [RecordState] {
        reads += 1
        return states.filter {
            guard $0.id.type == .member, case .sealed(let sealed) = $0.resolution(of: "id_number").value else {
                return false
            }
            return sealed.digest == hash
        }
    }
}

extension CountyConfiguration {
    /// Rural dibao 560 and urban 700 yuan from 2026-01; every other setting at its default.
    static let testCounty = CountyConfiguration(
        standards: StandardTable([
            ProgramStandard(
                program: .dibaoRural, band: "", from: Month(year: 2026, month: 1)!, amount: Money(fen: 56_000)),
            ProgramStandard(
                program: .dibaoUrban, band: "", from: Month(year: 2026, month: 1)!, amount: Money(fen: 70_000)),
        ]))
}

/// A small seeded generator (SplitMix64), so a randomized test replays from its seed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func month(_ text: String) -> Month { try! Month.parse(text, field: "month") }
func date(_ text: String) -> CivilDate { try! CivilDate.parse(text, field: "date") }
