import Crypto
import Foundation
import HearthCore
import HearthProtocol
import Testing

/// A fixed test key (raw bytes), so the globals are plain values.
private let privateKey = [UInt8](repeating: 7, count: 32)
private let publicKey = try! Curve25519.Signing.PrivateKey(rawRepresentation: privateKey).publicKey.rawRepresentation
    .base64EncodedString()

private func sign(_ message: [UInt8]) throws -> String {
    try Signer.sign(message, with: privateKey)
}

@Test("the hub's time on an answer is covered by the answer's signature")
func responseSignatureCoversTime() throws {
    func message(_ time: Int64?) -> [UInt8] {
        Signer.responseMessage(nonce: "00ff", status: 401, body: Array("answer".utf8), timeMillis: time)
    }
    let signature = try sign(message(1_000))
    #expect(Signer.verify(signature, of: message(1_000), publicKey: publicKey))
    #expect(!Signer.verify(signature, of: message(1_001), publicKey: publicKey))
    #expect(!Signer.verify(signature, of: message(nil), publicKey: publicKey))
}

@Test("a request's stated clock offset is covered by its signature; without one the signed string is as before")
func requestSignatureCoversOffset() throws {
    func message(_ offset: Int64?) -> [UInt8] {
        Signer.requestMessage(
            method: "POST", path: "/v1/pull", replica: "3f9a2c71b0d4", timeMillis: 5, nonce: "00ff", body: [1, 2],
            offsetMillis: offset)
    }
    let signature = try sign(message(-86_400_000))
    #expect(Signer.verify(signature, of: message(-86_400_000), publicKey: publicKey))
    #expect(!Signer.verify(signature, of: message(0), publicKey: publicKey))
    #expect(!Signer.verify(signature, of: message(nil), publicKey: publicKey))
    let plain = String(decoding: message(nil), as: UTF8.self)
    #expect(plain.split(separator: "\n").count == 7)
    #expect(String(decoding: message(-1), as: UTF8.self) == plain + "\n-1")
}

@Test("an index entry is a 14-bit prefix and nothing else; the old [prefix, township, programs] form is refused")
func indexEntriesArePrefixes() throws {
    #expect(DuplicateIndex.prefix(ofHash: "ffff" + String(repeating: "0", count: 60)) == 16_383)
    #expect(DuplicateIndex.prefix(ofHash: "0003") == 0)
    #expect(DuplicateIndex.prefix(ofHash: "0004") == 1)
    #expect(DuplicateIndex.prefix(ofHash: "abc") == nil)
    func answer(_ entries: [JSON]) -> JSON {
        .object([
            "v": .integer(1), "version": .string("0123456789abcdef"), "unchanged": .bool(false),
            "entries": .array(entries),
        ])
    }
    let read = try IndexResponse(json: answer([.integer(7), .integer(3), .integer(7)]))
    #expect(read.entries == [3, 7])
    #expect(throws: MessageError.self) {
        let old = JSON.array([.string("a1b2c"), .string("421281101"), .array([.string("dibao_rural")])])
        return try IndexResponse(json: answer([old]))
    }
    #expect(throws: MessageError.self) { try IndexResponse(json: answer([.integer(16_384)])) }
    #expect(throws: MessageError.self) { try IndexResponse(json: answer([.integer(-1)])) }
}

@Test("a delta of the index names the prefixes added and removed, both, and no entries; a request says it takes deltas")
func indexDeltas() throws {
    let delta = IndexResponse(version: "d7", unchanged: false, entries: [], added: [9, 2, 9], removed: [16_383])
    let read = try IndexResponse(json: try JSON.parse(delta.json.canonicalText))
    #expect(read == delta && read.isDelta && read.added == [2, 9] && read.removed == [16_383])
    #expect(!(try IndexResponse(json: IndexResponse(version: "d7", unchanged: false, entries: [1]).json)).isDelta)
    func answer(_ fields: [String: JSON]) -> JSON {
        .object(
            ["v": .integer(1), "version": .string("d7"), "unchanged": .bool(false), "entries": .array([])]
                .merging(fields) { $1 })
    }
    // Only one side of a delta, entries beside one, a delta that is also "unchanged", or a bad prefix.
    for fields: [String: JSON] in [
        ["added": .array([.integer(1)])],
        ["added": .array([]), "removed": .array([]), "entries": .array([.integer(1)])],
        ["added": .array([]), "removed": .array([]), "unchanged": .bool(true)],
        ["added": .array([.integer(16_384)]), "removed": .array([])],
        ["added": .string("1"), "removed": .array([])],
    ] {
        #expect(throws: MessageError.self) { try IndexResponse(json: answer(fields)) }
    }
    let replica = ReplicaID("0123456789ab")
    #expect(try IndexRequest(json: IndexRequest(replica: replica, version: "d7", deltas: true).json).deltas)
    #expect(!(try IndexRequest(json: IndexRequest(replica: replica, version: "d7").json)).deltas)
    #expect(IndexRequest(replica: replica, version: "").json["deltas"] == nil, "an old node's request, unchanged")
    #expect(throws: MessageError.self) {
        try IndexRequest(
            json: .object([
                "v": .integer(1), "replica": .string("0123456789ab"), "version": .string(""), "deltas": .integer(1),
            ]))
    }
}

@Test("the whole index as a bitmap: the same prefixes, 2 KiB whatever the county; a wrong bitmap is refused")
func indexBitmap() throws {
    let prefixes = [0, 7, 8, 4_660, 16_383]
    let whole = IndexResponse(version: "d9", unchanged: false, entries: prefixes, asBitmap: true)
    #expect(whole.json["entries"] == .array([]))
    let bitmap = try #require(whole.json["bitmap"]?.stringValue)
    #expect(Data(base64Encoded: bitmap)?.count == 2_048)
    let read = try IndexResponse(json: try JSON.parse(whole.json.canonicalText))
    #expect(read.entries == prefixes && read.asBitmap && !read.isDelta)
    #expect(DuplicateIndexBitmap.bitmap(of: [0, 9])[0...1] == [0x80, 0x40])
    let full = Array(0..<16_384)
    #expect(DuplicateIndexBitmap.prefixes(in: DuplicateIndexBitmap.bitmap(of: full)) == full)
    func answer(_ fields: [String: JSON]) -> JSON {
        .object(
            ["v": .integer(1), "version": .string("d9"), "unchanged": .bool(false), "entries": .array([])]
                .merging(fields) { $1 })
    }
    let good = JSON.string(Data(repeating: 0, count: 2_048).base64EncodedString())
    #expect(try IndexResponse(json: answer(["bitmap": good])).entries.isEmpty)
    for fields: [String: JSON] in [
        ["bitmap": .string(Data(repeating: 0, count: 2_047).base64EncodedString())],
        ["bitmap": .string("not base64!")],
        ["bitmap": .integer(1)],
        ["bitmap": good, "entries": .array([.integer(1)])],
        ["bitmap": good, "unchanged": .bool(true)],
        ["bitmap": good, "added": .array([]), "removed": .array([])],
    ] {
        #expect(throws: MessageError.self) { try IndexResponse(json: answer(fields)) }
    }
}
