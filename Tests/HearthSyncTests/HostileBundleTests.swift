import Crypto
import Foundation
import HearthClient
import HearthCore
import HearthHub
import HearthProtocol
import HearthLedger
import HearthStore
import Testing

/// Damaged and malformed bundle files, on the hub's import and on the node's: each refused with
/// a sentence naming what was wrong, and nothing imported.
@Suite("Hostile bundle files are refused on both sides and change nothing")
struct HostileBundleTests {
    typealias Mark = BundleTests.Mark

    /// A county where a file-only village node has written its first bundle (with its
    /// registration) and another node's ops wait at the hub for it.
    struct Setting {
        let county: TestCounty
        let service: HubService
        let village: Replica
        /// The village's genuine bundle for the hub, not yet imported.
        let nodeBundle: String

        init() async throws {
            county = try TestCounty()
            service = county.service()
            village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: nil)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            try village.edit(home) { $0.phone = "13800000001" }
            nodeBundle = county.directory + "/village.hbundle"
            _ = try NodeBundles.export(village, to: nodeBundle)
        }

        /// Registers the village through its bundle and gives the hub a household in the
        /// village from another node; returns the hub's genuine bundle for the village.
        func hubBundle() async throws -> String {
            _ = try await service.importBundle(try BundleFile.read(nodeBundle))
            let neighbour = try await county.node(name: "village-001b", scope: TestCounty.village1, hubURL: nil)
            try neighbour.household(in: TestCounty.village1, address: "二组")
            let carried = county.directory + "/neighbour.hbundle"
            _ = try NodeBundles.export(neighbour, to: carried)
            _ = try await service.importBundle(try BundleFile.read(carried))
            let path = county.directory + "/for-village.hbundle"
            try await BundleFile.write(try service.exportBundle(forNode: "village-001").bytes, to: path)
            return path
        }

        /// Writes `bytes` as a new file and returns its path.
        func file(_ name: String, _ bytes: [UInt8]) throws -> String {
            let path = county.directory + "/" + name
            try BundleFile.write(bytes, to: path)
            return path
        }

        /// The content of a genuine bundle file, changed by `change` and sealed again by `key`
        /// (so only the change is wrong, not the signature).
        func resigned(_ path: String, key: [UInt8], _ change: (inout [String: JSON]) -> Void) throws -> [UInt8] {
            let sealed = try SealedBundle(reading: try BundleFile.read(path))
            guard var content = try JSON.parse(try Gzip.decompress(sealed.compressedContent)).objectValue else {
                throw TestFailure("no bundle content")
            }
            change(&content)
            return try SealedBundle.seal(
                kind: sealed.header.kind, from: sealed.header.from, to: sealed.header.to,
                registration: sealed.header.registration, content: JSON.object(content).canonicalBytes, privateKey: key)
        }

        /// A bundle file laid out by hand: `header` (its fields as given, even when they lie about
        /// the content) signed by `key`, then `content` as given.
        static func handSealed(_ header: BundleHeader, content: [UInt8], key: [UInt8]) throws -> [UInt8] {
            let signature = try Signer.sign(Signer.bundleMessage(header.json.canonicalBytes), with: key)
            let line = JSON.object(["header": header.json, "signature": .string(signature)]).canonicalBytes
            return SealedBundle.magic + line + [UInt8(ascii: "\n")] + content
        }

        var villageKey: [UInt8] { Array(village.keys.signingKey.rawRepresentation) }
        var hubKey: [UInt8] { Array(county.hub.keys.signingKey.rawRepresentation) }
    }

    /// What importing `path` on the hub threw, as text; nil when it imported.
    static func hubRefusal(_ setting: Setting, _ path: String) async -> String? {
        do {
            _ = try await setting.service.importBundle(try BundleFile.read(path))
            return nil
        } catch {
            return String(describing: error)
        }
    }

    /// What importing `path` on the village threw, as text; nil when it imported.
    static func nodeRefusal(_ setting: Setting, _ path: String) -> String? {
        do {
            _ = try NodeBundles.import(setting.village, from: path, nowMillis: TestCounty.now)
            return nil
        } catch {
            return String(describing: error)
        }
    }

    @Test(
        "the hub refuses a truncated, a byte-flipped, a future version's and an over-long node bundle, and registers no one"
    )
    func hubRefusesDamagedBundles() async throws {
        let setting = try await Setting()
        let genuine = Array(try Data(contentsOf: URL(fileURLWithPath: setting.nodeBundle)))
        // Both inside the compressed content, after the header.
        var flipped = genuine
        flipped[flipped.count - 12] ^= 0x01
        let cases: [(name: String, path: String, says: String)] = [
            (
                "truncated", try setting.file("truncated.hbundle", Array(genuine.prefix(genuine.count - 30))),
                "truncated"
            ),
            ("a flipped byte", try setting.file("flipped.hbundle", flipped), "damaged"),
            (
                "a future protocol version",
                try setting.file(
                    "future.hbundle",
                    try setting.resigned(setting.nodeBundle, key: setting.villageKey) {
                        $0["v"] = .integer(WireVersion.readable.upperBound + 1)
                    }),
                "unsupported protocol version"
            ),
            (
                "\(HearthProtocol.Bundle.maxPieces + 1) pieces",
                try setting.file(
                    "long.hbundle",
                    try setting.resigned(setting.nodeBundle, key: setting.villageKey) { content in
                        content["pushes"] = .array(
                            Array(
                                repeating: content["pushes"]!.arrayValue![0], count: HearthProtocol.Bundle.maxPieces + 1
                            ))
                    }),
                "at most \(HearthProtocol.Bundle.maxPieces) pieces"
            ),
        ]
        let before = try await Mark(hub: setting.county.hub)
        for item in cases {
            let refusal = await Self.hubRefusal(setting, item.path)
            #expect(refusal?.contains(item.says) == true, "\(item.name): \(refusal ?? "imported")")
            #expect(try await Mark(hub: setting.county.hub) == before, "\(item.name)")
            #expect(try await setting.county.hub.node(setting.village.info.id) == nil, "\(item.name)")
        }
        // The genuine file still imports.
        #expect(try await setting.service.importBundle(try BundleFile.read(setting.nodeBundle)).applied == 2)
    }

    @Test("a node bundle whose last piece breaks its chain imports nothing, not even its first piece or registration")
    func hubImportsAllPiecesOrNone() async throws {
        let setting = try await Setting()
        let broken = try setting.resigned(setting.nodeBundle, key: setting.villageKey) { content in
            // Split the genuine push in two pieces and sign the second head over a wrong hash.
            guard let push = content["pushes"]?.arrayValue?.first, let ops = push["ops"]?.arrayValue, ops.count == 2,
                var firstPiece = push.objectValue, var secondPiece = push.objectValue,
                let firstOp = try? Op(json: ops[0])
            else { return }
            firstPiece["ops"] = .array([ops[0]])
            firstPiece["chain"] =
                ChainHead(
                    counter: 1, hash: firstOp.hash,
                    signature: (try? setting.village.signChainHead(counter: 1, hash: firstOp.hash)) ?? ""
                ).json
            secondPiece["ops"] = .array([ops[1]])
            let wrong = String(repeating: "0", count: 64)
            secondPiece["chain"] =
                ChainHead(
                    counter: 2, hash: wrong,
                    signature: (try? setting.village.signChainHead(counter: 2, hash: wrong)) ?? ""
                ).json
            content["pushes"] = .array([.object(firstPiece), .object(secondPiece)])
        }
        let path = try setting.file("broken.hbundle", broken)
        let before = try await Mark(hub: setting.county.hub)
        let refusal = await Self.hubRefusal(setting, path)
        #expect(refusal?.contains("piece 2") == true, "\(refusal ?? "imported")")
        #expect(refusal?.contains("chain") == true, "\(refusal ?? "imported")")
        #expect(try await Mark(hub: setting.county.hub) == before)
        #expect(try await setting.county.hub.node(setting.village.info.id) == nil)
        #expect(try await setting.service.importBundle(try BundleFile.read(setting.nodeBundle)).applied == 2)
    }

    @Test(
        "a node refuses a truncated, a byte-flipped, a future version's and an over-long hub bundle, and one whose snapshot is changed or cut, and imports nothing"
    )
    func nodeRefusesDamagedBundles() async throws {
        let setting = try await Setting()
        let hubBundle = try await setting.hubBundle()
        let genuine = Array(try Data(contentsOf: URL(fileURLWithPath: hubBundle)))
        // Both inside the compressed content, after the header.
        var flipped = genuine
        flipped[flipped.count - 12] ^= 0x01
        let cases: [(name: String, path: String, says: String)] = [
            (
                "truncated", try setting.file("h-truncated.hbundle", Array(genuine.prefix(genuine.count - 30))),
                "truncated"
            ),
            ("a flipped byte", try setting.file("h-flipped.hbundle", flipped), "damaged"),
            (
                "a future protocol version",
                try setting.file(
                    "h-future.hbundle",
                    try setting.resigned(hubBundle, key: setting.hubKey) {
                        $0["v"] = .integer(WireVersion.readable.upperBound + 1)
                    }),
                "unsupported protocol version"
            ),
            (
                "\(HearthProtocol.Bundle.maxPieces + 1) pieces",
                try setting.file(
                    "h-long.hbundle",
                    try setting.resigned(hubBundle, key: setting.hubKey) { content in
                        content["pulls"] = .array(
                            Array(
                                repeating: content["pulls"]!.arrayValue![0], count: HearthProtocol.Bundle.maxPieces + 1)
                        )
                    }),
                "at most \(HearthProtocol.Bundle.maxPieces) pieces"
            ),
            // The village has pulled nothing yet: the hub's bundle carries the snapshot of its
            // scope. Signed by the hub, but a state changed (its digest no longer its records'),
            // or a page saying more come after it.
            (
                "a snapshot's state changed",
                try setting.file(
                    "h-state.hbundle",
                    try setting.resigned(hubBundle, key: setting.hubKey) { content in
                        guard var page = content["snapshot"]?.arrayValue?.first?.objectValue,
                            var records = page["records"]?.arrayValue, let last = records.popLast()?.objectValue,
                            let first = records.first?.objectValue
                        else { return }
                        var swapped = last
                        swapped["state"] = first["state"]
                        page["records"] = .array(records + [.object(swapped)])
                        content["snapshot"] = .array([.object(page)])
                    }),
                "page 1 of its snapshot"
            ),
            (
                "a snapshot cut short",
                try setting.file(
                    "h-cut.hbundle",
                    try setting.resigned(hubBundle, key: setting.hubKey) { content in
                        guard var page = content["snapshot"]?.arrayValue?.first?.objectValue else { return }
                        page["next"] = .string("member 421281101001 M-0123456789ab-1")
                        content["snapshot"] = .array([.object(page)])
                    }),
                "cut short"
            ),
        ]
        let before = try Mark(node: setting.village)
        for item in cases {
            let refusal = Self.nodeRefusal(setting, item.path)
            #expect(refusal?.contains(item.says) == true, "\(item.name): \(refusal ?? "imported")")
            #expect(try Mark(node: setting.village) == before, "\(item.name)")
            #expect(try setting.village.syncState().pendingRegistration != nil, "\(item.name)")
        }
        #expect(try setting.village.snapshotProgress() == nil, "no page of a refused snapshot is kept")
        // The genuine file still imports: the snapshot's two households (the village's own,
        // joined with what it holds, and its neighbour's).
        let imported = try NodeBundles.import(setting.village, from: hubBundle, nowMillis: TestCounty.now)
        #expect(imported.snapshotRecords == 2 && imported.ops == 0)
        #expect(try setting.village.recordIDs().filter { $0.type == .household }.count == 2)
    }

    /// The village's genuine bundle as the hub would read it: its header and its content.
    static func genuineParts(_ setting: Setting) throws -> (header: BundleHeader, content: [UInt8]) {
        let sealed = try SealedBundle(reading: try BundleFile.read(setting.nodeBundle))
        return (sealed.header, try Gzip.decompress(sealed.compressedContent))
    }

    @Test("a gzip bomb under a stranger's signature is refused for its signature, before a byte of it is inflated")
    func strangersBombRefusedUninflated() async throws {
        let setting = try await Setting()
        let (genuine, _) = try Self.genuineParts(setting)
        // 20 MB of spaces: as JSON it is nothing, so a hub that inflated it first would say "not JSON".
        let inflated = [UInt8](repeating: UInt8(ascii: " "), count: 20 << 20)
        let bomb = Gzip.compress(inflated)
        let header = BundleHeader(
            kind: .nodeToHub, from: genuine.from, to: genuine.to, registration: genuine.registration,
            contentBytes: bomb.count, contentSHA256: Signer.sha256Hex(bomb), inflatedBytes: inflated.count)
        let stranger = Array(Curve25519.Signing.PrivateKey().rawRepresentation)
        let path = try setting.file("bomb.hbundle", try Setting.handSealed(header, content: bomb, key: stranger))
        let before = try await Mark(hub: setting.county.hub)
        let refusal = await Self.hubRefusal(setting, path)
        #expect(refusal?.contains("signature does not verify") == true, "\(refusal ?? "imported")")
        #expect(try await Mark(hub: setting.county.hub) == before)
        #expect(try await setting.county.hub.node(setting.village.info.id) == nil)
    }

    @Test("a signed bundle whose content inflates past what its header declares is refused, inflated no further")
    func contentPastItsHeaderRefused() async throws {
        let setting = try await Setting()
        let (genuine, content) = try Self.genuineParts(setting)
        // The genuine content followed by 20 MB of spaces (still one JSON document), declared at its genuine size.
        let swollen = Gzip.compress(content + [UInt8](repeating: UInt8(ascii: " "), count: 20 << 20))
        let header = BundleHeader(
            kind: .nodeToHub, from: genuine.from, to: genuine.to, registration: genuine.registration,
            contentBytes: swollen.count, contentSHA256: Signer.sha256Hex(swollen), inflatedBytes: content.count)
        let path = try setting.file(
            "swollen.hbundle", try Setting.handSealed(header, content: swollen, key: setting.villageKey))
        let before = try await Mark(hub: setting.county.hub)
        let refusal = await Self.hubRefusal(setting, path)
        #expect(refusal?.contains("inflates past \(content.count) bytes") == true, "\(refusal ?? "imported")")
        #expect(try await Mark(hub: setting.county.hub) == before)
        #expect(try await setting.county.hub.node(setting.village.info.id) == nil)
        #expect(try await setting.service.importBundle(try BundleFile.read(setting.nodeBundle)).applied == 2)
    }

    @Test("a bundle whose signed header declares content past WireLimits.maxBundleBytes is refused from its header")
    func oversizedDeclarationRefused() async throws {
        let setting = try await Setting()
        let (genuine, content) = try Self.genuineParts(setting)
        let compressed = Gzip.compress(content)
        let header = BundleHeader(
            kind: .nodeToHub, from: genuine.from, to: genuine.to, registration: genuine.registration,
            contentBytes: compressed.count, contentSHA256: Signer.sha256Hex(compressed),
            inflatedBytes: WireLimits.maxBundleBytes + 1)
        let path = try setting.file(
            "declared.hbundle", try Setting.handSealed(header, content: compressed, key: setting.villageKey))
        let refusal = await Self.hubRefusal(setting, path)
        #expect(
            refusal?.contains("a bundle holds at most \(WireLimits.maxBundleBytes)") == true, "\(refusal ?? "imported")"
        )
        #expect(try await setting.county.hub.node(setting.village.info.id) == nil)
    }

    @Test("a file over WireLimits.maxBundleBytes is refused unread; a bundle in the old gzip format is named as such")
    func oversizedAndOldFilesRefused() async throws {
        let setting = try await Setting()
        let large = setting.county.directory + "/large.hbundle"
        #expect(FileManager.default.createFile(atPath: large, contents: Data(SealedBundle.magic)))
        let handle = try #require(FileHandle(forWritingAtPath: large))
        try handle.truncate(atOffset: UInt64(WireLimits.maxBundleBytes + 1))
        try handle.close()
        #expect(throws: BundleFile.Failure.self) { try BundleFile.read(large) }
        do {
            _ = try BundleFile.read(large)
        } catch {
            #expect(String(describing: error).contains("larger than \(WireLimits.maxBundleBytes) bytes"))
        }
        // What an earlier Hearth wrote: gzip of the signed JSON.
        let old = try setting.file("old.hbundle", Gzip.compress(Array("{\"bundle\":{},\"signature\":\"\"}".utf8)))
        await #expect(Self.hubRefusal(setting, old)?.contains("format of an earlier Hearth") == true)
        #expect(Self.nodeRefusal(setting, old)?.contains("format of an earlier Hearth") == true)
    }
}
