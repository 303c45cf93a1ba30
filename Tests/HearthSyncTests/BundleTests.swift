import Crypto
import Foundation
import HearthClient
import HearthCore
import HearthHub
import HearthProtocol
import HearthLedger
import HearthStore
import Testing

@Suite("File bundles carry the same exchange as HTTP")
struct BundleTests {
    /// What an import must leave alone when it changes nothing.
    struct Mark: Equatable {
        let ops: Int
        let digest: String
        let cursor: Int64
        let acked: UInt64

        init(node: Replica) throws {
            ops = try node.opCount()
            digest = try node.stateDigest()
            cursor = try node.syncState().pullCursor
            acked = try node.syncState().ackedCounter
        }

        init(hub: HubLedger) async throws {
            ops = try hub.replica.opCount()
            digest = try hub.replica.stateDigest()
            cursor = try await hub.logEnd()
            acked = await UInt64(try hub.nodes().reduce(0) { $0 + Int($1.ackedCounter) })
        }
    }

    @Test(
        "a file-only node's bundle registers it; the hub's bundle brings it its village; each imported twice changes nothing"
    )
    func bundlesRoundTrip() async throws {
        let county = try TestCounty()
        let service = county.service()
        // An online township gives the hub records in both villages.
        let (township, inVillage1, inVillage2) = try await withRunningHub(service) { url in
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let inVillage1 = try township.household(in: TestCounty.village1, address: "一组")
            let inVillage2 = try township.household(in: TestCounty.village2, address: "二组")
            try await county.sync(township, url: url)
            return (township, inVillage1, inVillage2)
        }

        // A village with no connection: enrolled with a token, no --hub.
        let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: nil)
        #expect(try village.syncState().pendingRegistration != nil)
        let home = try village.household(in: TestCounty.village1, address: "三组")
        let head = try village.member(of: home, name: "赵六", idNumber: idNumber(born: "19700101", sequence: "021"))

        // Node → hub.
        let toHub = county.directory + "/village-001-1.hbundle"
        let exported = try NodeBundles.export(village, to: toHub)
        let own = try village.ownOps().count
        #expect(own == 4, "household, member, household head, household population")
        #expect(exported.ops == own)
        #expect(!exported.remaining)
        let imported = try await service.importBundle(try BundleFile.read(toHub))
        #expect(imported.registered)
        #expect(imported.node == "village-001")
        #expect(imported.ops == own)
        #expect(imported.applied == own)
        #expect(imported.quarantined.isEmpty)
        #expect(try await county.hub.node(village.info.id)?.scope.value == TestCounty.village1)
        #expect(try county.hub.replica.state(of: home) == village.state(of: home))
        #expect(
            try county.hub.replica.view(head, reveal: true).value("id_number")
                == idNumber(born: "19700101", sequence: "021"))
        let hubAfterFirst = try await Mark(hub: county.hub)
        let again = try await service.importBundle(try BundleFile.read(toHub))
        #expect(!again.registered)
        #expect(again.applied == 0)
        #expect(again.duplicates == own)
        #expect(try await Mark(hub: county.hub) == hubAfterFirst)

        // Hub → node.
        let toNode = county.directory + "/village-001-1.from-hub.hbundle"
        // The node has pulled nothing yet: its bundle carries the snapshot of its scope, each
        // record's state, and no op.
        let (bytes, hubOps, records) = try await service.exportBundle(forNode: "village-001")
        let inScope = try county.hub.replica.recordIDs().filter {
            try county.hub.replica.state(of: $0)?.village == TestCounty.village1
        }
        #expect(hubOps == 0)
        #expect(records == inScope.count, "the node's own records and the township's household in village 001")
        #expect(inScope.contains(inVillage1) && !inScope.contains(inVillage2))
        try BundleFile.write(bytes, to: toNode)
        let received = try NodeBundles.import(village, from: toNode, nowMillis: TestCounty.now)
        #expect(received.ops == 0)
        #expect(received.snapshotRecords == inScope.count)
        #expect(try village.opCount() == own, "no history came with the snapshot")
        #expect(try village.syncState().pendingRegistration == nil)
        #expect(try village.syncState().ackedCounter == UInt64(own), "the hub's bundle acknowledges the node's ops")
        #expect(try village.state(of: inVillage1) == county.hub.replica.state(of: inVillage1))
        #expect(try village.state(of: inVillage2) == nil)
        let nodeAfterFirst = try Mark(node: village)
        let receivedAgain = try NodeBundles.import(village, from: toNode, nowMillis: TestCounty.now)
        #expect(receivedAgain.applied == 0)
        #expect(try Mark(node: village) == nodeAfterFirst)

        // The village holds exactly the hub's records for its village, in the hub's state.
        try await ConvergenceTests.expectSameAsHub(village, county: county)

        // A second round: the node edits the township's household; its bundle confirms what it pulled.
        try village.edit(inVillage1) { $0.phone = "13700000003" }
        let second = county.directory + "/village-001-2.hbundle"
        #expect(try NodeBundles.export(village, to: second).ops == 1)
        let secondImport = try await service.importBundle(try BundleFile.read(second))
        #expect(!secondImport.registered)
        #expect(secondImport.applied == 1)
        #expect(try await county.hub.node(village.info.id)?.pullCursor == village.syncState().pullCursor)
        await #expect(
            try service.exportBundle(forNode: "village-001").ops == 0,
            "nothing new for the node after it confirmed its cursor")
        // The township gets the village's edit over HTTP.
        _ = try await withRunningHub(service) { url in try await county.sync(township, url: url) }
        #expect(try township.state(of: inVillage1) == county.hub.replica.state(of: inVillage1))
        #expect(try township.view(inVillage1, reveal: false).value("phone") == "13700000003")
    }

    @Test("bundles signed by another key, or changed after signing, are refused and nothing is imported")
    func foreignBundlesRefused() async throws {
        let county = try TestCounty()
        let service = county.service()
        let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: nil)
        let home = try village.household(in: TestCounty.village1, address: "一组")
        let first = county.directory + "/first.hbundle"
        _ = try NodeBundles.export(village, to: first)
        _ = try await service.importBundle(try BundleFile.read(first))
        let (bytes, _, _) = try await service.exportBundle(forNode: "village-001")
        try BundleFile.write(bytes, to: county.directory + "/first.from-hub.hbundle")
        _ = try NodeBundles.import(
            village, from: county.directory + "/first.from-hub.hbundle", nowMillis: TestCounty.now)

        let stranger = Array(Curve25519.Signing.PrivateKey().rawRepresentation)

        // Node → hub, signed by a key that is not the node's.
        try village.edit(home) { $0.phone = "13800000001" }
        let push = try village.pushRequest(try village.unpushedOps(limit: 100))
        let forgedPush = HearthProtocol.Bundle(
            kind: .nodeToHub, from: village.info.id, to: county.hub.info.id, pushes: [push], pulledCursor: 0)
        let hubBefore = try await Mark(hub: county.hub)
        do {
            _ = try await service.importBundle(try forgedPush.sealed(privateKey: stranger))
            Issue.record("the hub imported a bundle signed by another key")
        } catch let error as HubError {
            #expect(error.status.code == 401)
            #expect(error.code == "unauthorized")
        }
        // The genuine bundle, its content changed after it was signed (same length, so only the
        // hash the header signed tells), or its header changed.
        let genuine = try forgedPush.sealed(privateKey: Array(village.keys.signingKey.rawRepresentation))
        let changed = try Self.withContent(genuine) { content in
            content["pulled_cursor"] = .integer(content["pulled_cursor"] == .integer(0) ? 9 : 0)
        }
        do {
            _ = try await service.importBundle(changed)
            Issue.record("the hub imported a bundle changed after signing")
        } catch let error as HubError {
            #expect(error.status.code == 400)
            #expect(error.message.contains("not what its sender signed"), "\(error.message)")
        }
        let retargeted = try Self.withHeader(genuine) { $0["to"] = .string(village.info.id.value) }
        await #expect(throws: HubError.self) { try await service.importBundle(retargeted) }
        // A registration in a bundle for an unregistered replica, signed by someone else.
        let token = try await county.enrollmentToken(name: "village-002", scope: TestCounty.village2)
        let newcomer = try await county.node(token: token, hubURL: nil)
        try newcomer.household(in: TestCounty.village2, address: "二组")
        let registration = RegisterRequest(
            secret: token.secret, replica: newcomer.info.id, publicKey: newcomer.info.publicKey, name: token.name)
        let forgedRegistration = HearthProtocol.Bundle(
            kind: .nodeToHub, from: newcomer.info.id, to: county.hub.info.id, registration: registration,
            pushes: [try newcomer.pushRequest(try newcomer.unpushedOps(limit: 100))])
        let forged = try forgedRegistration.sealed(privateKey: stranger)
        await #expect(throws: HubError.self) { try await service.importBundle(forged) }
        #expect(try await county.hub.node(newcomer.info.id) == nil)
        #expect(try await Mark(hub: county.hub) == hubBefore)

        // Hub → node, signed by a key that is not the hub's, carrying an op the node does not hold.
        let pull = PullResponse(
            hub: county.hub.info.id,
            ops: [push.ops[0]].map { op in
                Op(
                    dot: Dot(replica: county.hub.info.id, counter: 1), hlc: op.hlc, author: "forger",
                    origin: county.hub.info.scope,
                    record: op.record, scope: op.scope, fields: ["phone": .text("13999999999")], context: op.context,
                    previous: "")
            }, cursor: 1_000, more: false, yourCounter: 2, yourHash: "")
        let forgedPull = HearthProtocol.Bundle(
            kind: .hubToNode, from: county.hub.info.id, to: village.info.id, pulls: [pull])
        let forgedFile = county.directory + "/forged.from-hub.hbundle"
        try BundleFile.write(try forgedPull.sealed(privateKey: stranger), to: forgedFile)
        let nodeBefore = try Mark(node: village)
        do {
            _ = try NodeBundles.import(village, from: forgedFile, nowMillis: TestCounty.now)
            Issue.record("the node imported a bundle signed by another key")
        } catch {
            #expect(String(describing: error).contains("not signed by this node's hub"))
        }
        // The same, signed by the hub but changed afterwards.
        let hubSigned = try forgedPull.sealed(privateKey: Array(county.hub.keys.signingKey.rawRepresentation))
        let changedFile = county.directory + "/changed.from-hub.hbundle"
        try BundleFile.write(
            try Self.withContent(hubSigned) { content in
                guard var pieces = content["pulls"]?.arrayValue, var piece = pieces.first?.objectValue else { return }
                piece["cursor"] = JSON.integer(2_000)
                pieces[0] = .object(piece)
                content["pulls"] = .array(pieces)
            }, to: changedFile)
        #expect(throws: (any Error).self) {
            try NodeBundles.import(village, from: changedFile, nowMillis: TestCounty.now)
        }
        #expect(try Mark(node: village) == nodeBefore)
        #expect(try village.view(home, reveal: false).value("phone") == "13800000001")

        // The hub's genuine bundle for village 001, carried to another node of the county, is refused there.
        let other = try await county.node(name: "village-001b", scope: TestCounty.village1, hubURL: nil)
        let otherBefore = try Mark(node: other)
        do {
            _ = try NodeBundles.import(
                other, from: county.directory + "/first.from-hub.hbundle", nowMillis: TestCounty.now)
            Issue.record("a node imported a bundle written for another node")
        } catch {
            #expect(String(describing: error).contains("was written for replica"))
        }
        #expect(try Mark(node: other) == otherBefore)
    }

    @Test("export pieces stop at the content budget, consecutive and whole, so a reader never refuses a genuine bundle")
    func piecesStayWithinBudget() async throws {
        let county = try TestCounty()
        let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: nil)
        for number in 1...12 { try village.household(in: TestCounty.village1, address: "\(number)组") }
        let ops = try village.unpushedOps(limit: 100)
        let sizes = ops.map { $0.json.canonicalBytes.count + 1 }
        #expect(HearthProtocol.Bundle.pieces(of: ops, budget: HearthProtocol.Bundle.contentBudget) == [ops])
        // A budget that holds the first piece's overhead and about five ops.
        let budget = (1 << 10) + sizes.prefix(5).reduce(0, +) + 1
        let pieces = HearthProtocol.Bundle.pieces(of: ops, budget: budget)
        let carried = pieces.flatMap { $0 }
        #expect(carried == Array(ops.prefix(carried.count)), "consecutive, from the first")
        #expect(carried.count == 5)
        #expect(pieces.count == 1)
        // However small the budget, the first op goes, so an export always makes progress.
        #expect(HearthProtocol.Bundle.pieces(of: ops, budget: 1).flatMap { $0 } == [ops[0]])
    }

    @Test("a hub export stops at its content budget, and the node gets the rest in the next bundle once it confirms")
    func hubExportResumes() async throws {
        let county = try TestCounty()
        let service = county.service()
        // An online township gives the hub forty households in village 001: more states than
        // the small budget below holds, so the first export leaves the snapshot out and the
        // node replays the history, bundle by bundle.
        try await withRunningHub(service) { url in
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            for number in 1...40 { try township.household(in: TestCounty.village1, address: "\(number)组") }
            try await county.sync(township, url: url)
        }
        let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: nil)
        let registration = county.directory + "/register.hbundle"
        _ = try NodeBundles.export(village, to: registration)
        _ = try await service.importBundle(try BundleFile.read(registration))
        let held = try county.hub.replica.opCount()

        // Room for a few ops only: the export stops there.
        let (small, first, records) = try await service.exportBundle(forNode: "village-001", budget: 2_000)
        #expect(small.count < 2_000)
        #expect(records == nil, "the snapshot does not fit: none")
        #expect(first > 0 && first < held, "exported \(first) of \(held)")
        try BundleFile.write(small, to: county.directory + "/first.from-hub.hbundle")
        let received = try NodeBundles.import(
            village, from: county.directory + "/first.from-hub.hbundle", nowMillis: TestCounty.now)
        #expect(received.ops == first)
        // Until the node confirms, the hub's next export starts at the same place.
        #expect(try await service.exportBundle(forNode: "village-001", budget: 2_000).ops == first)

        // The node's next bundle confirms its cursor; the hub's next export brings the rest.
        let confirm = county.directory + "/confirm.hbundle"
        _ = try NodeBundles.export(village, to: confirm)
        _ = try await service.importBundle(try BundleFile.read(confirm))
        let (rest, second, _) = try await service.exportBundle(forNode: "village-001")
        #expect(first + second == held)
        try BundleFile.write(rest, to: county.directory + "/rest.from-hub.hbundle")
        _ = try NodeBundles.import(
            village, from: county.directory + "/rest.from-hub.hbundle", nowMillis: TestCounty.now)
        try await ConvergenceTests.expectSameAsHub(village, county: county)
    }

    /// A sealed bundle with its content changed and its header (and signature) kept: the
    /// header then still names the old length, so the content is padded or cut to it, and only
    /// the hash tells.
    static func withContent(_ file: [UInt8], _ change: (inout [String: JSON]) -> Void) throws -> [UInt8] {
        let sealed = try SealedBundle(reading: file)
        guard var content = try JSON.parse(try Gzip.decompress(sealed.compressedContent)).objectValue else {
            throw TestFailure("no bundle content")
        }
        change(&content)
        var compressed = Gzip.compress(JSON.object(content).canonicalBytes)
        let length = sealed.header.contentBytes
        compressed =
            compressed.count >= length
            ? Array(compressed.prefix(length)) : compressed + [UInt8](repeating: 0, count: length - compressed.count)
        return Array(file.prefix(file.count - length)) + compressed
    }

    /// A sealed bundle with a field of its header changed and its signature kept.
    static func withHeader(_ file: [UInt8], _ change: (inout [String: JSON]) -> Void) throws -> [UInt8] {
        let sealed = try SealedBundle(reading: file)
        guard var header = sealed.header.json.objectValue else { throw TestFailure("no bundle header") }
        change(&header)
        let line = JSON.object(["header": .object(header), "signature": .string(sealed.signature)]).canonicalBytes
        return SealedBundle.magic + line + [UInt8(ascii: "\n")] + sealed.compressedContent
    }
}
