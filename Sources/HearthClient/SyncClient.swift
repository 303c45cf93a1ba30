import Foundation
import HearthCore
import HearthProtocol
import HearthStore
import Logging

/// What one sync did, for the summary line and `--json`.
public struct SyncSummary: Sendable {
    public var pushedOps = 0
    public var pushedBytes = 0
    public var pulledOps = 0
    public var pulledBytes = 0
    public var applied = 0
    public var waiting = 0
    public var quarantined: [QuarantineNote] = []
    public var cursor: Int64 = 0
    /// Entries of the duplicate index received (the whole index, or the prefixes a delta adds
    /// and removes), or nil when it had not changed.
    public var indexEntries: Int?
    /// Ops handed back to a hub restored from a backup (Protocol/sync.md, A restored hub).
    public var handedBack = 0
    /// Records installed from the hub's snapshot, or nil when the sync took none.
    public var snapshotRecords: Int?
    /// How long the snapshot's pages took to come, and its install, in milliseconds.
    public var snapshotPagesMillis: Int64 = 0
    public var snapshotInstallMillis: Int64 = 0
    /// Records that entered the node's scope and came as the hub's states (protocol version 3).
    public var enteredRecords = 0
}

/// Progress reported while syncing, so a terminal can show ops and bytes each way.
public enum SyncProgress: Sendable {
    case pushed(ops: Int, bytes: Int)
    case pulled(ops: Int, bytes: Int)
    /// Records of a snapshot received so far.
    case snapshot(records: Int, bytes: Int)
}

/// The node's side of the protocol over HTTP(S): register, push what the hub lacks, pull
/// the hub's log for the node's scope. Every step commits before the next starts, so an
/// interrupted sync resumes where it stopped.
///
/// It logs through ``logger`` with structured metadata: each exchange (endpoint, status,
/// bytes each way, duration) at debug, each sync's totals at info, refusals and unreachable
/// hubs at notice and warning. Only counts, codes and names: never a body, a field value, the
/// registration secret or a key.
public struct SyncClient: Sendable {
    public let replica: Replica
    /// Where the hub is, for messages: its address, or the name of another transport.
    public let baseURL: String
    /// What carries each request: HTTPS (``HTTPTransport``) unless another was given.
    let transport: any SyncTransport
    /// The HTTP client to shut down, when this client made one.
    let http: HTTPTransport?
    let clock: @Sendable () -> Int64
    /// The hub's clock minus the node's: requests are stamped with the node's own clock and
    /// state this offset, so a wrong clock does not stop sync. Ops keep the node's clock.
    let hubClock: HubClock
    public var batchSize = 1_000
    /// Records asked for in one snapshot page.
    public var snapshotPageSize = 2_000
    /// Where the client logs; by default nowhere (the command line says what a sync did).
    public var logger: Logger

    /// A logger that drops everything: the default, so a library call prints nothing unasked.
    public static let silent = Logger(label: "hearth.client", factory: { _ in SwiftLogNoOpLogHandler() })

    /// - Parameter caFile: a PEM file of the county's own CA, trusted instead of the system's roots.
    public init(
        replica: Replica, baseURL: String, caFile: String? = nil, logger: Logger = SyncClient.silent,
        clock: @escaping @Sendable () -> Int64
    ) throws {
        let http = try HTTPTransport(baseURL: baseURL, caFile: caFile)
        try self.init(
            replica: replica, transport: http, http: http, destination: http.baseURL, logger: logger, clock: clock)
    }

    /// A client over another transport (a hub in the same process, a test's network);
    /// `destination` names it in messages.
    public init(
        replica: Replica, transport: any SyncTransport, destination: String, logger: Logger = SyncClient.silent,
        clock: @escaping @Sendable () -> Int64
    ) throws {
        try self.init(
            replica: replica, transport: transport, http: nil, destination: destination, logger: logger, clock: clock)
    }

    private init(
        replica: Replica, transport: any SyncTransport, http: HTTPTransport?, destination: String, logger: Logger,
        clock: @escaping @Sendable () -> Int64
    ) throws {
        self.replica = replica
        var logger = logger
        logger[metadataKey: "node"] = "\(replica.info.name)"
        self.logger = logger
        self.clock = clock
        hubClock = HubClock(stored: try replica.hubClockOffset())
        self.transport = transport
        self.http = http
        baseURL = destination
    }

    public func shutdown() async {
        await http?.shutdown()
    }

    /// Whether an address may be used: HTTPS anywhere, plain HTTP only to this machine
    /// (tests and demos), judged by the parsed host, not by a text prefix.
    public static func isAcceptable(_ address: String) -> Bool {
        guard let url = URL(string: address), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased()
        else {
            return false
        }
        if scheme == "https" { return true }
        guard scheme == "http" else { return false }
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".")
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// The protocol's half for this replica, over the clock offset this process measured.
    func session() throws -> SyncSession {
        try SyncSession(replica: replica, hubClock: hubClock)
    }

    /// Registers this replica with the hub using an enrollment token's secret.
    public func register(secret: String, name: String) async throws -> RegisterResponse {
        let session = try session()
        // The hub's key is known from the token: its answer is checked like any other.
        let (json, _) = try await post(session) { nonce, time in
            try session.registerRequest(secret: secret, name: name, nonce: nonce, timeMillis: time)
        }
        let response = try SyncSession.decode(json, as: RegisterResponse.init(json:))
        logger.info("registered with the hub", metadata: ["scope": "\(response.scope)"])
        return response
    }

    /// Pushes, then pulls until the hub has nothing more for this node.
    ///
    /// With `snapshot`, a node that has pulled nothing yet starts from the hub's snapshot of its
    /// scope instead of its history (docs/snapshots.md): after its own ops are pushed, it takes
    /// the snapshot's pages, installs them whole and pulls on from the snapshot's position. A
    /// snapshot interrupted earlier is taken up where it stopped, whatever `snapshot` says.
    @discardableResult
    public func sync(snapshot: Bool = false, progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws
        -> SyncSummary
    {
        let state = try replica.syncState()
        guard state.hubKey != nil else { throw SyncError.notEnrolled }
        if let pending = state.pendingRegistration {
            let (secret, name) = Self.splitRegistration(pending)
            _ = try await register(secret: secret, name: name)
            try replica.clearPendingRegistration()
        }
        let session = try session()
        let start = ContinuousClock.now
        var summary = SyncSummary()
        // A hub restored from a backup holds fewer of this node's ops than it acknowledged: it
        // refuses the next push for the gap, and its pull answer brings the acknowledgement
        // down (SyncSession.accept). Then push and pull once more, sending the lost ops again.
        var round = 0
        while true {
            round += 1
            let ackedBefore = try replica.syncState().ackedCounter
            let gap = try await pushAll(session, into: &summary, progress: progress)
            if round == 1, gap == nil, try replica.snapshotProgress() != nil || (snapshot && state.pullCursor == 0) {
                let resuming = try replica.snapshotProgress() != nil
                do {
                    try await takeSnapshot(session, into: &summary, progress: progress)
                } catch SyncError.noSnapshots where !resuming {
                    // A hub built before snapshots: the node replays its scope's history instead,
                    // as it would with --replay. Nothing of a snapshot was kept, so nothing is lost.
                    logger.notice(
                        "the hub gives no snapshots (it is older than this node): replaying the scope's history",
                        metadata: ["url": "\(baseURL)"])
                } catch SyncError.refused(409, "replay", let message) where !resuming {
                    // The scope cannot be given as a snapshot (more ops wait at the hub than a
                    // page carries): the node replays, as the hub says.
                    logger.notice(
                        "the hub gives this scope no snapshot: replaying its history", metadata: ["why": "\(message)"])
                }
            }
            do {
                try await pullAll(session, into: &summary, progress: progress)
            } catch SyncError.refused(409, "snapshot_required", let message) {
                // Away longer than the county keeps history (docs/compaction.md): the hub's log no
                // longer holds all this node would pull. Its own ops are pushed already; the
                // snapshot, joined with what it holds, brings the rest, then pulls go on from it.
                logger.notice(
                    "the hub archived history this node had not pulled: starting from its snapshot",
                    metadata: ["why": "\(message)"])
                try await takeSnapshot(session, into: &summary, progress: progress)
                try await pullAll(session, into: &summary, progress: progress)
            }
            if try replica.snapshotWanted() {
                // A record that left with an archived household changed at the hub (the county
                // brought the household back): the scope's snapshot brings it back whole.
                logger.notice("a household this node let go when archived changed at the hub: taking the snapshot")
                do {
                    try await takeSnapshot(session, into: &summary, progress: progress)
                    try await pullAll(session, into: &summary, progress: progress)
                } catch SyncError.noSnapshots {
                    logger.warning(
                        "the hub gives no snapshots: the change waits here until the node is re-identified",
                        metadata: ["url": "\(baseURL)"])
                } catch SyncError.refused(409, "replay", let message) {
                    // The scope cannot be given as a snapshot now (too many ops wait at the hub):
                    // the change waits here, and the next sync asks again.
                    logger.warning(
                        "the hub gives this scope no snapshot now: the change waits for the next sync",
                        metadata: ["why": "\(message)"])
                }
            }
            let lowered = try replica.syncState().ackedCounter < ackedBefore
            // A restored hub's pull answer may also ask back ops it made and lost: send them now.
            let askedBack = !(try replica.opsToHandBack(limit: 1).ops.isEmpty)
            if lowered || askedBack, round < 3 { continue }
            if let gap { throw gap }
            break
        }
        // The county's duplicate index, when it changed: `member add` checks it offline.
        let (indexJSON, indexBytes) = try await post(session) { nonce, time in
            try session.indexRequest(nonce: nonce, timeMillis: time)
        }
        let index = try SyncSession.decode(indexJSON, as: IndexResponse.init(json:))
        try session.accept(index)
        summary.pulledBytes += indexBytes
        summary.indexEntries =
            index.unchanged
            ? nil : index.isDelta ? (index.added?.count ?? 0) + (index.removed?.count ?? 0) : index.entries.count
        logger.info(
            "synced",
            metadata: [
                "pushed_ops": "\(summary.pushedOps)", "pushed_bytes": "\(summary.pushedBytes)",
                "pulled_ops": "\(summary.pulledOps)", "pulled_bytes": "\(summary.pulledBytes)",
                "applied": "\(summary.applied)", "waiting": "\(summary.waiting)",
                "quarantined": "\(summary.quarantined.count)", "cursor": "\(summary.cursor)",
                "duration_ms": "\(Self.milliseconds(since: start))",
            ])
        return summary
    }

    /// Pushes until the hub holds every own op; returns the hub's `gap` refusal instead of
    /// throwing it (a restored hub's: the pull that follows says how far it holds).
    private func pushAll(
        _ session: SyncSession, into summary: inout SyncSummary, progress: @Sendable (SyncProgress) -> Void
    ) async throws -> SyncError? {
        while true {
            // Built inside the exchange so a request sent again gets a fresh nonce and time;
            // the ops are the same both times (nothing else acknowledges them meanwhile).
            var sent: [Op] = []
            var returned: [Op] = []
            let answer: (JSON, Int)?
            do {
                answer = try await post(session) { nonce, time -> WireRequest? in
                    guard let push = try session.pushRequest(limit: batchSize, nonce: nonce, timeMillis: time) else {
                        return nil
                    }
                    sent = push.ops
                    returned = push.returned
                    return push.request
                }
            } catch let error as SyncError {
                if case .refused(_, "gap", _) = error { return error }
                throw error
            }
            guard let (json, bytes) = answer else { return nil }
            let response = try SyncSession.decode(json, as: PushResponse.init(json:))
            try session.accept(response, returned: returned, nowMillis: clock())
            if !returned.isEmpty {
                summary.handedBack += returned.count
                logger.notice(
                    "handed back ops the restored hub had lost",
                    metadata: [
                        "ops": "\(returned.count)", "taken": "\(response.returned?.taken ?? 0)",
                        "refused": "\(response.returned?.refused ?? 0)",
                    ])
                // A hub that answers without counting them does not know them: not sent again.
                guard response.returned != nil else { return nil }
            }
            summary.pushedOps += sent.count
            summary.pushedBytes += bytes
            summary.quarantined += response.quarantined
            logger.debug(
                "pushed a batch",
                metadata: [
                    "ops": "\(sent.count)", "applied": "\(response.applied)", "duplicates": "\(response.duplicates)",
                    "quarantined": "\(response.quarantined.count)", "acked": "\(response.acked)",
                ])
            progress(.pushed(ops: summary.pushedOps, bytes: summary.pushedBytes))
            if let last = sent.last, response.acked < last.dot.counter {
                throw SyncError.badResponse("the hub acknowledged \(response.acked), not \(last.dot.counter)")
            }
        }
    }

    /// Takes the snapshot's pages from where the one being received stands (or from the
    /// first), each kept as it arrives, then installs it whole.
    private func takeSnapshot(
        _ session: SyncSession, into summary: inout SyncSummary, progress: @Sendable (SyncProgress) -> Void
    ) async throws {
        let start = ContinuousClock.now
        var after = try replica.snapshotProgress()?.next
        var pages = 0
        var bytesIn = 0
        if try replica.snapshotProgress() == nil || after != nil {
            // The request for the next page goes out as soon as a page names it, so the hub
            // reads and encodes that page while this side reads and keeps the one it has.
            let request: @Sendable (String?) -> Task<(JSON, Int), any Error> = { from in
                Task {
                    try await post(session) { nonce, time in
                        try session.snapshotRequest(
                            after: from, maxRecords: snapshotPageSize, nonce: nonce, timeMillis: time)
                    }
                }
            }
            var coming = request(after)
            while true {
                let from = after
                let (json, bytes) = try await coming.value
                let next = json["next"]?.stringValue
                if let next { coming = request(next) }
                do {
                    let response = try session.snapshotResponse(json)
                    guard response.next == next else { throw SyncError.badResponse("the snapshot page's next place") }
                    try session.accept(response, after: from, nowMillis: clock())
                } catch {
                    if next != nil { coming.cancel() }
                    throw error
                }
                after = next
                pages += 1
                bytesIn += bytes
                summary.pulledBytes += bytes
                progress(.snapshot(records: try replica.snapshotProgress()?.records ?? 0, bytes: bytesIn))
                if next == nil { break }
            }
        }
        summary.snapshotPagesMillis = Self.milliseconds(since: start)
        let installStart = ContinuousClock.now
        let report = try replica.installSnapshot(nowMillis: clock())
        summary.snapshotInstallMillis = Self.milliseconds(since: installStart)
        summary.snapshotRecords = report.installed
        summary.applied += report.applied
        summary.waiting += report.waiting
        logger.info(
            "installed the hub's snapshot",
            metadata: [
                "records": "\(report.installed)", "pages": "\(pages)", "bytes": "\(bytesIn)",
                "duration_ms": "\(Self.milliseconds(since: start))",
            ])
    }

    /// Pulls until the hub has nothing more for this node.
    private func pullAll(
        _ session: SyncSession, into summary: inout SyncSummary, progress: @Sendable (SyncProgress) -> Void
    ) async throws {
        while true {
            let (json, bytes) = try await post(session) { nonce, time in
                try session.pullRequest(maxOps: batchSize, nonce: nonce, timeMillis: time)
            }
            let response = try session.pullResponse(json)
            let report = try session.accept(response, nowMillis: clock())
            summary.pulledOps += response.ops.count
            summary.enteredRecords += response.entered.count
            summary.pulledBytes += bytes
            summary.applied += report.applied
            summary.waiting += report.waiting
            summary.cursor = response.cursor
            progress(.pulled(ops: summary.pulledOps, bytes: summary.pulledBytes))
            if !response.more { return }
        }
    }

    static func splitRegistration(_ text: String) -> (secret: String, name: String) {
        let parts = text.split(separator: "\n", maxSplits: 1).map(String.init)
        return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
    }

    /// Sends the request `build` makes (for a fresh nonce and the node's clock) and opens the
    /// answer. A request refused because its time lies outside the hub's window is built and
    /// sent once more, corrected by the hub's clock from that signed refusal.
    func post(_ session: SyncSession, _ build: (String, Int64) throws -> WireRequest) async throws -> (JSON, Int) {
        let answer = try await post(session) { nonce, time -> WireRequest? in try build(nonce, time) }
        guard let answer else { throw SyncError.badResponse("no request was sent") }
        return answer
    }

    /// As above, for a request there may be no need of (`build` returns nil): then nil.
    func post(_ session: SyncSession, _ build: (String, Int64) throws -> WireRequest?) async throws -> (JSON, Int)? {
        guard let request = try build(Self.nonce(), clock()) else { return nil }
        do {
            return try await exchange(session, request)
        } catch SyncError.refused(status: 401, code: HubClock.refusalCode, message: _) where session.hubKey != nil {
            logger.notice(
                "the hub refused this node's clock; sending again corrected by the hub's",
                metadata: [
                    "endpoint": "\(request.path)", "offset_ms": "\(hubClock.current.map(String.init) ?? "none")",
                ])
            guard let again = try build(Self.nonce(), clock()) else { return nil }
            return try await exchange(session, again)
        }
    }

    /// One request through the transport and its answer opened by the session.
    private func exchange(_ session: SyncSession, _ request: WireRequest) async throws -> (JSON, Int) {
        let start = ContinuousClock.now
        let answer: WireAnswer
        do { answer = try await transport.exchange(request) } catch {
            logger.warning(
                "the hub is unreachable",
                metadata: [
                    "endpoint": "\(request.path)", "error": "\(error.reason)",
                    "duration_ms": "\(Self.milliseconds(since: start))",
                ])
            if error.untrusted { throw SyncError.untrustedHub(url: baseURL, reason: error.reason) }
            throw SyncError.unreachable(url: baseURL, reason: error.reason)
        }
        var metadata: Logger.Metadata = [
            "endpoint": "\(request.path)", "status": "\(answer.status)", "sent_bytes": "\(request.body.count)",
            "received_bytes": "\(answer.body.count)", "duration_ms": "\(Self.milliseconds(since: start))",
        ]
        do {
            let json = try session.open(answer, to: request, receivedMillis: clock())
            logger.debug("exchanged", metadata: metadata)
            return (json, request.body.count + answer.body.count)
        } catch SyncError.forgedResponse where request.path == SyncPath.snapshot && answer.status == 404 {
            // A hub built before snapshots has no such path, and its router answers an unsigned
            // 404. Trusting that costs nothing: the node then replays, which it checks as ever.
            logger.notice("the hub has no snapshot endpoint", metadata: metadata)
            throw SyncError.noSnapshots(url: baseURL)
        } catch SyncError.forgedResponse {
            logger.error("the answer is not signed by this node's hub", metadata: metadata)
            throw SyncError.forgedResponse
        } catch SyncError.refused(404, _, _) where request.path == SyncPath.snapshot {
            logger.notice("the hub has no snapshot endpoint", metadata: metadata)
            throw SyncError.noSnapshots(url: baseURL)
        } catch SyncError.refused(let status, let code, let message) {
            metadata["code"] = "\(code)"
            logger.notice("the hub refused", metadata: metadata)
            throw SyncError.refused(status: status, code: code, message: message)
        }
    }

    /// A fresh random nonce: 16 bytes in hex.
    static func nonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Whole milliseconds since `start`, for a log line.
    static func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
