import Foundation
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import HearthStore
import HearthText

/// `hearth bench merge`: the replica's apply rate against the fastest honest SQLite write of the
/// same rows, and against a peer applying the same field changes, in the same run.
///
/// The raw baseline (``RawUpsertBaseline``, in HearthStore) is the physical limit on the same
/// machine: one upsert prepared once, its arguments bound straight into it, writing the ops'
/// fields into a plain table, one transaction per batch, with the replica's pragmas. The peer
/// (``MergePeer``) is pygeodiff applying changesets holding the same field changes, one entry
/// per op (``PeerChangeset``), one changeset per batch, when python3 and pygeodiff are there.
/// The ratios, not the rates, are what to compare across runs and machines.
public struct MergeBench: Sendable {
    public struct Result: Sendable {
        public let ops: Int
        public let fieldChanges: Int
        public let replicaSeconds: Double
        public let rawSeconds: Double
        /// The op log alone (``RawUpsertBaseline/logSeconds(_:into:batchSize:)``): the floor.
        public let logSeconds: Double
        /// The peer's figures, or why it did not run.
        public let peer: MergePeer.Outcome
        public var opsPerSecond: Double { Double(ops) / replicaSeconds }
        public var fieldChangesPerSecond: Double { Double(fieldChanges) / replicaSeconds }
        public var rawRowsPerSecond: Double { Double(ops) / rawSeconds }
        public var logRowsPerSecond: Double { Double(ops) / logSeconds }
        /// The replica's rate over the raw baseline's.
        public var ratio: Double { rawSeconds / replicaSeconds }
        /// The replica's rate over its log's alone: how close the merge comes to its floor.
        public var logRatio: Double { logSeconds / replicaSeconds }
        /// The log's rate over the raw baseline's: the most any merge that logs its ops reaches.
        public var logToRaw: Double { rawSeconds / logSeconds }
        /// The peer's rate of field changes, when it ran.
        public var peerFieldChangesPerSecond: Double? {
            guard case .ran(let result) = peer else { return nil }
            return Double(fieldChanges) / result.seconds
        }
        /// The replica's rate over the peer's (the same field changes on both sides), when it ran.
        public var peerRatio: Double? {
            guard case .ran(let result) = peer else { return nil }
            return result.seconds / replicaSeconds
        }
    }

    /// The median of each ratio over rounds run on the same ops: on a shared machine one run's
    /// ratio to the peer moved by a tenth between runs of one build, and the median of several
    /// rounds is the figure one slow round does not move.
    public struct Medians: Sendable {
        /// The replica's rate over the raw baseline's.
        public let ratio: Double
        /// The replica's rate over its log's alone.
        public let logRatio: Double
        /// The replica's rate over the peer's; nil unless the peer ran in every round.
        public let peerRatio: Double?

        public init(_ results: [Result]) {
            ratio = Self.median(results.map(\.ratio))
            logRatio = Self.median(results.map(\.logRatio))
            let peers = results.compactMap(\.peerRatio)
            peerRatio = peers.count == results.count ? Self.median(peers) : nil
        }

        /// The middle value (the mean of the two middle ones for an even count); 0 for none.
        static func median(_ values: [Double]) -> Double {
            let sorted = values.sorted()
            guard !sorted.isEmpty else { return 0 }
            let middle = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        }
    }

    public let opCount: Int
    public let batchSize: Int
    public let seed: UInt64
    /// The peer to run, nil for none.
    public let peer: MergePeer?

    public init(opCount: Int, batchSize: Int = 10_000, seed: UInt64 = 1, peer: MergePeer? = MergePeer()) {
        self.opCount = opCount
        self.batchSize = batchSize
        self.seed = seed
        self.peer = peer
    }

    /// Generates ops as several field replicas would make them: a quarter create
    /// households, the rest change one to three fields of a household already made. Each op
    /// keeps its hash, as the wire's decoder leaves every op it reads (``Op/knowingHash(ofCanonical:)``):
    /// the merge is timed on what a push hands it.
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
            // As a push hands ops to the merge: the wire's decoder hashes each op's canonical
            // bytes once (the chain check needs it) and the op keeps that hash.
            let known = op.knowingHash(ofCanonical: op.canonicalBytes)
            heads[who] = known.hash
            if let position = positions[op.record] { states[position].apply(known) }
            ops.append(known)
        }
        return ops
    }

    /// Runs the replica, the raw baseline and the peer in `directory` and returns the timings.
    public func run(in directory: String) throws -> Result {
        try run(generate(), in: directory)
    }

    /// Runs the replica, the raw baseline and the peer on `ops` (``generate()``'s) in
    /// `directory`, which holds no earlier round's files, and returns the timings.
    public func run(_ ops: [Op], in directory: String) throws -> Result {
        let fieldChanges = ops.reduce(0) { $0 + $1.fields.count }
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
        let raw = directory + "/bench-raw.db"
        let rawSeconds = try RawUpsertBaseline.seconds(ops, path: raw, batchSize: batchSize)
        let logOnly = try HubLedger.create(
            path: directory + "/bench-log.db", keyPath: directory + "/bench-log.key", name: "bench-log",
            scope: try ScopePrefix.parse("421281", field: "scope"), nowMillis: 1_790_000_000_000)
        let logSeconds = try RawUpsertBaseline.logSeconds(ops, into: logOnly.replica, batchSize: batchSize)
        var outcome = MergePeer.Outcome.absent(Catalogue.text("bench.peer.not_asked"))
        if let peer {
            let base = directory + "/peer-base.db"
            try RawUpsertBaseline.createEmpty(path: base)
            var changeset = PeerChangeset()
            var files: [String] = []
            var index = 0
            while index < ops.count {
                let file = directory + "/peer-\(files.count).changeset"
                let bytes = changeset.encode(ops[index..<min(index + batchSize, ops.count)])
                try Data(bytes).write(to: URL(fileURLWithPath: file))
                files.append(file)
                index += batchSize
            }
            outcome = try peer.run(base: base, changesets: files, expected: raw, directory: directory)
            if case .ran(let result) = outcome, result.entries != ops.count {
                throw MergeBenchError.peerCounted(entries: result.entries, ops: ops.count)
            }
        }
        return Result(
            ops: ops.count, fieldChanges: fieldChanges, replicaSeconds: replicaSeconds, rawSeconds: rawSeconds,
            logSeconds: logSeconds, peer: outcome)
    }
}
