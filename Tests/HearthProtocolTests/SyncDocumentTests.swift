import Crypto
import Foundation
import HearthCore
import HearthProtocol
import Testing

// Keeps Protocol/sync.md's machine-readable companions and the code from drifting apart:
// openapi.yaml must name every path and header the code uses, every schema file must be
// JSON, and each message schema must list exactly the keys the message's `json` writes.

/// The folder that holds Package.swift, found by walking up from this file.
let repositoryRoot: URL = {
    var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while folder.path != "/" {
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
            return folder
        }
        folder = folder.deletingLastPathComponent()
    }
    fatalError("no Package.swift above \(#filePath)")
}()

func protocolFile(_ path: String) throws -> [UInt8] {
    Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("Protocol").appendingPathComponent(path)))
}

private let replica = ReplicaID("3f9a2c71b0d4")
private let hub = ReplicaID("a81c5e0f2b97")

/// An op the hub made, handed back by a node after a restore.
private let handedBack = Op(
    dot: Dot(replica: hub, counter: 4), hlc: HLC(millis: 1_790_000_000_000, logical: 0), author: "admin",
    origin: try! ScopePrefix.parse("421281", field: "origin"),
    record: RecordID(type: .household, creator: Dot(replica: hub, counter: 4)),
    scope: try! DivisionCode.parse("421281101001", field: "scope"), fields: ["address": .text("一组")],
    context: .empty, previous: "")

/// The merge state of the record `handedBack` creates, as a snapshot carries it.
private let handedBackRecord: SnapshotRecord = {
    var state = RecordState(id: handedBack.record)
    state.apply(handedBack)
    return SnapshotRecord(id: handedBack.record, state: state.compactBytes)
}()

/// A household the hub made that moved to another village: a departed record of a snapshot.
private let departedRecord: SnapshotRecord = {
    let made = Op(
        dot: Dot(replica: hub, counter: 5), hlc: HLC(millis: 1_790_000_000_001, logical: 0), author: "admin",
        origin: try! ScopePrefix.parse("421281", field: "origin"),
        record: RecordID(type: .household, creator: Dot(replica: hub, counter: 5)),
        scope: try! DivisionCode.parse("421281101002", field: "scope"),
        fields: ["address": .text("二组"), "village": .text("421281101002")], context: .empty, previous: "")
    var state = RecordState(id: made.record)
    state.apply(made)
    return SnapshotRecord(id: made.record, state: state.compactBytes)
}()

/// One sample of every HTTP message, with the schema file that describes it.
private let samples: [(schema: String, json: JSON)] = [
    (
        "push-request.schema.json",
        PushRequest(
            replica: replica, ops: [],
            chain: ChainHead(counter: 1, hash: String(repeating: "0", count: 64), signature: "c2lnbmF0dXJl")
        ).json
    ),
    (
        "push-request.schema.json",
        PushRequest(
            replica: replica, ops: [], chain: ChainHead(counter: 0, hash: "", signature: "c2lnbmF0dXJl"),
            returned: [handedBack], stamps: [handedBack.dot: "AAAAAAAAAAAAAAAAAAAAAA=="]
        ).json
    ),
    (
        "push-response.schema.json",
        PushResponse(
            acked: 3, ackedHash: String(repeating: "ab", count: 32), applied: 1, duplicates: 0, waiting: 0,
            quarantined: [], returned: ReturnedCount(taken: 1, held: 0, refused: 0)
        ).json
    ),
    (
        "push-response.schema.json",
        PushResponse(
            acked: 3, ackedHash: String(repeating: "ab", count: 32), applied: 1, duplicates: 1, waiting: 0,
            quarantined: [QuarantineNote(dot: Dot(replica: replica, counter: 2), reason: "village outside scope")]
        ).json
    ),
    ("pull-request.schema.json", PullRequest(replica: replica, cursor: 0, maxOps: 1_000).json),
    (
        "pull-response.schema.json",
        PullResponse(hub: hub, ops: [], cursor: 8, more: false, yourCounter: 3, yourHash: "").json
    ),
    (
        "pull-response.schema.json",
        PullResponse(
            hub: hub, ops: [], cursor: 8, more: false, yourCounter: 3, yourHash: "",
            stamps: [Dot(replica: hub, counter: 4): "AAAAAAAAAAAAAAAAAAAAAA=="],
            retired: [RetiredWriter(writer: replica, after: 3)], entered: [departedRecord]
        ).json
    ),
    (
        "register-request.schema.json",
        RegisterRequest(secret: "c2VjcmV0", replica: replica, publicKey: "a2V5", name: "village 1").json
    ),
    (
        "register-response.schema.json",
        RegisterResponse(hub: hub, hubKey: "a2V5", scope: "421281101001", name: "village 1").json
    ),
    ("error.schema.json", ErrorBody(code: "gap", message: "the hub holds your ops up to 3; send from 4, not 5").json),
    ("index-request.schema.json", IndexRequest(replica: replica, version: "").json),
    ("index-request.schema.json", IndexRequest(replica: replica, version: "d41", deltas: true).json),
    (
        "index-response.schema.json",
        IndexResponse(version: "0123456789abcdef", unchanged: false, entries: [0, 4_660, 16_383]).json
    ),
    (
        "index-response.schema.json",
        IndexResponse(version: "d42", unchanged: false, entries: [], added: [4_660], removed: [0, 16_383]).json
    ),
    (
        "index-response.schema.json",
        IndexResponse(version: "d42", unchanged: false, entries: [0, 4_660], asBitmap: true).json
    ),
    ("snapshot-request.schema.json", SnapshotRequest(replica: replica, after: nil, maxRecords: 2_000).json),
    (
        "snapshot-request.schema.json",
        SnapshotRequest(replica: replica, after: "household 421281101001 H-a81c5e0f2b97-4", maxRecords: 2_000).json
    ),
    (
        "snapshot-response.schema.json",
        SnapshotResponse(
            hub: hub, position: 42, records: [handedBackRecord], waiting: [handedBack],
            next: "household 421281101001 H-a81c5e0f2b97-4"
        ).json()
    ),
    (
        "snapshot-response.schema.json",
        SnapshotResponse(hub: hub, position: 42, records: [], waiting: [], next: nil).json()
    ),
    (
        "snapshot-response.schema.json",
        SnapshotResponse(
            hub: hub, position: 42, records: [handedBackRecord], waiting: [], departed: [departedRecord], next: nil
        ).json()
    ),
]

private let schemaFiles = [
    "op.schema.json", "push-request.schema.json", "push-response.schema.json", "pull-request.schema.json",
    "pull-response.schema.json", "register-request.schema.json", "register-response.schema.json", "error.schema.json",
    "bundle.schema.json", "bundle-content.schema.json", "index-request.schema.json", "index-response.schema.json",
    "wire-op.schema.json", "snapshot-request.schema.json", "snapshot-response.schema.json",
]

@Test("openapi.yaml names every sync path and every sync header")
func openAPINamesPathsAndHeaders() throws {
    let text = String(decoding: try protocolFile("openapi.yaml"), as: UTF8.self)
    #expect(text.hasPrefix("openapi: 3.1"))
    for path in [
        SyncPath.register, SyncPath.push, SyncPath.pull, SyncPath.index, SyncPath.snapshot, SyncPath.health,
        SyncPath.metrics,
    ] {
        #expect(text.contains("\n  \(path):\n"), "openapi.yaml has no path item \(path)")
    }
    for header in [SyncHeader.replica, SyncHeader.time, SyncHeader.offset, SyncHeader.nonce, SyncHeader.signature] {
        #expect(text.contains("name: \(header)\n"), "openapi.yaml has no header parameter \(header)")
    }
}

@Test("every schema file in Protocol/schemas parses as JSON and is a draft 2020-12 object schema")
func schemaFilesParse() throws {
    let folder = repositoryRoot.appendingPathComponent("Protocol/schemas")
    let present = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
        $0.hasSuffix(".schema.json")
    }
    #expect(Set(present) == Set(schemaFiles))
    for name in present {
        let schema = try JSON.parse(try protocolFile("schemas/" + name))
        #expect(schema["$schema"]?.stringValue == "https://json-schema.org/draft/2020-12/schema", "\(name)")
        #expect(schema["type"]?.stringValue == "object", "\(name)")
        #expect(schema["properties"]?.objectValue != nil, "\(name)")
    }
}

@Test(
    "each message writes its schema's required keys and only its properties; the samples of a schema write all of them")
func messageKeysMatchSchemas() throws {
    var writtenBySchema: [String: Set<String>] = [:]
    for (file, json) in samples {
        let schema = try JSON.parse(try protocolFile("schemas/" + file))
        let written = Set(json.objectValue?.keys.map { $0 } ?? [])
        let properties = Set(schema["properties"]?.objectValue?.keys.map { $0 } ?? [])
        let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        #expect(
            written.isSubset(of: properties),
            "\(file): json writes \(written.sorted()), schema has \(properties.sorted())")
        #expect(
            required.isSubset(of: written),
            "\(file): json writes \(written.sorted()), schema requires \(required.sorted())")
        writtenBySchema[file, default: []].formUnion(written)
    }
    // Every property, optional ones too, is written by some sample: none is left undocumented by use.
    for (file, written) in writtenBySchema {
        let schema = try JSON.parse(try protocolFile("schemas/" + file))
        let properties = Set(schema["properties"]?.objectValue?.keys.map { $0 } ?? [])
        #expect(written == properties, "\(file): samples write \(written.sorted()), schema has \(properties.sorted())")
    }
}

@Test("the nested chain head and quarantine note match their schema definitions")
func nestedKeysMatchSchemas() throws {
    let push = try JSON.parse(try protocolFile("schemas/push-request.schema.json"))
    let chain = ChainHead(counter: 1, hash: String(repeating: "0", count: 64), signature: "c2ln").json
    #expect(
        Set(chain.objectValue?.keys.map { $0 } ?? [])
            == Set(push["$defs"]?["chainHead"]?["properties"]?.objectValue?.keys.map { $0 } ?? []))
    let response = try JSON.parse(try protocolFile("schemas/push-response.schema.json"))
    let note = QuarantineNote(dot: Dot(replica: replica, counter: 1), reason: "r").json
    #expect(
        Set(note.objectValue?.keys.map { $0 } ?? [])
            == Set(response["$defs"]?["quarantineNote"]?["properties"]?.objectValue?.keys.map { $0 } ?? []))
}

@Test("every message schema pins the version writers send (WireVersion.current)")
func schemasPinVersion() throws {
    for (file, json) in samples {
        let schema = try JSON.parse(try protocolFile("schemas/" + file))
        #expect(schema["properties"]?["v"]?["const"]?.integerValue == WireVersion.current, "\(file)")
        #expect(json["v"]?.integerValue == WireVersion.current, "\(file)")
    }
}

@Test("a sealed bundle's header line and content have exactly the keys their schemas list, and the file reads back")
func bundleKeysMatchSchemas() throws {
    let key = Curve25519.Signing.PrivateKey()
    let registration = RegisterRequest(
        secret: "c2VjcmV0", replica: replica, publicKey: key.publicKey.rawRepresentation.base64EncodedString(),
        name: "village 1")
    let bundle = HearthProtocol.Bundle(
        kind: .nodeToHub, from: replica, to: hub, registration: registration, pushes: [], pulledCursor: 7,
        snapshotWanted: true)
    let file = try bundle.sealed(privateKey: Array(key.rawRepresentation))
    #expect(file.starts(with: Array("hearth-bundle-v2\n".utf8)))
    let sealed = try SealedBundle(reading: file)
    let opened = try sealed.open(publicKey: registration.publicKey)
    #expect(opened == bundle)

    let lineSchema = try JSON.parse(try protocolFile("schemas/bundle.schema.json"))
    let headerSchema = try #require(lineSchema["$defs"]?["header"])
    let header = Set(sealed.header.json.objectValue?.keys.map { $0 } ?? [])
    #expect(header == Set(headerSchema["properties"]?.objectValue?.keys.map { $0 } ?? []))
    let required = Set((headerSchema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
    #expect(required == header.subtracting(["registration"]))
    #expect(Set(lineSchema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []) == ["header", "signature"])

    let contentSchema = try JSON.parse(try protocolFile("schemas/bundle-content.schema.json"))
    let content = Set(bundle.content.objectValue?.keys.map { $0 } ?? []).union(["index", "snapshot"])
    #expect(content == Set(contentSchema["properties"]?.objectValue?.keys.map { $0 } ?? []))
    #expect(
        Set((contentSchema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
            == content.subtracting(["index", "pulled_cursor", "snapshot", "snapshot_wanted"]))
    #expect(contentSchema["properties"]?["v"]?["const"]?.integerValue == WireVersion.current)
    #expect(headerSchema["properties"]?["v"]?["const"]?.integerValue == WireVersion.current)
}

@Test("a snapshot page's digest is the one sync.md states, and the samples read back")
func snapshotDigestAsDocumented() throws {
    // SHA-256 over each record's id, a line feed, its state in base64 and a line feed.
    let text = handedBackRecord.id.value + "\n" + Data(handedBackRecord.state).base64EncodedString() + "\n"
    #expect(SnapshotDigest.of([handedBackRecord]) == Hex.encode(SHA256.hash(data: Array(text.utf8))))
    #expect(SnapshotDigest.of([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    // A first page's departed records follow its records in the digest.
    let departedText = departedRecord.id.value + "\n" + Data(departedRecord.state).base64EncodedString() + "\n"
    let withDeparted = SnapshotResponse(
        hub: hub, position: 1, records: [handedBackRecord], waiting: [], departed: [departedRecord], next: nil)
    #expect(
        withDeparted.json()["digest"]?.stringValue
            == Hex.encode(SHA256.hash(data: Array((text + departedText).utf8))))
    for (file, json) in samples where file == "snapshot-response.schema.json" {
        let page = try SnapshotResponse(json: json)
        #expect(page.json() == json)
    }
    for (file, json) in samples where file == "snapshot-request.schema.json" {
        #expect(try SnapshotRequest(json: json).json == json)
    }
}
