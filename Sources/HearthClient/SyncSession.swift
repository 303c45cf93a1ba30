import HearthCore
import HearthProtocol
import HearthStore

/// The node's half of the sync protocol, without I/O: what to send next (signed, compressed
/// requests) and what to do with each answer (check the hub's signature for that request,
/// learn the hub's clock, check the hub holds this database's own history, record the
/// acknowledgement, apply a pulled batch and its cursor in one transaction).
///
/// Why apart from ``SyncClient``: the client carries these requests over HTTPS one after
/// another; the simulation carries the same requests over a network that drops, duplicates,
/// reorders and truncates them, and hands each answer back here whenever it arrives. Both
/// therefore run this code, so what the simulation proves holds for `hearth node sync`.
/// Each answer is judged on its own against the replica's committed state, which is what
/// makes a late, repeated or foreign answer harmless.
///
/// Times are the caller's: the node's own clock, uncorrected (requests state the measured
/// offset instead, Protocol/sync.md, Clocks).
public struct SyncSession: Sendable {
    public let replica: Replica
    /// The hub's public key, from the enrollment token: every answer must verify against it.
    /// Nil only before the node was ever enrolled, when nothing is checked and nothing applied.
    public let hubKey: String?
    /// The hub's clock minus the node's, as measured so far (shared by copies of the session).
    public let hubClock: HubClock

    /// A session over `replica`, with the hub key from its sync state.
    /// - Parameter hubClock: the offset kept by the running process; by default the one last
    ///   stored in the replica (a process that just started).
    public init(replica: Replica, hubClock: HubClock? = nil) throws {
        self.replica = replica
        hubKey = try replica.syncState().hubKey
        self.hubClock = try hubClock ?? HubClock(stored: replica.hubClockOffset())
    }

    // MARK: What to send

    /// A registration with an enrollment token's secret, under this replica's id and key.
    public func registerRequest(secret: String, name: String, nonce: String, timeMillis: Int64) throws -> WireRequest {
        let message = RegisterRequest(
            secret: secret, replica: replica.info.id, publicKey: replica.info.publicKey, name: name)
        return try request(SyncPath.register, message.json, nonce: nonce, timeMillis: timeMillis)
    }

    /// A push of up to `limit` of the ops the hub has not acknowledged, with the signed head
    /// of this replica's chain, and, in what room is left, ops a restored hub asked back
    /// (``Replica/opsToHandBack(limit:)``); nil when there is nothing to send.
    public func pushRequest(limit: Int, nonce: String, timeMillis: Int64) throws -> (
        request: WireRequest, ops: [Op], returned: [Op]
    )? {
        let ops = try replica.unpushedOps(limit: limit)
        let (returned, stamps) = try replica.opsToHandBack(limit: max(0, limit - ops.count))
        guard !ops.isEmpty || !returned.isEmpty else { return nil }
        let (counter, hash) = try ops.last.map { ($0.dot.counter, $0.hash) } ?? replica.acknowledgedHead()
        let head = ChainHead(
            counter: counter, hash: hash, signature: try replica.signChainHead(counter: counter, hash: hash))
        let message = PushRequest(replica: replica.info.id, ops: ops, chain: head, returned: returned, stamps: stamps)
        let document = message.json(digests: replica.keys.opener())
        return (try request(SyncPath.push, document, nonce: nonce, timeMillis: timeMillis), ops, returned)
    }

    /// A pull of up to `maxOps` ops of this node's scope, from its committed cursor.
    public func pullRequest(maxOps: Int, nonce: String, timeMillis: Int64) throws -> WireRequest {
        let message = PullRequest(replica: replica.info.id, cursor: try replica.syncState().pullCursor, maxOps: maxOps)
        return try request(SyncPath.pull, message.json, nonce: nonce, timeMillis: timeMillis)
    }

    /// A request for one page of this node's snapshot, from `after` (the `next` of the page
    /// before; nil for the first).
    public func snapshotRequest(after: String?, maxRecords: Int, nonce: String, timeMillis: Int64) throws
        -> WireRequest
    {
        let message = SnapshotRequest(replica: replica.info.id, after: after, maxRecords: maxRecords)
        return try request(SyncPath.snapshot, message.json, nonce: nonce, timeMillis: timeMillis)
    }

    /// A request for the county's duplicate index, naming the version this node holds.
    public func indexRequest(nonce: String, timeMillis: Int64) throws -> WireRequest {
        let message = IndexRequest(replica: replica.info.id, version: try replica.duplicateIndexVersion(), deltas: true)
        return try request(SyncPath.index, message.json, nonce: nonce, timeMillis: timeMillis)
    }

    /// Compresses and signs one message: the node's own clock and the offset that corrects it,
    /// the nonce, and the body as sent, all under the replica's key.
    public func request(_ path: String, _ document: JSON, nonce: String, timeMillis: Int64) throws -> WireRequest {
        let body = Gzip.compress(document.canonicalBytes)
        let offset = hubClock.current
        let signature = try replica.sign(
            Signer.requestMessage(
                method: "POST", path: path, replica: replica.info.id.value, timeMillis: timeMillis, nonce: nonce,
                body: body, offsetMillis: offset))
        var headers = [
            "content-type": "application/json", "content-encoding": "gzip",
            SyncHeader.replica: replica.info.id.value, SyncHeader.time: String(timeMillis),
            SyncHeader.nonce: nonce, SyncHeader.signature: signature,
        ]
        if let offset { headers[SyncHeader.offset] = String(offset) }
        return WireRequest(path: path, headers: headers, body: body)
    }

    // MARK: What to do with an answer

    /// Opens the hub's answer to `request`: checks the hub signed it for this request's nonce
    /// (refusals included), learns the hub's clock from it, and returns its JSON; a refusal
    /// throws ``SyncError/refused(status:code:message:)``. Nothing is applied here.
    public func open(_ answer: WireAnswer, to request: WireRequest, receivedMillis: Int64) throws -> JSON {
        if let hubKey {
            let nonce = request.header(SyncHeader.nonce) ?? ""
            let hubTime = answer.header(SyncHeader.time).flatMap { Int64($0) }
            let message = Signer.responseMessage(
                nonce: nonce, status: answer.status, body: answer.body, timeMillis: hubTime)
            guard Signer.verify(answer.header(SyncHeader.signature) ?? "", of: message, publicKey: hubKey) else {
                throw SyncError.forgedResponse
            }
            // Trusted only because the hub signed it, for this request's fresh nonce.
            if let hubTime, let sent = request.header(SyncHeader.time).flatMap({ Int64($0) }),
                let keep = hubClock.measured(hubMillis: hubTime, sentMillis: sent, receivedMillis: receivedMillis)
            {
                try replica.recordHubClockOffset(keep)
            }
        }
        let inflated: [UInt8]
        if answer.header("content-encoding")?.lowercased() == "gzip" {
            do { inflated = try Gzip.decompress(answer.body) } catch {
                throw SyncError.badResponse("the hub's answer \(error.description)")
            }
        } else {
            inflated = answer.body
        }
        let json: JSON
        do { json = try JSON.parse(inflated) } catch {
            throw SyncError.badResponse("HTTP \(answer.status), body is not JSON")
        }
        guard answer.status == 200 else {
            let error = ErrorBody(json: json)
            throw SyncError.refused(
                status: answer.status, code: error?.code ?? "error", message: error?.message ?? "no reason given")
        }
        return json
    }

    /// Reads an opened answer as one message type; one that does not read is a bad response.
    public static func decode<Message>(_ json: JSON, as read: (JSON) throws(MessageError) -> Message) throws
        -> Message
    {
        do { return try read(json) } catch { throw SyncError.badResponse(error.description) }
    }

    /// Reads an opened pull answer, deriving what its ops left out (``WireOps``) with this
    /// replica's county key; one that does not read is a bad response.
    public func pullResponse(_ json: JSON) throws -> PullResponse {
        let opener = replica.keys.opener()
        return try Self.decode(json) { json throws(MessageError) in try PullResponse(json: json, digests: opener) }
    }

    /// Takes a push's answer: the hub must hold no more of this replica's ops than it has, and
    /// what it holds must be this database's own history (a copy or an old backup is told to
    /// re-identify); then the acknowledgement and the hub's notes on quarantined ops are kept.
    ///
    /// `returned` are the ops the push handed back: once the hub has answered for them
    /// (``PushResponse/returned``), they are not sent again.
    public func accept(_ response: PushResponse, returned: [Op] = [], nowMillis: Int64) throws {
        let own = try replica.syncState().ownCounter
        if response.acked > own { throw SyncError.behindItself(hubHolds: response.acked, local: own) }
        let notes: String? =
            response.quarantined.isEmpty ? nil : JSON.array(response.quarantined.map(\.json)).canonicalText
        try replica.recordAck(response.acked, hash: response.ackedHash, notes: notes, nowMillis: nowMillis)
        if response.returned != nil { try replica.recordHandedBack(returned) }
    }

    /// Takes a pull's answer: the same check of this replica's history, then the batch
    /// applied and the cursor advanced in one transaction. A hub that holds fewer of this
    /// node's own ops than it acknowledged (restored from a backup) brings the
    /// acknowledgement down to what it holds, so the next push sends the rest again
    /// (``Replica/acceptHubHolds(counter:hash:)``).
    @discardableResult
    public func accept(_ response: PullResponse, nowMillis: Int64) throws -> ApplyReport {
        let own = try replica.syncState().ownCounter
        if response.yourCounter > own { throw SyncError.behindItself(hubHolds: response.yourCounter, local: own) }
        try replica.acceptHubHolds(counter: response.yourCounter, hash: response.yourHash)
        return try replica.applyPulled(
            response.ops, entered: response.entered, cursor: response.cursor, nowMillis: nowMillis,
            stamps: response.stamps, retired: response.retired)
    }

    /// Reads an opened snapshot page, deriving the keyed hashes its states left out with this
    /// replica's county key; one that does not read is a bad response.
    public func snapshotResponse(_ json: JSON) throws -> SnapshotResponse {
        let opener = replica.keys.opener()
        return try Self.decode(json) { json throws(MessageError) in try SnapshotResponse(json: json, digests: opener) }
    }

    /// Takes one page of a snapshot, the answer to a request from `after`: it must come from
    /// this node's hub (the signature was checked when it was opened, its records and digest
    /// when it was read), and is kept apart from the replica until the last page
    /// (``Replica/stageSnapshotPage(hub:position:after:records:waiting:next:nowMillis:)``).
    public func accept(_ response: SnapshotResponse, after: String?, nowMillis: Int64) throws {
        let hub = try replica.syncState().hubReplica
        guard response.hub == hub else {
            throw SyncError.badResponse("the snapshot comes from \(response.hub), not from this node's hub")
        }
        try replica.stageSnapshotPage(
            hub: response.hub, position: response.position, after: after, records: response.records,
            waiting: response.waiting, departed: response.departed, next: response.next, nowMillis: nowMillis)
    }

    /// Takes the duplicate index's answer: a delta changes the index kept, a whole index
    /// replaces it.
    public func accept(_ response: IndexResponse) throws {
        guard !response.unchanged else { return }
        if response.isDelta {
            try replica.applyDuplicateIndexDelta(
                version: response.version, added: response.added ?? [], removed: response.removed ?? [])
        } else {
            try replica.storeDuplicateIndex(version: response.version, prefixes: response.entries)
        }
    }
}
