import Foundation
import HearthCore
import Testing

// Keeps Protocol/ and the code from drifting apart: the policy table must list exactly
// RecordSchema, the merge vectors must encode, hash and merge as the code does, and the
// JSON Schema must at least be JSON that names the keys Op.json writes.

/// The folder that holds Package.swift, found by walking up from this file.
private let repositoryRoot: URL = {
    var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while folder.path != "/" {
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
            return folder
        }
        folder = folder.deletingLastPathComponent()
    }
    fatalError("no Package.swift above \(#filePath)")
}()

private func protocolFile(_ path: String) throws -> [UInt8] {
    let url = repositoryRoot.appendingPathComponent("Protocol").appendingPathComponent(path)
    return Array(try Data(contentsOf: url))
}

/// Every ordering of `items` (n! of them; the vectors keep n small).
private func permutations<T>(_ items: [T]) -> [[T]] {
    guard items.count > 1 else { return [items] }
    var out: [[T]] = []
    for index in items.indices {
        var rest = items
        let first = rest.remove(at: index)
        for tail in permutations(rest) { out.append([first] + tail) }
    }
    return out
}

/// Delivers ops in the given order as a replica would: an op whose context is not yet covered
/// by its record's clock waits, and waiting ops are retried after every apply (docs/rules.md R11).
private func deliver(_ ops: [Op]) -> (states: [RecordID: RecordState], stuck: [Op]) {
    var states: [RecordID: RecordState] = [:]
    var waiting: [Op] = []
    func tryApply(_ op: Op) -> Bool {
        var state = states[op.record] ?? RecordState(id: op.record)
        guard state.missingDependencies(of: op).isEmpty else { return false }
        state.apply(op)
        states[op.record] = state
        return true
    }
    for op in ops {
        guard tryApply(op) else {
            waiting.append(op)
            continue
        }
        var progress = true
        while progress {
            progress = false
            if let index = waiting.firstIndex(where: tryApply) {
                waiting.remove(at: index)
                progress = true
            }
        }
    }
    return (states, waiting)
}

private struct VectorOp {
    let op: Op
    let source: JSON
    let canonical: String
    let hash: String
    /// What a replica's schema check says of the op (`schema_problems`; none for most vectors).
    let schemaProblems: [String]
}

private struct VectorCase {
    let name: String
    let ops: [VectorOp]
    let expected: [String: JSON]
}

private func loadVectors() throws -> (version: Int64?, cases: [VectorCase]) {
    let document = try JSON.parse(try protocolFile("vectors/merge-vectors.json"))
    var cases: [VectorCase] = []
    for item in document["cases"]?.arrayValue ?? [] {
        let name = item["name"]?.stringValue ?? "?"
        var ops: [VectorOp] = []
        for entry in item["ops"]?.arrayValue ?? [] {
            let source = try #require(entry["op"], "case \(name): an entry without \"op\"")
            let op = try Op(json: source)
            ops.append(
                VectorOp(
                    op: op, source: source, canonical: entry["canonical"]?.stringValue ?? "",
                    hash: entry["hash"]?.stringValue ?? "",
                    schemaProblems: entry["schema_problems"]?.arrayValue?.compactMap(\.stringValue) ?? []))
        }
        cases.append(VectorCase(name: name, ops: ops, expected: item["expected"]?.objectValue ?? [:]))
    }
    return (document["v"]?.integerValue, cases)
}

@Suite("Protocol documents and vectors")
struct ProtocolTests {
    @Test("field-policies.md lists exactly RecordSchema's fields, kinds and policies, in order")
    func policyTableMatchesSchema() throws {
        let text = String(decoding: try protocolFile("field-policies.md"), as: UTF8.self)
        var tables: [String: [[String]]] = [:]
        var current: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("## ") {
                let heading = line.dropFirst(3)
                current =
                    heading.hasPrefix("Record type: ")
                    ? heading.dropFirst("Record type: ".count).trimmingCharacters(in: CharacterSet(charactersIn: "` "))
                    : nil
                continue
            }
            guard let type = current, line.hasPrefix("| `") else { continue }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`")) }
            tables[type, default: []].append(Array(cells))
        }
        #expect(Set(tables.keys) == Set(RecordType.allCases.map(\.rawValue)))
        for type in RecordType.allCases {
            let rows = tables[type.rawValue] ?? []
            let documented = rows.map { $0.count >= 3 ? [$0[0], $0[1], $0[2]] : $0 }
            let declared = RecordSchema.fields(of: type).map { [$0.name, $0.kind.name, $0.policy.name] }
            #expect(documented == declared, "table for \(type.rawValue) differs from RecordSchema")
            #expect(rows.allSatisfy { $0.count == 4 && !$0[3].isEmpty }, "every row of \(type.rawValue) has a meaning")
        }
    }

    @Test("every vector op decodes, and re-encodes to the vector's canonical text and hash")
    func vectorEncoding() throws {
        let vectors = try loadVectors()
        #expect(vectors.version == Op.formatVersion)
        #expect(!vectors.cases.isEmpty)
        for vector in vectors.cases {
            #expect(!vector.ops.isEmpty, "case \(vector.name) has no ops")
            for item in vector.ops {
                let dot = item.op.dot.description
                #expect(item.op.json == item.source, "\(vector.name) \(dot): decoding lost or changed something")
                #expect(item.op.json.canonicalText == item.canonical, "\(vector.name) \(dot): canonical text")
                #expect(String(decoding: item.op.canonicalBytes, as: UTF8.self) == item.canonical)
                #expect(item.op.hash == item.hash, "\(vector.name) \(dot): hash")
                #expect(
                    item.op.schemaProblems == item.schemaProblems, "\(vector.name) \(dot): \(item.op.schemaProblems)")
                let reread = try Op(bytes: Array(item.canonical.utf8))
                #expect(reread == item.op, "\(vector.name) \(dot): canonical bytes read back differently")
            }
            // Each replica's ops in the case form a hash chain starting from "".
            let byReplica = Dictionary(grouping: vector.ops, by: { $0.op.dot.replica })
            for (replica, items) in byReplica {
                var previous = ""
                for (index, item) in items.sorted(by: { $0.op.dot.counter < $1.op.dot.counter }).enumerated() {
                    #expect(item.op.dot.counter == UInt64(index + 1), "\(vector.name): counters of \(replica)")
                    #expect(item.op.previous == previous, "\(vector.name) \(item.op.dot): prev")
                    previous = item.hash
                }
            }
        }
    }

    @Test("the vectors merge to the expected values in every causal delivery order, idempotently")
    func vectorMerge() throws {
        for vector in try loadVectors().cases {
            let ops = vector.ops.map(\.op)
            var reference: [RecordID: RecordState]?
            for order in permutations(ops) {
                var (states, stuck) = deliver(order)
                #expect(stuck.isEmpty, "\(vector.name): ops left waiting: \(stuck.map(\.dot))")
                let once = states
                for op in order.reversed() { states[op.record]?.apply(op) }
                #expect(states == once, "\(vector.name): applying the ops again changed the state")
                if let reference {
                    #expect(states == reference, "\(vector.name): order \(order.map(\.dot)) diverged")
                } else {
                    reference = states
                }
            }
            let states = try #require(reference)
            #expect(Set(states.keys.map(\.value)) == Set(vector.expected.keys), "\(vector.name): records")
            for (recordText, expected) in vector.expected {
                let id = try #require(RecordID(recordText))
                let state = try #require(states[id], "\(vector.name): no state for \(recordText)")
                check(state, against: expected, in: vector.name)
            }
        }
    }

    @Test("the vectors' ops in two overlapping parts, cut anywhere, in any order: the parts joined, both delivered")
    func vectorJoin() throws {
        var joins = 0
        for vector in try loadVectors().cases {
            let ops = vector.ops.map(\.op)
            for order in permutations(ops) {
                for cut in 0...order.count {
                    let leftPart = Array(order[..<cut])
                    // The second part shares the first's oldest ops, so its later ops can overwrite
                    // values the first part holds.
                    let rightPart = Array(order[..<(cut / 2)] + order[cut...])
                    let (left, leftWaiting) = deliver(leftPart)
                    let (right, rightWaiting) = deliver(rightPart)
                    // What either part applied (an op waiting in one part may be applied in the other).
                    let held = Set(
                        leftPart.map(\.dot).filter { dot in !leftWaiting.contains { $0.dot == dot } }
                            + rightPart.map(\.dot).filter { dot in !rightWaiting.contains { $0.dot == dot } })
                    let (both, _) = deliver(order.filter { held.contains($0.dot) })
                    var joined = left
                    for (id, state) in right {
                        // Typed, so that a join that fails (nil) fails the test, not empties the entry.
                        let merged: RecordState = try #require(joined[id].map { $0.joined(with: state) } ?? state)
                        joined[id] = merged
                    }
                    #expect(joined == both, "\(vector.name): order \(order.map(\.dot)) cut at \(cut)")
                    joins += 1
                }
            }
        }
        #expect(joins > 100)
    }

    private func check(_ state: RecordState, against expected: JSON, in name: String) {
        let place = "\(name) \(state.id)"
        #expect(state.clockJSON == expected["clock"], "\(place): clock")
        #expect(expected["updated_millis"]?.integerValue == state.updated.millis, "\(place): updated_millis")
        #expect(
            expected["conflicts"]?.arrayValue?.compactMap(\.stringValue) == state.conflicts, "\(place): conflicts")
        let fields = expected["fields"]?.objectValue ?? [:]
        #expect(Set(fields.keys) == Set(state.registers.keys), "\(place): set of fields")
        for (field, want) in fields {
            let resolution = state.resolution(of: field)
            #expect(resolution.value.json == want["value"], "\(place) \(field): value")
            #expect(
                want["in_conflict"] == .bool(resolution.inConflict), "\(place) \(field): in_conflict")
            let candidates = resolution.candidates.map { JSON.string($0.dot.description) }
            #expect(want["candidates"] == .array(candidates), "\(place) \(field): candidates")
        }
    }

    @Test("op.schema.json is valid JSON and names exactly the keys Op.json writes")
    func opSchemaIsJSON() throws {
        let schema = try JSON.parse(try protocolFile("schemas/op.schema.json"))
        #expect(schema["$schema"]?.stringValue == "https://json-schema.org/draft/2020-12/schema")
        let replica = ReplicaID("3f9a2c71b0d4")
        let author = ReplicaID("0123456789ab")
        // A hub's compensating op: the one shape that writes every optional key.
        let op = Op(
            dot: Dot(replica: replica, counter: 2), hlc: HLC(millis: 1, logical: 0), author: "wang.fang",
            origin: try ScopePrefix.parse("421281", field: "origin"),
            record: RecordID(type: .household, creator: Dot(replica: author, counter: 1)),
            scope: try DivisionCode.parse("421281100201", field: "scope"), fields: ["note": .text("x")],
            context: VersionVector([author: 2, replica: 1]), previous: "", cause: "test",
            voids: [Dot(replica: author, counter: 2)])
        #expect(try Op(bytes: op.canonicalBytes) == op)
        let written = Set(op.json.objectValue?.keys.map { $0 } ?? [])
        let documented = Set(schema["properties"]?.objectValue?.keys.map { $0 } ?? [])
        #expect(written == documented)
        let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        #expect(required == written.subtracting(["cause", "voids"]))
    }
}
