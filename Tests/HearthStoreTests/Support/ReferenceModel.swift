import HearthCore

/// The plain reference the SQLite replicas are checked against.
///
/// Two independent views of one set of ops:
/// - ``states``: `RecordState`s in a dictionary, each op applied one at a time in a causal
///   order (any op whose dependencies are all applied), with no storage, batching or waits;
/// - ``expected(_:field:)``: the merge as docs/architecture.md states it, computed straight
///   from the ops: a field's live values are the writes no other write of that field has
///   seen, and the field's policy (read from the table) settles them.
struct ReferenceModel {
    private(set) var states: [RecordID: RecordState] = [:]
    /// Per record and field, every op that writes it.
    private var writes: [RecordID: [String: [Op]]] = [:]

    /// Applies the ops in a causal order chosen at random; nil when some op can never
    /// become ready (its past is missing from the set).
    init?(ops: [Op], using rng: inout SplitMix64) {
        var pending = ops.sorted { $0.dot < $1.dot }
        while !pending.isEmpty {
            let ready = pending.indices.filter { index in
                let op = pending[index]
                return (states[op.record] ?? RecordState(id: op.record)).missingDependencies(of: op).isEmpty
            }
            guard let pick = ready.randomElement(using: &rng) else { return nil }
            let op = pending.remove(at: pick)
            states[op.record, default: RecordState(id: op.record)].apply(op)
        }
        for op in ops {
            for name in op.fields.keys { writes[op.record, default: [:]][name, default: []].append(op) }
        }
    }

    var records: [RecordID] { states.keys.sorted() }

    /// What one field must read as: its live writes (by dot), the value, and whether the
    /// record is in conflict over it.
    struct Expected: Equatable {
        var live: [Dot]
        var value: FieldValue
        var inConflict: Bool
    }

    func expected(_ id: RecordID, field: String) -> Expected {
        let all = writes[id]?[field] ?? []
        // Live: no other write of this field saw it.
        let live = all.filter { op in !all.contains { $0.dot != op.dot && $0.context.covers(op.dot) } }
        // Newest first by (HLC, replica id, counter).
        let byRecency = live.sorted {
            ($0.hlc, $0.dot.replica, $0.dot.counter) > ($1.hlc, $1.dot.replica, $1.dot.counter)
        }
        let dots = live.map(\.dot).sorted()
        guard let newest = byRecency.first else { return Expected(live: [], value: .null, inConflict: false) }
        let value = { (op: Op) in op.fields[field]! }
        if byRecency.count == 1 { return Expected(live: dots, value: value(newest), inConflict: false) }
        let policy = RecordSchema.field(field, of: id.type)?.policy ?? .lww
        switch policy {
        case .lww:
            return Expected(live: dots, value: value(newest), inConflict: false)
        case .priority(let order):
            // The safest value; among equally safe values, the newest.
            func rank(_ op: Op) -> Int { value(op).textValue.flatMap { order.firstIndex(of: $0) } ?? order.count }
            let best = byRecency.min { rank($0) < rank($1) }!
            return Expected(live: dots, value: value(best), inConflict: false)
        case .authority:
            let top = byRecency.map(\.origin.level).max()!
            let atTop = byRecency.filter { $0.origin.level == top }
            let differ = atTop.contains { !same(value($0), value(atTop[0])) }
            return Expected(live: dots, value: value(atTop[0]), inConflict: differ)
        case .union:
            var members: Set<String> = []
            for op in live {
                switch value(op) {
                case .set(let items): members.formUnion(items)
                case .text(let text): members.insert(text)
                default: break
                }
            }
            return Expected(live: dots, value: FieldValue.makeSet(members), inConflict: false)
        case .human:
            let differ = live.contains { !same(value($0), value(newest)) }
            return Expected(live: dots, value: value(newest), inConflict: differ)
        }
    }

    /// Every field some op wrote on the record, sorted.
    func fields(of id: RecordID) -> [String] {
        (writes[id] ?? [:]).keys.sorted()
    }

    /// Whether two values are the same for conflict purposes: sealed values by their keyed
    /// hash (two sealings of one number differ in their nonce), others by equality.
    private func same(_ lhs: FieldValue, _ rhs: FieldValue) -> Bool {
        if case .sealed(let left) = lhs, case .sealed(let right) = rhs { return left.digest == right.digest }
        return lhs == rhs
    }
}
