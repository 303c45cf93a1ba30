import Foundation
import HearthCore
import HearthProtocol
import HearthLedger
import HearthStore

/// The hub's side of offline transfer: import a node's bundle (its registration and pushes),
/// export the pull answers for one node. Importing the same bundle twice changes nothing.
extension HubService {
    public struct ImportSummary: Sendable {
        public let node: String
        public let registered: Bool
        public let ops: Int
        public let applied: Int
        public let duplicates: Int
        public let quarantined: [QuarantineNote]
    }

    /// Imports a bundle file's bytes (as ``BundleFile/read(_:)`` returns them). The file's size,
    /// the signature over its header and the hash of its compressed content are checked before
    /// anything is inflated; then the content is inflated no further than the signed header says.
    public func importBundle(_ bytes: [UInt8]) async throws -> ImportSummary {
        let sealed: SealedBundle
        do { sealed = try SealedBundle(reading: bytes) } catch { throw HubError.badRequest(error.reason) }
        let header = sealed.header
        guard header.kind == .nodeToHub else {
            throw HubError.badRequest("this is a hub's bundle; import it on a node")
        }
        guard header.to == ledger.info.id else {
            throw HubError.badRequest("this bundle was written for hub \(header.to), not this one (\(ledger.info.id))")
        }
        let known = try await ledger.node(header.from)
        // A node the hub does not know yet is checked with the key of the registration it carries.
        let registration = known == nil ? header.registration : nil
        let publicKey: String
        if let known {
            publicKey = known.publicKey
        } else if let registration, registration.replica == header.from {
            publicKey = registration.publicKey
        } else if header.registration != nil {
            throw HubError.unauthorized("the bundle's signature does not verify: nothing imported")
        } else {
            throw HubError.unauthorized("replica \(header.from) is not registered with this hub")
        }
        let bundle: HearthProtocol.Bundle
        do { bundle = try sealed.open(publicKey: publicKey) } catch {
            switch error {
            case .notSigned: throw HubError.unauthorized("the bundle's signature does not verify: nothing imported")
            case .damaged: throw HubError.badRequest("the bundle: \(error.description): nothing imported")
            case .malformed(let reason): throw HubError.badRequest("\(reason.reason): nothing imported")
            }
        }
        var registered = false
        if let registration {
            try await checkPieces(bundle.pushes, of: bundle.from, publicKey: registration.publicKey)
            _ = try await ledger.register(
                secret: registration.secret, replica: registration.replica, publicKey: registration.publicKey,
                nowMillis: clock())
            registered = true
        }
        guard var node = try await ledger.node(bundle.from) else {
            throw HubError.unauthorized("replica \(bundle.from) is not registered with this hub")
        }
        guard node.publicKey == publicKey else {
            throw HubError.unauthorized("the bundle's signature does not verify: nothing imported")
        }
        guard node.revokedMillis == nil else { throw HubError.forbidden("node \(node.name) has been revoked") }
        guard node.forkedMillis == nil else {
            throw HubError.conflict("forked", "replica \(node.replica) is marked forked: run `hearth node reidentify`")
        }
        if !registered { try await checkPieces(bundle.pushes, of: node.replica, publicKey: node.publicKey) }
        var ops = 0
        var applied = 0
        var duplicates = 0
        var quarantined: [QuarantineNote] = []
        for push in bundle.pushes {
            let response = try await accept(push, from: node)
            ops += push.ops.count
            applied += response.applied
            duplicates += response.duplicates
            quarantined += response.quarantined
            node = try await ledger.node(node.replica) ?? node
        }
        if let cursor = bundle.pulledCursor {
            try await ledger.confirmPulled(node: node.replica, cursor: cursor, nowMillis: clock())
        }
        // A record the node let go with an archived household changed: its next bundle carries
        // the snapshot (until a bundle of the node's says it has one).
        try await ledger.storage.setSnapshotWanted(node.replica, bundle.snapshotWanted)
        return ImportSummary(
            node: node.name, registered: registered, ops: ops, applied: applied, duplicates: duplicates,
            quarantined: quarantined)
    }

    /// Checks every piece of a bundle's pushes before any is applied, the way ``accept(_:from:)``
    /// will, so that a bundle broken in a later piece imports nothing rather than its first part.
    private func checkPieces(_ pushes: [PushRequest], of author: ReplicaID, publicKey: String) async throws {
        var previous: (counter: UInt64, hash: String)?
        for (index, push) in pushes.enumerated() {
            guard push.replica == author else {
                throw HubError.badRequest("piece \(index + 1) of the bundle is from another replica: nothing imported")
            }
            guard let first = push.ops.first, let last = push.ops.last else { continue }
            let link: String
            if let previous, first.dot.counter == previous.counter + 1 {
                link = previous.hash
            } else if let held = try await ledger.chainHash(replica: author, counter: first.dot.counter - 1) {
                link = held
            } else {
                throw HubError.conflict(
                    "gap",
                    "piece \(index + 1) of the bundle starts at op \(first.dot.counter), which does not follow "
                        + "an op the hub holds or the piece before it: nothing imported")
            }
            if let failure = ChainCheck.verify(
                ops: push.ops, author: author, previousHash: link, head: push.chain, publicKey: publicKey)
            {
                throw HubError.badRequest(
                    "piece \(index + 1) of the bundle: chain: \(failure.description): nothing imported")
            }
            previous = (last.dot.counter, last.hash)
        }
    }

    /// The hub's log for one node since what it last confirmed, as a signed bundle of at most
    /// `budget` bytes of content (the default, ``Bundle/contentBudget``, is what a reader
    /// accepts; a test may give less).
    ///
    /// A node the hub has seen pull nothing yet (a laptop set up from a USB stick, a node
    /// re-identified) gets the snapshot of its scope first, whole, and the log from the
    /// snapshot's position, as over HTTP (docs/snapshots.md). A snapshot that does not fit the
    /// budget whole is left out, and the node replays its history from the bundles instead: a
    /// part of a snapshot would leave the node nothing it could use until the rest came, and
    /// the hub keeps no record of how far a node has taken one.
    public func exportBundle(
        forNode name: String, budget: Int = Bundle.contentBudget
    ) async throws -> (bytes: [UInt8], ops: Int, snapshotRecords: Int?) {
        guard let node = try await ledger.nodes().first(where: { $0.name == name }) else {
            throw HubError.badRequest("no node named \(name) (see `hearth hub nodes`)")
        }
        guard node.revokedMillis == nil else { throw HubError.forbidden("node \(name) has been revoked") }
        guard node.forkedMillis == nil else {
            throw HubError.conflict("forked", "node \(name) is marked forked: it must re-identify before it gets news")
        }
        // A bundle carries the whole index: a file node's version may be any age.
        let index: IndexResponse
        switch try await ledger.duplicateIndex(since: "", deltas: false) {
        case .full(let version, let prefixes):
            index = IndexResponse(version: version, unchanged: false, entries: prefixes)
        case .unchanged(let version), .delta(let version, _, _):
            throw ReplicaError.database("the duplicate index answered version \(version) without its prefixes")
        }
        var budget = min(budget, Bundle.contentBudget) - index.json.canonicalBytes.count
        var cursor = node.pullCursor
        var snapshot: [JSON] = []
        var snapshotRecords: Int?
        // Compaction archived what it would pull: the snapshot too (docs/compaction.md).
        // Or the node's last bundle asked for it (a record it let go with an archived household changed).
        var startsFromSnapshot = try await ledger.storage.snapshotWanted(node.replica)
        if !startsFromSnapshot {
            startsFromSnapshot = try await ledger.startsFromSnapshot(node, cursor: node.pullCursor)
        }
        if startsFromSnapshot,
            let whole = try await snapshotPages(for: node, budget: budget)
        {
            snapshot = whole.pages
            snapshotRecords = whole.records
            budget -= whole.bytes
            cursor = whole.position
        }
        // The pieces stop where the next would take the content past the budget; the node gets
        // the rest in the next bundle, from the cursor it confirms. A piece too big for what is
        // left is asked for again with fewer ops. A record that entered the node's scope goes as
        // the hub's state of it, as in a pull of protocol version 3 (bundles are written in it).
        var pulls: [PullResponse] = []
        var ops = 0
        var maxOps = WireLimits.maxOpsPerMessage
        while pulls.count < Bundle.maxPieces {
            let batch = try await ledger.pull(
                for: node, cursor: cursor, maxOps: maxOps, nowMillis: clock(), entriesAsStates: true)
            let piece = try await pullResponse(batch, for: node)
            let size = piece.json.canonicalBytes.count + 1
            if size > budget {
                let items = batch.ops.count + batch.entered.count
                guard items > 1, maxOps > 1 else { break }
                maxOps = min(maxOps - 1, items / 2)
                continue
            }
            budget -= size
            pulls.append(piece)
            ops += batch.ops.count
            cursor = batch.cursor
            if !batch.more { break }
        }
        let bundle = Bundle(
            kind: .hubToNode, from: ledger.info.id, to: node.replica, pulls: pulls, snapshot: snapshot, index: index)
        return (try bundle.sealed(privateKey: Array(ledger.keys.signingKey.rawRepresentation)), ops, snapshotRecords)
    }

    /// The snapshot of a node's scope as bundle pages, each as `POST /v1/snapshot` answers it;
    /// nil when the pages would not fit within `budget` bytes of content, or in
    /// ``Bundle/maxPieces`` pages, or more ops of the scope wait at the hub than a page carries.
    private func snapshotPages(
        for node: NodeRecord, budget: Int
    ) async throws -> (pages: [JSON], records: Int, bytes: Int, position: Int64)? {
        var pages: [JSON] = []
        var records = 0
        var bytes = 0
        var position: Int64?
        var after: SnapshotCursor?
        let hub = ledger.info.id
        let keys = ledger.keys
        while true {
            let page = try await ledger.snapshot(for: node, after: after, maxRecords: SnapshotResponse.maxRecords)
            // More waiting ops than a page may carry (as over HTTP, `409 replay`): no snapshot.
            guard page.waiting.count <= WireLimits.maxOpsPerMessage, page.departed.count <= SnapshotResponse.maxRecords
            else { return nil }
            let json = try await database.run {
                SnapshotResponse(
                    hub: hub, position: page.position, records: page.records, waiting: page.waiting,
                    departed: page.departed, next: page.next?.text
                ).json(version: WireVersion.current, digests: keys.opener())
            }
            bytes += json.canonicalBytes.count + 1
            guard bytes <= budget, pages.count < Bundle.maxPieces else { return nil }
            pages.append(json)
            records += page.records.count
            position = position ?? page.position
            guard let next = page.next else { break }
            after = next
        }
        return (pages, records, bytes, position ?? 0)
    }
}
