import CompressNIO
import Foundation
import HTTPTypes
import HearthCore
import HearthDesk
import HearthProtocol
import HearthLedger
import HearthStore
import Hummingbird
import Logging
import NIOCore

/// The county hub's sync service: registration, push and pull over HTTP(S), every request
/// signed by a registered replica and every answer signed by the hub, bodies gzip-compressed.
///
/// The service holds no state of its own beyond metrics: everything lives in the hub's
/// ledger, so a restart (or a kill) loses nothing that was acknowledged.
///
/// It keeps answering while it works: the ledger's storage is async (a push waiting for
/// SQLite's write lock holds no thread), and every request's long CPU work (inflating,
/// parsing, checking signatures and chains, encoding) runs on ``DatabaseExecutor`` threads,
/// never on Swift's cooperative threads, so `/healthz` answers; `/metrics` reads its gauges through a
/// ``GaugeCache``; a body is refused before it is read when the caller cannot be served
/// (a registration over ``WireLimits/maxRegisterBytes``, a replica that is not registered).
///
/// Over HTTP, a signed endpoint is its handler inside four middlewares, outermost first:
/// ``ResponseSigningMiddleware`` (the hub's signature and clock on every answer, refusals
/// included), ``GzipMiddleware``, ``OutcomeMiddleware`` (a refusal becomes its answer; every
/// outcome is counted and logged with its node, endpoint, counts and duration) and
/// ``AuthenticationMiddleware`` (the caller, put into the ``HubRequestContext``). The decisions
/// themselves (``authenticate(_:)``, ``accept(_:from:)``, ``answer(pull:for:)``) take no HTTP
/// types, so other transports call the same code.
public struct HubService: Sendable {
    /// The county hub's ledger every endpoint works on.
    public let ledger: HubLedger
    public let metrics: HubMetrics
    let logger: Logger
    /// Injected so tests can move the hub's clock.
    let clock: @Sendable () -> Int64
    /// Where the handlers' long synchronous work runs.
    let database: DatabaseExecutor
    let gauges: GaugeCache
    /// Pushes in turn: at most two batches in memory at once (``PushLine``).
    let pushes = PushLine()
    /// How the desk in the browser (`/desk`) keeps its sessions and guards its logins.
    public let desk: DeskConfiguration

    public init(
        ledger: HubLedger, logger: Logger, clock: @escaping @Sendable () -> Int64, database: DatabaseExecutor = .shared,
        desk: DeskConfiguration = .standard
    ) {
        self.ledger = ledger
        self.desk = desk
        self.metrics = HubMetrics()
        self.logger = logger
        self.clock = clock
        self.database = database
        self.gauges = GaugeCache {
            let (conflicts, nodes, quarantined) = try await ledger.hubGauges()
            let extent = try await ledger.logExtent()
            // Revoked nodes get nothing more: their lag would only grow, and alert for ever.
            let serving = try await ledger.nodes().filter { $0.revokedMillis == nil }
            return GaugeCache.Gauges(
                conflicts: conflicts, nodes: nodes, quarantined: quarantined,
                perNode: serving.map { node in
                    GaugeCache.NodeGauges(
                        name: node.name, lagOps: extent.lag(from: node.pullCursor), skewMillis: node.skewMillis,
                        lastSyncMillis: node.lastSyncMillis)
                })
        }
    }

    /// The hub's routes: sync, health, metrics and the desk (`/desk`, whose cookies are marked
    /// `Secure` when `tls`).
    public func router(tls: Bool = false) -> Router<HubRequestContext> {
        let router = Router(context: HubRequestContext.self)
        // Request counts and durations for every route, into this hub's own registry.
        router.add(middleware: MetricsScopeMiddleware(factory: metrics.factory))
        router.add(middleware: MetricsMiddleware())
        router.get(RouterPath(stringLiteral: SyncPath.health)) { _, _ in "ok\n" }
        // Ready when the store answers a read: a load balancer sends nodes elsewhere while it
        // does not (a PostgreSQL out of reach, a file gone), though the process lives.
        router.get(RouterPath(stringLiteral: SyncPath.ready)) { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            do {
                _ = try await ledger.logEnd()
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
            } catch {
                logger.warning("not ready: the store did not answer", metadata: ["error": "\(error)"])
                return Response(
                    status: .serviceUnavailable, headers: headers,
                    body: .init(byteBuffer: ByteBuffer(string: "not ready: the store does not answer\n")))
            }
        }
        router.get(RouterPath(stringLiteral: SyncPath.metrics)) { _, _ in
            let reading = try await gauges.current()
            metrics.record(reading)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            return Response(
                status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        // Every signed endpoint: its answer signed (outermost: the signature covers the body as
        // sent), compressed, its refusals turned into answers and logged, its caller authenticated.
        for endpoint in Endpoint.allCases {
            router.group(RouterPath(stringLiteral: endpoint.path))
                .add(middleware: ResponseSigningMiddleware(service: self))
                .add(middleware: GzipMiddleware(executor: database))
                .add(middleware: OutcomeMiddleware(metrics: metrics, endpoint: endpoint))
                .add(middleware: AuthenticationMiddleware(service: self, endpoint: endpoint))
                .post { _, context in try await respond(to: endpoint, context: context) }
        }
        var deskConfiguration = desk
        deskConfiguration.secureCookies = deskConfiguration.secureCookies || tls
        Desk(ledger: ledger, configuration: deskConfiguration, clock: clock, logger: logger).addRoutes(to: router)
        return router
    }

    /// A signed endpoint, with what it may receive.
    public enum Endpoint: String, Sendable, CaseIterable {
        case register, push, pull, index, snapshot

        public var path: String {
            switch self {
            case .register: return SyncPath.register
            case .push: return SyncPath.push
            case .pull: return SyncPath.pull
            case .index: return SyncPath.index
            case .snapshot: return SyncPath.snapshot
            }
        }

        /// Most bytes of body, as sent and after inflating. A registration is read before the
        /// hub knows who sent it, so it gets only what a registration needs.
        public var maxBodyBytes: Int { self == .register ? WireLimits.maxRegisterBytes : WireLimits.maxBodyBytes }
        public var maxInflatedBytes: Int {
            self == .register ? WireLimits.maxRegisterBytes : WireLimits.maxInflatedBytes
        }

        /// The refusal of a body over ``maxBodyBytes``, as sent.
        var bodyTooLarge: HubError {
            HubError.tooLarge(
                self == .register
                    ? "register body larger than \(maxBodyBytes) bytes: a registration needs far less "
                        + "(WireLimits.maxRegisterBytes)"
                    : "request body larger than \(maxBodyBytes) bytes")
        }
    }

    /// A request whose headers were read and body collected; not yet authenticated.
    public struct Envelope: Sendable {
        public let replica: ReplicaID
        public let timeMillis: Int64
        public let nonce: String
        public let signature: String
        public let path: String
        public let raw: [UInt8]
        public let gzipped: Bool
        public let endpoint: Endpoint
        /// The clock offset the node states (`x-hearth-offset`), signed with the request.
        public var offsetMillis: Int64? = nil

        public init(
            headers: SignedHeaders, path: String, raw: [UInt8], gzipped: Bool, endpoint: Endpoint,
            offsetMillis: Int64?
        ) {
            replica = headers.replica
            timeMillis = headers.timeMillis
            nonce = headers.nonce
            signature = headers.signature
            self.path = path
            self.raw = raw
            self.gzipped = gzipped
            self.endpoint = endpoint
            self.offsetMillis = offsetMillis
        }

        /// The body as JSON: read only after the signature was checked (except to register,
        /// where the key to check it with is in the body, and the body is small).
        func json() throws -> JSON {
            let inflated: [UInt8]
            if gzipped {
                do { inflated = try Gzip.decompress(raw, maxSize: endpoint.maxInflatedBytes) } catch {
                    // A registration that inflates past its bound is too large, not malformed.
                    if endpoint == .register, error.kind == .tooLarge {
                        throw HubError.tooLarge(
                            "register body \(error.description): a registration needs far less "
                                + "(WireLimits.maxRegisterBytes)")
                    }
                    throw HubError.badRequest("request body \(error.description)")
                }
            } else {
                inflated = raw
            }
            do { return try JSON.parse(inflated) } catch {
                throw HubError.badRequest("body is not JSON: \(error.description)")
            }
        }

        /// The body as one message type; a malformed one is a bad request naming what was wrong.
        func decode<Message>(_ read: (JSON) throws(MessageError) -> Message) throws -> Message {
            let document = try json()
            do { return try read(document) } catch { throw HubError.badRequest(error.description) }
        }

        /// ``decode(_:)`` on the executor's threads: inflating and parsing a large body takes long.
        func decode<Message: Sendable>(
            on executor: DatabaseExecutor, _ read: @escaping @Sendable (JSON) throws(MessageError) -> Message
        ) async throws -> Message {
            try await executor.run { try decode(read) }
        }
    }

    /// Answers one signed request that the middleware read and authenticated: the endpoint's
    /// work on the ledger, with its parsing and the answer's encoding on the
    /// ``DatabaseExecutor``. What the work came to is noted for the request's log line.
    private func respond(to endpoint: Endpoint, context: HubRequestContext) async throws -> Response {
        guard let envelope = context.envelope else { throw HubError.internalFailure }
        let bytes = try await work(envelope, node: context.node, outcome: context.outcome)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// One signed request through the hub's endpoint without HTTP (the simulation's network):
    /// the same checks in the same order as ``AuthenticationMiddleware`` (registered, signature,
    /// time window, nonce, revoked, forked), then the endpoint's work. Refusals are
    /// ``HubError``s, as over HTTP; the answer is its canonical JSON.
    public func handle(_ envelope: Envelope) async throws -> [UInt8] {
        let node = envelope.endpoint == .register ? nil : try await authenticate(envelope)
        return try await work(envelope, node: node, outcome: RequestOutcome())
    }

    /// An endpoint's work for an authenticated request, and its answer's canonical JSON.
    private func work(_ envelope: Envelope, node: NodeRecord?, outcome: RequestOutcome) async throws -> [UInt8] {
        let document: JSON
        switch envelope.endpoint {
        case .register: document = try await register(envelope, outcome: outcome)
        case .push: document = try await push(envelope, from: try authenticated(node), outcome: outcome)
        case .pull: document = try await pull(envelope, for: try authenticated(node), outcome: outcome)
        case .index: document = try await index(envelope, for: try authenticated(node), outcome: outcome)
        case .snapshot: document = try await snapshot(envelope, for: try authenticated(node), outcome: outcome)
        }
        return try await database.run { document.canonicalBytes }
    }

    /// The node the middleware authenticated; a signed endpoint reached without one is the
    /// hub's own mistake (its routes are built with the middleware), answered 500.
    private func authenticated(_ node: NodeRecord?) throws -> NodeRecord {
        guard let node else { throw HubError.internalFailure }
        return node
    }

    private func register(_ envelope: Envelope, outcome: RequestOutcome) async throws -> JSON {
        let request = try await envelope.decode(on: database) { json throws(MessageError) in
            try RegisterRequest(json: json)
        }
        guard request.replica == envelope.replica else {
            throw HubError.badRequest("body and header name different replicas")
        }
        try await verifySignature(envelope, publicKey: request.publicKey)
        let node: NodeRecord
        do {
            node = try await ledger.register(
                secret: request.secret, replica: request.replica, publicKey: request.publicKey, nowMillis: clock())
        } catch { throw HubError.forbidden(error.description) }
        outcome["node"] = "\(node.name)"
        outcome["scope"] = "\(node.scope.value)"
        return RegisterResponse(
            hub: ledger.info.id, hubKey: ledger.info.publicKey, scope: node.scope.value, name: node.name
        )
        .json.answering(version: request.protocolVersion)
    }

    private func push(_ envelope: Envelope, from node: NodeRecord, outcome: RequestOutcome) async throws -> JSON {
        // The body is inflated and read only in the push's turn: at most two batches in memory.
        let arrived = ContinuousClock.now
        let (count, version, response) = try await pushes.run {
            let entered = ContinuousClock.now
            metrics.push(.waiting, entered - arrived)
            let keys = ledger.keys
            let request = try await envelope.decode(on: database) { json throws(MessageError) in
                try PushRequest(json: json, digests: keys.opener())
            }
            metrics.push(.reading, ContinuousClock.now - entered)
            guard request.replica == node.replica else {
                throw HubError.badRequest("body and header name different replicas")
            }
            return (request.ops.count, request.protocolVersion, try await accept(request, from: node))
        }
        outcome["ops"] = "\(count)"
        outcome["applied"] = "\(response.applied)"
        outcome["duplicates"] = "\(response.duplicates)"
        outcome["waiting"] = "\(response.waiting)"
        outcome["quarantined"] = "\(response.quarantined.count)"
        outcome["acked"] = "\(response.acked)"
        return response.json.answering(version: version)
    }

    /// Verifies a push's chain and applies it; shared by HTTP and bundle import.
    public func accept(_ request: PushRequest, from node: NodeRecord) async throws -> PushResponse {
        if request.ops.isEmpty, request.returned.isEmpty {
            return PushResponse(
                acked: node.ackedCounter,
                ackedHash: try await ledger.chainHash(replica: node.replica, counter: node.ackedCounter) ?? "",
                applied: 0, duplicates: 0, waiting: 0, quarantined: [])
        }
        let checking = ContinuousClock.now
        // A push that only hands back ops (Protocol/sync.md, A restored hub) has no chain to check.
        if let first = request.ops.first {
            guard let previous = try await ledger.chainHash(replica: node.replica, counter: first.dot.counter - 1)
            else {
                throw HubError.conflict(
                    "gap",
                    "the hub holds your ops up to \(node.ackedCounter); send from \(node.ackedCounter + 1), not \(first.dot.counter)"
                )
            }
            let chainFailure = try await database.run {
                ChainCheck.verify(
                    ops: request.ops, author: node.replica, previousHash: previous, head: request.chain,
                    publicKey: node.publicKey)
            }
            if let failure = chainFailure {
                throw HubError.badRequest("chain: \(failure.description)")
            }
        }
        // The field rules read the op alone (opening sealed ID numbers, the costliest part):
        // judged here, beside the chain check, instead of inside the transaction the one
        // writer holds. Ops the transaction judges beyond these (held ops judged again after
        // a restore) are checked there as before.
        let checked = try await database.run { [self] in
            FieldProblems(request.ops + request.returned, check: fieldProblem)
        }
        let applying = ContinuousClock.now
        metrics.push(.checking, applying - checking)
        let outcome: PushOutcome
        do {
            defer { metrics.push(.applying, ContinuousClock.now - applying) }
            outcome = try await ledger.acceptPush(
                from: node, ops: request.ops, returned: request.returned, stamps: request.stamps,
                headSignature: request.chain.signature, nowMillis: clock()
            ) { op in
                checked.problem(of: op, otherwise: fieldProblem)
            }
        } catch {
            if case .fork(let dot) = error {
                try? await ledger.markForked(node: node.replica, nowMillis: clock())
                if let forked = request.ops.first(where: { $0.dot == dot }) {
                    try? await ledger.holdForkedOp(forked, nowMillis: clock())
                }
                throw HubError.conflict("fork", error.description)
            }
            // A storage failure is the hub's, not the request's: 500, and nothing was applied.
            if case .database = error { throw error }
            if case .tooManyWaiting = error { throw HubError.conflict("waiting", error.description) }
            throw HubError.badRequest(error.description)
        }
        metrics.received(request.ops.count, applied: outcome.report.applied, rejected: outcome.quarantined.count)
        var returned: ReturnedCount?
        if !request.returned.isEmpty {
            let count = ReturnedCount(
                taken: request.returned.count - outcome.returnedRefused - outcome.returnedHeld,
                held: outcome.returnedHeld, refused: outcome.returnedRefused)
            returned = count
            logger.notice(
                "ops handed back after a restore",
                metadata: [
                    "node": "\(node.name)", "taken": "\(count.taken)", "held": "\(count.held)",
                    "refused": "\(count.refused)",
                ])
        }
        return PushResponse(
            acked: outcome.acked,
            ackedHash: try await ledger.chainHash(replica: node.replica, counter: outcome.acked) ?? "",
            applied: outcome.report.applied, duplicates: outcome.report.duplicates,
            waiting: outcome.report.waiting,
            quarantined: outcome.quarantined.map { QuarantineNote(dot: $0.dot, reason: $0.reason) },
            returned: returned)
    }

    /// Field rules the hub checks beyond the schema and ``Admission`` (which the ledger runs in
    /// the applying transaction): a sealed ID number must open with the county key and be a
    /// valid ID number; a death may not lie in the future.
    func fieldProblem(_ op: Op) -> String? {
        let today = DomainCalendar.date(atMillis: clock())
        if case .sealed(let sealed)? = op.fields["id_number"] {
            guard let clear = try? ledger.keys.open(sealed) else {
                return "id_number: sealed under another county key"
            }
            do { _ = try IDNumber(parsing: clear, today: today) } catch { return "id_number: \(error.reason)" }
        }
        if case .text(let text)? = op.fields["death_date"], let date = try? CivilDate.parse(text, field: "death_date"),
            date > today
        {
            return "death_date: is in the future"
        }
        return nil
    }

    private func pull(_ envelope: Envelope, for node: NodeRecord, outcome: RequestOutcome) async throws -> JSON {
        let request = try await envelope.decode(on: database) { json throws(MessageError) in
            try PullRequest(json: json)
        }
        guard request.replica == node.replica else {
            throw HubError.badRequest("body and header name different replicas")
        }
        let response = try await answer(pull: request, for: node)
        outcome["ops"] = "\(response.ops.count)"
        outcome["cursor"] = "\(response.cursor)"
        outcome["more"] = "\(response.more)"
        // Leaving out what the node derives hashes every op and opens its sealed values: off
        // the cooperative threads, like the encoding that follows.
        let keys = ledger.keys
        return try await database.run {
            response.json(version: request.protocolVersion, digests: keys.opener())
        }
    }

    private func index(_ envelope: Envelope, for node: NodeRecord, outcome: RequestOutcome) async throws -> JSON {
        let request = try await envelope.decode(on: database) { json throws(MessageError) in
            try IndexRequest(json: json)
        }
        guard request.replica == node.replica else {
            throw HubError.badRequest("body and header name different replicas")
        }
        switch try await ledger.duplicateIndex(since: request.version, deltas: request.deltas) {
        case .unchanged(let version):
            outcome["unchanged"] = "true"
            return IndexResponse(version: version, unchanged: true, entries: []).json
                .answering(version: request.protocolVersion)
        case .delta(let version, let added, let removed):
            outcome["added"] = "\(added.count)"
            outcome["removed"] = "\(removed.count)"
            return IndexResponse(version: version, unchanged: false, entries: [], added: added, removed: removed).json
                .answering(version: request.protocolVersion)
        case .full(let version, let prefixes):
            outcome["entries"] = "\(prefixes.count)"
            // A node that takes deltas reads the whole index as a bitmap too.
            return IndexResponse(version: version, unchanged: false, entries: prefixes, asBitmap: request.deltas).json
                .answering(version: request.protocolVersion)
        }
    }

    /// One page of the node's snapshot (Protocol/sync.md, Snapshot): the merge states of the
    /// records its scope holds, read by the hub's own state of where each record lies.
    private func snapshot(_ envelope: Envelope, for node: NodeRecord, outcome: RequestOutcome) async throws -> JSON {
        let request = try await envelope.decode(on: database) { json throws(MessageError) in
            try SnapshotRequest(json: json)
        }
        guard request.replica == node.replica else {
            throw HubError.badRequest("body and header name different replicas")
        }
        var after: SnapshotCursor?
        if let text = request.after {
            guard let cursor = SnapshotCursor(text: text) else {
                throw HubError.badRequest(
                    "\"after\" is not a place in a snapshot: send the \"next\" of the page before, or nothing")
            }
            after = cursor
        }
        let page = try await ledger.snapshot(for: node, after: after, maxRecords: request.maxRecords)
        // A page carries the scope's waiting ops whole, and a reader takes at most a message's
        // worth: past that the node must replay, and is told so (it does, by itself).
        guard page.waiting.count <= WireLimits.maxOpsPerMessage, page.departed.count <= SnapshotResponse.maxRecords
        else {
            throw HubError.conflict(
                "replay",
                "\(page.waiting.count) ops of this scope wait at the hub and \(page.departed.count) of its records "
                    + "left it, more than a snapshot carries (\(WireLimits.maxOpsPerMessage) of each): replay the "
                    + "scope's history instead")
        }
        outcome["records"] = "\(page.records.count)"
        outcome["waiting"] = "\(page.waiting.count)"
        outcome["position"] = "\(page.position)"
        outcome["more"] = "\(page.next != nil)"
        let hub = ledger.info.id
        let keys = ledger.keys
        return try await database.run {
            SnapshotResponse(
                hub: hub, position: page.position, records: page.records, waiting: page.waiting,
                departed: page.departed, next: page.next?.text
            ).json(version: request.protocolVersion, digests: keys.opener())
        }
    }

    /// A pull answer for a node; shared by HTTP and bundle export.
    public func answer(pull request: PullRequest, for node: NodeRecord) async throws -> PullResponse {
        try await ledger.confirmPulled(node: node.replica, cursor: request.cursor, nowMillis: clock())
        let page: LogPage
        do {
            page = try await ledger.pull(
                for: node, cursor: request.cursor, maxOps: request.maxOps, nowMillis: clock(),
                entriesAsStates: request.protocolVersion >= WireVersion.statesOnEntry)
        } catch .snapshotRequired(let cursor, let archived) {
            throw HubError.conflict(
                "snapshot_required", ReplicaError.snapshotRequired(cursor: cursor, archived: archived).description)
        }
        return try await pullResponse(page, for: node)
    }

    /// A page of the log as a pull answer (over HTTP or in a bundle): with the stamps of the
    /// hub's own ops and its retired writers, and what the hub holds of the node's own ops.
    func pullResponse(_ page: LogPage, for node: NodeRecord) async throws -> PullResponse {
        let ledger = self.ledger
        let stamps = try await database.run { ledger.stamps(of: page.ops, retired: page.retired) }
        return PullResponse(
            hub: ledger.info.id, ops: page.ops, cursor: page.cursor, more: page.more,
            yourCounter: node.ackedCounter,
            yourHash: try await ledger.chainHash(replica: node.replica, counter: node.ackedCounter) ?? "",
            stamps: stamps, retired: page.retired, entered: page.entered)
    }
}
