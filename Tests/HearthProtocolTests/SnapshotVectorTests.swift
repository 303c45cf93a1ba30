import Crypto
import Foundation
import HearthCore
import HearthProtocol
import HearthStore
import Testing

// Protocol/vectors/snapshot-vectors.json pins down what another implementation needs to take
// and give snapshots and to compact a log as Hearth does: each merge vector's merged states in
// their stored and sent bytes, a snapshot page with its digest, and which ops may leave a log
// and the floor they leave. The vectors are made from merge-vectors.json by the code; the test
// checks that the code still makes exactly them, and reads each back as a receiver would.
// `HEARTH_WRITE_VECTORS=1` writes them again (after a deliberate change of the format).

private let vectorsPath = "vectors/snapshot-vectors.json"

/// The hub that signs the vectors' page, and the log position it names.
private let pageHub = ReplicaID("0123456789ab")
private let pagePosition: Int64 = 4_096

/// The merge vectors' cases whose merged states make the page's records, and its departed one:
/// one state of each record id.
private let pageCases = ["sealed-values", "union-of-tags", "authority-equal-rank-tie", "canonical-escapes"]
private let departedCases = ["authority-county-over-village"]

private struct MergeCase {
    let name: String
    let ops: [Op]
}

private func mergeDocument() throws -> JSON {
    try JSON.parse(try protocolFile("vectors/merge-vectors.json"))
}

private func mergeCases(_ document: JSON) throws -> [MergeCase] {
    try (document["cases"]?.arrayValue ?? []).map { item in
        let ops = try (item["ops"]?.arrayValue ?? []).map { entry in
            try Op(json: try #require(entry["op"], "an entry without \"op\""))
        }
        return MergeCase(name: item["name"]?.stringValue ?? "?", ops: ops)
    }
}

/// The county keys of the vectors: the merge vectors' data key (its signing key is never used).
private func vectorKeys(_ document: JSON) throws -> KeyMaterial {
    let bytes = try #require(Hex.decode(document["test_data_key_hex"]?.stringValue ?? ""))
    return KeyMaterial(
        dataKey: SymmetricKey(data: bytes),
        signingKey: try Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32)))
}

/// Delivers ops in the given order as a replica does (an op waits until its context is covered)
/// onto `start`, and returns the states and the order the ops were applied in: a log's order.
private func deliver(_ ops: [Op], onto start: [RecordID: RecordState] = [:]) -> (
    states: [RecordID: RecordState], log: [Op], waiting: [Op]
) {
    var states = start
    var log: [Op] = []
    var waiting: [Op] = []
    func tryApply(_ op: Op) -> Bool {
        var state = states[op.record] ?? RecordState(id: op.record)
        guard !state.hasApplied(op) else { return true }
        guard state.missingDependencies(of: op).isEmpty else { return false }
        state.apply(op)
        states[op.record] = state
        log.append(op)
        return true
    }
    for op in ops {
        guard tryApply(op) else {
            waiting.append(op)
            continue
        }
        while let index = waiting.firstIndex(where: tryApply) { waiting.remove(at: index) }
    }
    return (states, log, waiting)
}

/// Every ordering of `items`.
private func orderings<T>(_ items: [T]) -> [[T]] {
    guard items.count > 1 else { return [items] }
    return items.indices.flatMap { index -> [[T]] in
        var rest = items
        let first = rest.remove(at: index)
        return orderings(rest).map { [first] + $0 }
    }
}

/// What a replica holds after compacting `log` (one record's ops, in log order) with the ops at
/// `stayingPositions` kept whatever their age: the floor (the ops that left, applied in log
/// order) and the ops left in the log, which a re-identified node replays onto the floor.
private func compacted(_ log: [Op], stayingPositions: Set<Int>, closure: Bool = true) -> (
    floor: RecordState, leaving: [Op], left: [Op]
) {
    let candidatePositions = log.indices.filter { !stayingPositions.contains($0) }
    let candidates = candidatePositions.map { log[$0] }
    let staying = stayingPositions.sorted().map { log[$0].dot }
    let leavingAt =
        closure ? LogCompaction.leaving(candidates, staying: staying) : Array(candidates.indices)
    let leaving = leavingAt.map { candidates[$0] }
    let leavingDots = Set(leaving.map(\.dot))
    var floor = RecordState(id: log[0].record)
    for op in leaving { floor.apply(op) }
    return (floor, leaving, log.filter { !leavingDots.contains($0.dot) })
}

/// The vectors as the code makes them.
private func makeVectors(_ document: JSON) throws -> JSON {
    let opener = try vectorKeys(document).opener()
    var states: [JSON] = []
    var compaction: [JSON] = []
    var byCase: [String: [RecordState]] = [:]
    for vector in try mergeCases(document) {
        let (merged, log, waiting) = deliver(vector.ops)
        #expect(waiting.isEmpty, "\(vector.name): ops never ready")
        for id in merged.keys.sorted(by: { $0.value < $1.value }) {
            let state = try #require(merged[id])
            byCase[vector.name, default: []].append(state)
            states.append(
                .object([
                    "case": .string(vector.name), "record": .string(id.value),
                    "stored_hex": .string(Hex.encode(state.compactBytes)),
                    "sent_base64": .string(Data(state.compactBytes(leavingOut: opener)).base64EncodedString()),
                ]))
            // One compaction per record of three ops or more: its second op in the log stays
            // (unpushed, or not yet old enough), every other op is old enough to leave.
            let recordLog = log.filter { $0.record == id }
            guard recordLog.count >= 3 else { continue }
            let result = compacted(recordLog, stayingPositions: [1])
            compaction.append(
                .object([
                    "case": .string(vector.name), "record": .string(id.value),
                    "log": .array(recordLog.map { .string($0.dot.description) }),
                    "staying": .array([.string(recordLog[1].dot.description)]),
                    "leaving": .array(result.leaving.map { .string($0.dot.description) }),
                    "floor_hex": .string(Hex.encode(result.floor.compactBytes)),
                ]))
        }
    }
    func records(_ cases: [String]) throws -> [SnapshotRecord] {
        try cases.flatMap { name in try #require(byCase[name], "no merge case \(name)") }
            .map { SnapshotRecord(id: $0.id, state: $0.compactBytes) }
            .sorted { $0.id.value < $1.id.value }
    }
    let page = SnapshotResponse(
        hub: pageHub, position: pagePosition, records: try records(pageCases), waiting: [],
        departed: try records(departedCases), next: nil)
    return .object([
        "format": .string("hearth-snapshot-vectors"), "v": .integer(1),
        "description": .string(
            "Snapshot and compaction test vectors, made from merge-vectors.json (the same data key); see "
                + "Protocol/README.md, Protocol/ops.md (State tables) and Protocol/sync.md (Snapshot, Compaction)."),
        "test_data_key_hex": try #require(document["test_data_key_hex"]),
        "states": .array(states),
        "page": page.json(digests: opener),
        "compaction": .array(compaction),
    ])
}

@Suite("Snapshot and compaction vectors")
struct SnapshotVectorTests {
    @Test("the code makes exactly the vectors in Protocol/vectors/snapshot-vectors.json")
    func vectorsAreCurrent() throws {
        let made = try makeVectors(try mergeDocument())
        if ProcessInfo.processInfo.environment["HEARTH_WRITE_VECTORS"] == "1" {
            let pretty = try JSONSerialization.data(
                withJSONObject: try JSONSerialization.jsonObject(with: Data(made.canonicalBytes)),
                options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            try (pretty + Data("\n".utf8)).write(
                to: repositoryRoot.appendingPathComponent("Protocol").appendingPathComponent(vectorsPath))
        }
        let stored = try JSON.parse(try protocolFile(vectorsPath))
        #expect(stored == made, "Protocol/\(vectorsPath) differs from what the code makes")
    }

    @Test("each vector state reads back as the merged state, stored and as sent with the county key")
    func statesReadBack() throws {
        let document = try mergeDocument()
        let opener = try vectorKeys(document).opener()
        var merged: [String: [RecordID: RecordState]] = [:]
        for vector in try mergeCases(document) { merged[vector.name] = deliver(vector.ops).states }
        let vectors = try JSON.parse(try protocolFile(vectorsPath))
        var sealedShorter = 0
        for entry in vectors["states"]?.arrayValue ?? [] {
            let id = try #require(RecordID(entry["record"]?.stringValue ?? ""))
            let name = entry["case"]?.stringValue ?? "?"
            let expected = try #require(merged[name]?[id], "\(name) \(id)")
            let stored = try #require(Hex.decode(entry["stored_hex"]?.stringValue ?? ""))
            #expect(RecordState(id: id, compactBytes: stored) == expected, "\(name) \(id): stored form")
            let sent = try #require(Data(base64Encoded: entry["sent_base64"]?.stringValue ?? ""))
            let received = try #require(
                RecordState(id: id, compactBytes: Array(sent), deriving: opener), "\(name) \(id): sent form")
            #expect(received.compactBytes == stored, "\(name) \(id): the receiver keeps the stored form")
            // Without the key, a state that left a keyed hash out does not read.
            if sent.count < stored.count {
                sealedShorter += 1
                #expect(RecordState(id: id, compactBytes: Array(sent)) == nil, "\(name) \(id)")
            }
        }
        #expect((vectors["states"]?.arrayValue?.count ?? 0) >= 11)
        #expect(sealedShorter == 2, "the sealed-values case's two members travel without their keyed hashes")
    }

    @Test("the vector page reads as a node reads it, digest and all, and a changed byte is refused")
    func pageReadsBack() throws {
        let document = try mergeDocument()
        let opener = try vectorKeys(document).opener()
        let vectors = try JSON.parse(try protocolFile(vectorsPath))
        let pageJSON = try #require(vectors["page"])
        let page = try SnapshotResponse(json: pageJSON, digests: opener)
        #expect(page.hub == pageHub && page.position == pagePosition && page.next == nil)
        var stored: [String: String] = [:]
        for entry in vectors["states"]?.arrayValue ?? [] where pageCases.contains(entry["case"]?.stringValue ?? "") {
            stored[entry["record"]?.stringValue ?? ""] = entry["stored_hex"]?.stringValue
        }
        #expect(page.records.count == stored.count && page.records.count == 5)
        for record in page.records { #expect(Hex.encode(record.state) == stored[record.id.value], "\(record.id)") }
        #expect(page.departed.map(\.id.value) == ["E-3f9a2c71b0d4-1"])
        #expect(page.json(digests: opener) == pageJSON)
        // The digest is over the stored form, so it checks the keyed hashes the node derived.
        #expect(pageJSON["digest"]?.stringValue == SnapshotDigest.of(page.records + page.departed))

        // A digest of other records is refused.
        guard case .object(var members) = pageJSON else {
            Issue.record("the page is not an object")
            return
        }
        members["digest"] = .string(SnapshotDigest.of(Array(page.records.dropFirst())))
        #expect(throws: MessageError.self) { try SnapshotResponse(json: .object(members), digests: opener) }
        // Without the county key, the members' states (keyed hashes left out) do not read.
        #expect(throws: MessageError.self) { try SnapshotResponse(json: pageJSON, digests: nil) }
    }

    @Test("each compaction vector: what leaves, the floor, and the floor with the ops left is the merged state")
    func compactionVectors() throws {
        let document = try mergeDocument()
        var ops: [String: [Dot: Op]] = [:]
        var merged: [String: [RecordID: RecordState]] = [:]
        for vector in try mergeCases(document) {
            ops[vector.name] = Dictionary(uniqueKeysWithValues: vector.ops.map { ($0.dot, $0) })
            merged[vector.name] = deliver(vector.ops).states
        }
        let entries = try JSON.parse(try protocolFile(vectorsPath))["compaction"]?.arrayValue ?? []
        var heldBack = 0
        for entry in entries {
            let name = entry["case"]?.stringValue ?? "?"
            func dots(_ key: String) throws -> [Op] {
                try (entry[key]?.arrayValue ?? []).map { item in
                    let dot = try #require(Dot(text: item.stringValue ?? ""))
                    return try #require(ops[name]?[dot], "\(name): no op \(dot)")
                }
            }
            let log = try dots("log")
            let staying = try dots("staying").map(\.dot)
            let candidates = log.filter { !staying.contains($0.dot) }
            let leaving = LogCompaction.leaving(candidates, staying: staying).map { candidates[$0] }
            #expect(leaving.map(\.dot) == (try dots("leaving")).map(\.dot), "\(name)")
            heldBack += candidates.count - leaving.count
            var floor = RecordState(id: log[0].record)
            for op in leaving { floor.apply(op) }
            #expect(Hex.encode(floor.compactBytes) == entry["floor_hex"]?.stringValue, "\(name): floor")
            let rebuilt = deliver(log.filter { op in !leaving.contains(op) }, onto: [floor.id: floor])
            #expect(rebuilt.waiting.isEmpty && rebuilt.states[floor.id] == merged[name]?[floor.id], "\(name)")
        }
        #expect(entries.count >= 5)
        #expect(heldBack > 0, "some vector holds an op back because its context covers the op that stays")
    }

    @Test("compaction in every log order with any ops staying: the floor and the ops left rebuild the state")
    func compactionEveryOrder() throws {
        var tried = 0
        var brokenWithoutClosure = 0
        for vector in try mergeCases(try mergeDocument()) {
            let records = Set(vector.ops.map(\.record))
            for record in records.sorted(by: { $0.value < $1.value }) {
                for order in orderings(vector.ops.filter { $0.record == record }) {
                    let (states, log, _) = deliver(order)
                    let full = try #require(states[record])
                    for mask in 0..<(1 << log.count) {
                        let stayingPositions = Set(log.indices.filter { mask & (1 << $0) != 0 })
                        let result = compacted(log, stayingPositions: stayingPositions)
                        let rebuilt = deliver(result.left, onto: [record: result.floor])
                        #expect(
                            rebuilt.waiting.isEmpty && rebuilt.states[record] == full,
                            "\(vector.name): log \(log.map(\.dot)) staying \(stayingPositions.sorted())")
                        // Every op that left arrives again as a duplicate.
                        #expect(result.leaving.allSatisfy { result.floor.hasApplied($0) })
                        // The same without the closure rule: some split must lose or add a value.
                        let naive = compacted(log, stayingPositions: stayingPositions, closure: false)
                        if deliver(naive.left, onto: [record: naive.floor]).states[record] != full {
                            brokenWithoutClosure += 1
                        }
                        tried += 1
                    }
                }
            }
        }
        #expect(tried > 500)
        #expect(brokenWithoutClosure > 0, "the vectors must hold a split that needs the closure rule")
    }
}
