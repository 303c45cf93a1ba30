import Foundation
import GRDB
import HearthCore
import HearthProtocol
import HearthLedger
import HearthStore
import Testing

@Suite("The duplicate index tells a node no more than \"possibly registered elsewhere\"")
struct DuplicateIndexTests {
    @Test(
        "the index a node receives over HTTP holds hash prefixes only: no township, no program",
        arguments: HubStoreKind.allCases)
    func indexHoldsPrefixesOnly(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            // A township registers a person on rural dibao…
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try township.household(in: TestCounty.village1, address: "一组")
            let member = try township.member(
                of: home, name: "张三", idNumber: idNumber(born: "19800101", sequence: "001"))
            _ = try township.enroll(
                EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                author: "t1", nowMillis: TestCounty.now)
            try await county.sync(township, url: url)
            // …and a village of another township, holding the county data key, fetches the index.
            let elsewhere = try await county.node(name: "village-102-001", scope: "421281102001", hubURL: url)
            let summary = try await county.sync(elsewhere, url: url)
            #expect(summary.indexEntries == 1)

            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            let answer = try await raw.send(
                try SignedRequest(
                    path: SyncPath.index, document: IndexRequest(replica: elsewhere.info.id, version: "").json,
                    signedBy: elsewhere))
            #expect(answer.status == 200)
            #expect(answer.hubSigned)
            let entries = try #require(answer.json["entries"]?.arrayValue)
            #expect(entries.count == 1)
            #expect(entries.allSatisfy { $0.integerValue != nil }, "an entry is a prefix and nothing else: \(entries)")
            let text = answer.json.canonicalText
            #expect(!text.contains(TestCounty.township), "no township on the wire")
            #expect(!text.contains("dibao"), "no program on the wire")
            // The node's stored copy has nowhere to keep more than the prefix: a bit for each.
            let stored = try elsewhere.read { db in
                try Data.fetchOne(db, sql: "SELECT index_bitmap FROM sync_state WHERE id = 1")
            }
            #expect(stored?.count == DuplicateIndexBitmap.byteCount)
            #expect(try elsewhere.duplicateIndexPrefixes().count == 1)
        }
    }

    @Test(
        "a node holding the index gets what changed since its version: a new person's prefix, a dead one's",
        arguments: HubStoreKind.allCases)
    func indexTravelsAsDelta(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try township.household(in: TestCounty.village1, address: "一组")
            let first = try township.member(of: home, name: "张三", idNumber: idNumber(born: "19800101", sequence: "001"))
            try await county.sync(township, url: url)
            let elsewhere = try await county.node(name: "village-102-001", scope: "421281102001", hubURL: url)
            #expect(try await county.sync(elsewhere, url: url).indexEntries == 1)
            let held = try elsewhere.duplicateIndexVersion()
            #expect(try await county.sync(elsewhere, url: url).indexEntries == nil, "unchanged: nothing travels")

            // A second person registered, the first one dead: the index changes by two prefixes.
            let second = idNumber(born: "19900101", sequence: "002")
            _ = try township.member(of: home, name: "李四", idNumber: second, relation: "spouse")
            _ = try township.recordDeath(
                member: first.value, date: "2026-05-14", author: "t1", nowMillis: TestCounty.now)
            try await county.sync(township, url: url)

            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            let answer = try await raw.send(
                try SignedRequest(
                    path: SyncPath.index,
                    document: IndexRequest(replica: elsewhere.info.id, version: held, deltas: true).json,
                    signedBy: elsewhere))
            let delta = try IndexResponse(json: answer.json)
            let secondPrefix = try #require(DuplicateIndex.prefix(ofHash: county.hub.keys.digest(second)))
            let firstPrefix = try #require(
                DuplicateIndex.prefix(ofHash: county.hub.keys.digest(idNumber(born: "19800101", sequence: "001"))))
            #expect(delta.isDelta && delta.entries.isEmpty)
            #expect(delta.added == [secondPrefix] && delta.removed == [firstPrefix])
            // A node that does not take deltas still gets the whole index.
            let whole = try await raw.send(
                try SignedRequest(
                    path: SyncPath.index, document: IndexRequest(replica: elsewhere.info.id, version: held).json,
                    signedBy: elsewhere))
            #expect(try IndexResponse(json: whole.json).entries == [secondPrefix])
            // A node that takes deltas but holds nothing gets the whole index as a bitmap.
            let fresh = try await raw.send(
                try SignedRequest(
                    path: SyncPath.index,
                    document: IndexRequest(replica: elsewhere.info.id, version: "", deltas: true).json,
                    signedBy: elsewhere))
            #expect(fresh.json["bitmap"] != nil)
            #expect(try IndexResponse(json: fresh.json).entries == [secondPrefix])

            #expect(try await county.sync(elsewhere, url: url).indexEntries == 2)
            #expect(try elsewhere.duplicateIndexPrefixes() == [secondPrefix])
            #expect(try elsewhere.possiblyRegisteredElsewhere(idNumber: second))
        }
    }
}
