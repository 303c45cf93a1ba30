import Foundation
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import HearthStore

/// `hearth bench merge`: the replica's apply rate against SQLite's own upsert rate.
///
/// The baseline is the physical limit on the same machine in the same run: one prepared
/// upsert statement writing the same rows into a plain table, 10,000 rows per transaction,
/// with the replica's pragmas (``RawUpsertBaseline``, in HearthStore). The ratio, not the raw
/// rate, is what to compare across runs.
public struct MergeBench: Sendable {
    public struct Result: Sendable {
        public let ops: Int
        public let fieldChanges: Int
        public let replicaSeconds: Double
        public let rawSeconds: Double
        public var opsPerSecond: Double { Double(ops) / replicaSeconds }
        public var fieldChangesPerSecond: Double { Double(fieldChanges) / replicaSeconds }
        public var rawRowsPerSecond: Double { Double(ops) / rawSeconds }
        public var ratio: Double { rawSeconds / replicaSeconds }
    }

    public let opCount: Int
    public let batchSize: Int
    public let seed: UInt64

    public init(opCount: Int, batchSize: Int = 10_000, seed: UInt64 = 1) {
        self.opCount = opCount
        self.batchSize = batchSize
        self.seed = seed
    }

    /// Generates ops as several field replicas would make them: a quarter create
    /// households, the rest change one to three fields of a household already made.
    public func generate() -> [Op] {
        var random = SplitMix64(seed: seed)
        let village = try! DivisionCode.parse("421281101001", field: "village")
        let origin = try! ScopePrefix.parse("421281101001", field: "origin")
        let replicas = (0..<4).map { _ in ReplicaID.random(using: &random) }
        var counters = Array(repeating: UInt64(0), count: replicas.count)
        var heads = Array(repeating: "", count: replicas.count)
        var states: [RecordState] = []
        var positions: [RecordID: Int] = [:]
        var ops: [Op] = []
        ops.reserveCapacity(opCount)
        let streets = ["东街", "西街", "南街", "北街", "新村"]
        for index in 0..<opCount {
            let who = Int(random.next() % UInt64(replicas.count))
            counters[who] += 1
            let dot = Dot(replica: replicas[who], counter: counters[who])
            let hlc = HLC(millis: 1_790_000_000_000 + Int64(index), logical: 0)
            let op: Op
            if states.isEmpty || random.next() % 4 == 0 {
                let id = RecordID(type: .household, creator: dot)
                op = Op(
                    dot: dot, hlc: hlc, author: "w\(who)", origin: origin, record: id, scope: village,
                    fields: [
                        "village": .text(village.value), "address": .text("\(streets[index % 5])\(index)号"),
                        "type": .text("rural"), "status": .text("active"),
                        "phone": .text("138\(String(10_000_000 + index % 89_999_999))"),
                    ], context: .empty, previous: heads[who])
                positions[id] = states.count
                states.append(RecordState(id: id))
            } else {
                let target = Int(random.next() % UInt64(states.count))
                var fields: [String: FieldValue] = [:]
                let choices: [(String, FieldValue)] = [
                    ("phone", .text("139\(String(10_000_000 + Int(random.next() % 89_999_999)))")),
                    ("address", .text("\(streets[Int(random.next() % 5)])\(random.next() % 999)号")),
                    ("income", .integer(Int64(random.next() % 100_000))),
                    ("population", .integer(Int64(1 + random.next() % 8))),
                    ("note", .text("核查 \(index)")),
                ]
                let count = 1 + Int(random.next() % 3)
                for offset in 0..<count {
                    let choice = choices[(Int(random.next() % 5) + offset) % choices.count]
                    fields[choice.0] = choice.1
                }
                op = Op(
                    dot: dot, hlc: hlc, author: "w\(who)", origin: origin, record: states[target].id, scope: village,
                    fields: fields, context: states[target].clock, previous: heads[who])
            }
            heads[who] = op.hash
            if let position = positions[op.record] { states[position].apply(op) }
            ops.append(op)
        }
        return ops
    }

    /// Runs both sides in `directory` and returns the timings.
    public func run(in directory: String) throws -> Result {
        let ops = generate()
        let replica = try HubLedger.create(
            path: directory + "/bench-replica.db", keyPath: directory + "/bench-replica.key", name: "bench",
            scope: try ScopePrefix.parse("421281", field: "scope"), nowMillis: 1_790_000_000_000)
        let start = Date()
        var index = 0
        while index < ops.count {
            let batch = Array(ops[index..<min(index + batchSize, ops.count)])
            try replica.replica.integrate(batch, nowMillis: 1_790_000_000_000)
            index += batchSize
        }
        let replicaSeconds = Date().timeIntervalSince(start)
        let rawSeconds = try RawUpsertBaseline.seconds(ops, path: directory + "/bench-raw.db", batchSize: batchSize)
        return Result(
            ops: ops.count, fieldChanges: ops.reduce(0) { $0 + $1.fields.count }, replicaSeconds: replicaSeconds,
            rawSeconds: rawSeconds)
    }
}
