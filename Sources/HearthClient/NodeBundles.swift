import Foundation
import HearthCore
import HearthProtocol
import HearthStore

/// The node's side of offline transfer: write what a push would send to a file, read what a
/// pull would receive from one. Importing the same file twice changes nothing.
public enum NodeBundles {
    public struct ExportSummary: Sendable {
        public let ops: Int
        public let bytes: Int
        public let remaining: Bool
    }

    public struct ImportSummary: Sendable {
        public let ops: Int
        public let applied: Int
        public let waiting: Int
        public let cursor: Int64
        /// Records installed from the snapshot the bundle carried; nil when it carried none.
        public var snapshotRecords: Int? = nil
    }

    public static func export(_ replica: Replica, to path: String) throws -> ExportSummary {
        let state = try replica.syncState()
        guard let hub = state.hubReplica, state.hubKey != nil else { throw SyncError.notEnrolled }
        var registration: RegisterRequest?
        if let pending = state.pendingRegistration {
            let (secret, name) = SyncClient.splitRegistration(pending)
            registration = RegisterRequest(
                secret: secret, replica: replica.info.id, publicKey: replica.info.publicKey, name: name)
        }
        // One op more than could ever fit, to learn whether some are left for the next bundle.
        let limit = WireLimits.maxOpsPerMessage * Bundle.maxPieces
        let ops = try replica.unpushedOps(limit: limit + 1)
        // Ops a restored hub asked back go in a piece of their own, first; with no signed
        // exchange to confirm them, they count as handed back once written.
        var pushes: [PushRequest] = []
        var budget = Bundle.contentBudget
        let (returned, stamps) = try replica.opsToHandBack(limit: WireLimits.maxOpsPerMessage)
        if !returned.isEmpty {
            let (counter, hash) = try replica.acknowledgedHead()
            let head = ChainHead(
                counter: counter, hash: hash, signature: try replica.signChainHead(counter: counter, hash: hash))
            let piece = PushRequest(replica: replica.info.id, ops: [], chain: head, returned: returned, stamps: stamps)
            pushes.append(piece)
            budget -= piece.json.canonicalBytes.count
        }
        var sent = 0
        for piece in Bundle.pieces(of: Array(ops.prefix(limit)), budget: budget)
        where pushes.count < Bundle.maxPieces {
            let last = piece[piece.count - 1]
            let head = ChainHead(
                counter: last.dot.counter, hash: last.hash,
                signature: try replica.signChainHead(counter: last.dot.counter, hash: last.hash))
            pushes.append(PushRequest(replica: replica.info.id, ops: piece, chain: head))
            sent += piece.count
        }
        let remaining = ops.count > sent
        let bundle = Bundle(
            kind: .nodeToHub, from: replica.info.id, to: hub, registration: registration, pushes: pushes,
            pulledCursor: state.pullCursor, snapshotWanted: try replica.snapshotWanted())
        let bytes = try bundle.sealed(privateKey: Array(replica.keys.signingKey.rawRepresentation))
        try BundleFile.write(bytes, to: path)
        try replica.recordHandedBack(returned)
        return ExportSummary(ops: sent, bytes: bytes.count, remaining: remaining)
    }

    public static func `import`(_ replica: Replica, from path: String, nowMillis: Int64) throws -> ImportSummary {
        let state = try replica.syncState()
        guard let hub = state.hubReplica, let hubKey = state.hubKey else { throw SyncError.notEnrolled }
        let sealed: SealedBundle
        do { sealed = try SealedBundle(reading: try BundleFile.read(path)) } catch let error as MessageError {
            throw BundleFile.Failure("\(path): \(error.reason)")
        }
        guard sealed.header.kind == .hubToNode else {
            throw BundleFile.Failure("\(path) is a node's bundle; import it on the hub")
        }
        guard sealed.header.to == replica.info.id else {
            throw BundleFile.Failure(
                "\(path) was written for replica \(sealed.header.to), not this one (\(replica.info.id)): "
                    + "nothing imported")
        }
        guard sealed.header.from == hub else {
            throw BundleFile.Failure("\(path) is not signed by this node's hub: nothing imported")
        }
        // The signature and the content's hash are checked before anything is inflated.
        let bundle: HearthProtocol.Bundle
        do { bundle = try sealed.open(publicKey: hubKey) } catch {
            switch error {
            case .notSigned: throw BundleFile.Failure("\(path) is not signed by this node's hub: nothing imported")
            case .damaged: throw BundleFile.Failure("\(path): \(error.description): nothing imported")
            case .malformed(let reason): throw BundleFile.Failure("\(path): \(reason.reason): nothing imported")
            }
        }
        var ops = 0
        var applied = 0
        var waiting = 0
        var cursor = state.pullCursor
        var snapshotRecords: Int?
        if !bundle.snapshot.isEmpty {
            let installed = try takeSnapshot(
                bundle.snapshot, from: hub, into: replica, path: path, nowMillis: nowMillis)
            snapshotRecords = installed.installed
            applied += installed.applied
            waiting += installed.waiting
            cursor = try replica.syncState().pullCursor
        }
        for pull in bundle.pulls {
            guard pull.hub == hub else { throw BundleFile.Failure("a piece of \(path) names another hub") }
            if pull.yourCounter > state.ownCounter {
                throw SyncError.behindItself(hubHolds: pull.yourCounter, local: state.ownCounter)
            }
            // A hub restored from a backup holds fewer of this node's ops than it acknowledged:
            // the next bundle sends them again.
            try replica.acceptHubHolds(counter: pull.yourCounter, hash: pull.yourHash)
            let report = try replica.applyPulled(
                pull.ops, entered: pull.entered, cursor: pull.cursor, nowMillis: nowMillis, stamps: pull.stamps,
                retired: pull.retired)
            try replica.recordAck(pull.yourCounter, hash: pull.yourHash, notes: nil, nowMillis: nowMillis)
            ops += pull.ops.count
            applied += report.applied
            waiting += report.waiting
            cursor = max(cursor, pull.cursor)
        }
        if state.pendingRegistration != nil, !bundle.pulls.isEmpty { try replica.clearPendingRegistration() }
        if let index = bundle.index, !index.unchanged {
            try replica.storeDuplicateIndex(version: index.version, prefixes: index.entries)
        }
        return ImportSummary(
            ops: ops, applied: applied, waiting: waiting, cursor: cursor, snapshotRecords: snapshotRecords)
    }

    /// Takes a bundle's snapshot as a sync takes one over HTTP: each page read with the county
    /// key and its digest checked, kept apart in order, then installed whole (joined with what
    /// the node holds), so the pulls that follow go on from its position. A page that does not
    /// read, or pages that do not follow one another to the last, stop the import with nothing
    /// installed.
    private static func takeSnapshot(
        _ pages: [JSON], from hub: ReplicaID, into replica: Replica, path: String, nowMillis: Int64
    ) throws -> ApplyReport {
        let opener = replica.keys.opener()
        var after: String?
        for (index, json) in pages.enumerated() {
            let page: SnapshotResponse
            do { page = try SnapshotResponse(json: json, digests: opener) } catch {
                throw BundleFile.Failure(
                    "\(path): page \(index + 1) of its snapshot: \(error.reason): nothing imported")
            }
            guard page.hub == hub else {
                throw BundleFile.Failure("a page of the snapshot in \(path) names another hub: nothing imported")
            }
            guard (page.next == nil) == (index == pages.count - 1) else {
                throw BundleFile.Failure("the snapshot in \(path) is cut short or runs on: nothing imported")
            }
            // The first page starts afresh, dropping what an interrupted snapshot left.
            try replica.stageSnapshotPage(
                hub: page.hub, position: page.position, after: after, records: page.records, waiting: page.waiting,
                departed: page.departed, next: page.next, nowMillis: nowMillis)
            after = page.next
        }
        return try replica.installSnapshot(nowMillis: nowMillis)
    }
}

/// Reading and writing bundle files: sealed (see ``SealedBundle``), written atomically, owner-only.
public enum BundleFile {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// Writes a new bundle file: created owner-only from its first byte (it carries the node's
    /// records, and a file-only node's first bundle its registration secret), written beside the
    /// target under a temporary name, synced, then renamed into place.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        if FileManager.default.fileExists(atPath: path) {
            throw Failure("\(path) already exists; choose another --out file")
        }
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial").path
        unlink(temporary)  // left by an interrupted run
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw Failure("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { break }
            offset += written
        }
        let synced = fsync(fd) == 0
        close(fd)
        guard offset == bytes.count, synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Failure("could not write \(path): \(reason)")
        }
    }

    /// The file's bytes, still sealed: refused unread when it is larger than a bundle may be
    /// (``WireLimits/maxBundleBytes``). Nothing is inflated here: ``SealedBundle`` checks the
    /// signature first.
    public static func read(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure("cannot read \(path)") }
        defer { try? handle.close() }
        let limit = WireLimits.maxBundleBytes
        let data: Data
        do { data = try handle.read(upToCount: limit + 1) ?? Data() } catch { throw Failure("cannot read \(path)") }
        guard data.count <= limit else {
            throw Failure("\(path) is larger than \(limit) bytes (WireLimits.maxBundleBytes): not a bundle")
        }
        return Array(data)
    }
}
