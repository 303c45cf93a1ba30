import CompressNIO
import Foundation
import HTTPTypes
import HearthCore
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
/// replica, so a restart (or a kill) loses nothing that was acknowledged.
///
/// It keeps answering while it works: every request's database and CPU work runs on
/// ``DatabaseExecutor`` threads, never on Swift's cooperative threads (so `/healthz` answers
/// while a push waits for SQLite's write lock); `/metrics` reads its gauges through a
/// ``GaugeCache``; a body is refused before it is read when the caller cannot be served
/// (a registration over ``WireLimits/maxRegisterBytes``, a replica that is not registered).
public struct HubService: Sendable {
    public let replica: HubLedger
    public let metrics: HubMetrics
    let logger: Logger
    /// Injected so tests can move the hub's clock.
    let clock: @Sendable () -> Int64
    /// Where the handlers' synchronous work runs.
    let database: DatabaseExecutor
    let gauges: GaugeCache

    public init(
        replica: HubLedger, logger: Logger, clock: @escaping @Sendable () -> Int64, database: DatabaseExecutor = .shared
    ) {
        self.replica = replica
        self.metrics = HubMetrics()
        self.logger = logger
        self.clock = clock
        self.database = database
        self.gauges = GaugeCache {
            let (conflicts, nodes, quarantined) = try replica.hubGauges()
            return GaugeCache.Gauges(conflicts: conflicts, nodes: nodes, quarantined: quarantined)
        }
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get(RouterPath(stringLiteral: SyncPath.health)) { _, _ in "ok\n" }
        router.get(RouterPath(stringLiteral: SyncPath.metrics)) { _, _ in
            let reading = try await gauges.current()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4"
            let text = metrics.render(
                conflictsOpen: reading.conflicts, nodes: reading.nodes, quarantined: reading.quarantined)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.post(RouterPath(stringLiteral: SyncPath.register)) { request, _ in
            await handle(request, endpoint: .register) { envelope in try register(envelope) }
        }
        router.post(RouterPath(stringLiteral: SyncPath.push)) { request, _ in
            await handle(request, endpoint: .push) { envelope in try push(envelope) }
        }
        router.post(RouterPath(stringLiteral: SyncPath.pull)) { request, _ in
            await handle(request, endpoint: .pull) { envelope in try pull(envelope) }
        }
        router.post(RouterPath(stringLiteral: SyncPath.index)) { request, _ in
            await handle(request, endpoint: .index) { envelope in try index(envelope) }
        }
        return router
    }

    /// A signed endpoint, with what it may receive.
    enum Endpoint: String, Sendable {
        case register, push, pull, index

        /// Most bytes of body, as sent and after inflating. A registration is read before the
        /// hub knows who sent it, so it gets only what a registration needs.
        var maxBodyBytes: Int { self == .register ? WireLimits.maxRegisterBytes : WireLimits.maxBodyBytes }
        var maxInflatedBytes: Int { self == .register ? WireLimits.maxRegisterBytes : WireLimits.maxInflatedBytes }
    }

    /// A request whose headers were read and body collected; not yet authenticated.
    struct Envelope: Sendable {
        let replica: ReplicaID
        let timeMillis: Int64
        let nonce: String
        let signature: String
        let path: String
        let raw: [UInt8]
        let gzipped: Bool
        let endpoint: Endpoint
        /// The clock offset the node states (`x-hearth-offset`), signed with the request.
        var offsetMillis: Int64? = nil

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
    }

    /// An answer ready to send: its body compressed and signed off the cooperative threads.
    struct Answer: Sendable {
        let status: HTTPResponse.Status
        let body: [UInt8]
        let signature: String?
        /// The hub's clock when it signed the answer (`x-hearth-time`, covered by the signature).
        let timeMillis: Int64
    }

    /// Reads, checks and answers one signed request. Everything that may block or take CPU
    /// time (the database, inflating, parsing, signatures, compressing the answer) runs on
    /// the ``DatabaseExecutor``; this task only waits.
    private func handle(
        _ request: Request, endpoint: Endpoint, body: @escaping @Sendable (Envelope) throws -> JSON
    ) async -> Response {
        let start = Date()
        let nonce = request.headers[HTTPField.Name(SyncHeader.nonce)!] ?? ""
        let answer: Answer
        do {
            let envelope = try await read(request, endpoint: endpoint)
            answer = try await database.run {
                let (status, document) = outcome(endpoint) { try body(envelope) }
                return seal(document, status: status, nonce: nonce)
            }
        } catch {
            let (status, document) = outcome(endpoint) { throw error }
            answer = seal(document, status: status, nonce: nonce)
        }
        metrics.request(
            endpoint: endpoint.rawValue, status: Int(answer.status.code), seconds: Date().timeIntervalSince(start))
        return respond(answer)
    }

    /// What a request's work came to: its answer, or its refusal (logged) as a status and an
    /// ErrorBody.
    private func outcome(_ endpoint: Endpoint, _ work: () throws -> JSON) -> (HTTPResponse.Status, JSON) {
        do {
            return (.ok, try work())
        } catch let error as HubError {
            logger.notice("refused \(endpoint.rawValue): \(error.code): \(error.message)")
            return (error.status, error.body.json)
        } catch {
            logger.error("\(endpoint.rawValue) failed: \(String(describing: error))")
            return (
                .internalServerError,
                ErrorBody(code: "internal", message: "the hub could not process this request").json
            )
        }
    }

    /// Reads a request's signed headers and collects its body, refusing as early as it can:
    /// malformed headers before the body is read; a declared length over the endpoint's bound
    /// before the body is read; a replica that is not registered (except to register) before
    /// the body is read; a body over the bound as soon as it passes it.
    private func read(_ request: Request, endpoint: Endpoint) async throws -> Envelope {
        func header(_ name: String) throws -> String {
            guard let value = request.headers[HTTPField.Name(name)!], !value.isEmpty else {
                throw HubError.unauthorized("missing header \(name): every request is signed (Protocol/sync.md)")
            }
            return value
        }
        guard let replicaID = ReplicaID(validating: try header(SyncHeader.replica)) else {
            throw HubError.unauthorized("\(SyncHeader.replica) is not a replica id")
        }
        guard let time = Int64(try header(SyncHeader.time)) else {
            throw HubError.unauthorized("\(SyncHeader.time) is not a number")
        }
        let nonce = try header(SyncHeader.nonce)
        let signature = try header(SyncHeader.signature)
        guard nonce.utf8.count >= 16, nonce.utf8.count <= 64, Hex.decode(nonce) != nil else {
            throw HubError.unauthorized("\(SyncHeader.nonce) must be 16 to 64 hex digits")
        }
        let limit = endpoint.maxBodyBytes
        let tooLarge =
            endpoint == .register
            ? "register body larger than \(limit) bytes: a registration needs far less (WireLimits.maxRegisterBytes)"
            : "request body larger than \(limit) bytes"
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw HubError.tooLarge(tooLarge)
        }
        if endpoint != .register {
            let replica = self.replica
            guard try await database.run({ try replica.node(replicaID) != nil }) else {
                throw HubError.unauthorized("replica \(replicaID) is not registered with this hub")
            }
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: limit) } catch { throw HubError.tooLarge(tooLarge) }
        return Envelope(
            replica: replicaID, timeMillis: time, nonce: nonce, signature: signature, path: request.uri.path,
            raw: Array(buffer.readableBytesView), gzipped: request.headers[.contentEncoding]?.lowercased() == "gzip",
            endpoint: endpoint, offsetMillis: try Self.offset(request))
    }

    /// An answer's body compressed and signed by the hub (tied to the request's nonce).
    private func seal(_ document: JSON, status: HTTPResponse.Status, nonce: String) -> Answer {
        let bytes = Gzip.compress(document.canonicalBytes)
        let now = clock()
        let signature = try? replica.replica.sign(
            Signer.responseMessage(nonce: nonce, status: Int(status.code), body: bytes, timeMillis: now))
        return Answer(status: status, body: bytes, signature: signature, timeMillis: now)
    }

    private func respond(_ answer: Answer) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.contentEncoding] = "gzip"
        // Every answer carries the hub's clock, signed: a node whose clock is wrong corrects by it.
        headers[HTTPField.Name(SyncHeader.time)!] = String(answer.timeMillis)
        if let signature = answer.signature {
            headers[HTTPField.Name(SyncHeader.signature)!] = signature
        }
        headers[HTTPField.Name(SyncHeader.replica)!] = replica.info.id.value
        return Response(
            status: answer.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
    }

    /// Authenticates a registered node: known, not revoked, not forked, signature valid,
    /// nonce fresh.
    private func authenticate(_ envelope: Envelope) throws -> NodeRecord {
        guard let node = try replica.node(envelope.replica) else {
            throw HubError.unauthorized("replica \(envelope.replica) is not registered with this hub")
        }
        try verifySignature(envelope, publicKey: node.publicKey)
        guard node.revokedMillis == nil else { throw HubError.forbidden("node \(node.name) has been revoked") }
        guard node.forkedMillis == nil else {
            throw HubError.conflict(
                "forked",
                "replica \(node.replica) is marked forked (a copied or restored database): run `hearth node reidentify`"
            )
        }
        return node
    }

    private func verifySignature(_ envelope: Envelope, publicKey: String) throws {
        let message = Signer.requestMessage(
            method: "POST", path: envelope.path, replica: envelope.replica.value, timeMillis: envelope.timeMillis,
            nonce: envelope.nonce, body: envelope.raw, offsetMillis: envelope.offsetMillis)
        guard Signer.verify(envelope.signature, of: message, publicKey: publicKey) else {
            throw HubError.unauthorized("request signature does not verify (tampered, or signed with another key)")
        }
        let now = clock()
        let offset = envelope.offsetMillis ?? 0
        guard HubLedger.requestTimeInWindow(timeMillis: envelope.timeMillis, offsetMillis: offset, nowMillis: now)
        else {
            // A code of its own: the answer is signed and carries the hub's time, so the node
            // measures its offset from it and sends the request again (Protocol/sync.md, Clocks).
            throw HubError(
                status: .unauthorized, code: "time_window",
                message: "request time, corrected by the offset the node states, is more than 24 hours from the hub's "
                    + "clock: refused as a possible replay (the hub's time is in this answer's \(SyncHeader.time))")
        }
        do {
            try replica.admitRequest(
                from: envelope.replica, nonce: envelope.nonce, timeMillis: envelope.timeMillis, offsetMillis: offset,
                nowMillis: now)
        } catch {
            throw HubError.unauthorized(error.description)
        }
    }

    /// The request's `x-hearth-offset`, when it has one: a signed 64-bit integer.
    private static func offset(_ request: Request) throws -> Int64? {
        guard let text = request.headers[HTTPField.Name(SyncHeader.offset)!] else { return nil }
        guard let offset = Int64(text) else { throw HubError.unauthorized("\(SyncHeader.offset) is not a number") }
        return offset
    }

    private func register(_ envelope: Envelope) throws -> JSON {
        let request: RegisterRequest
        request = try envelope.decode { json throws(MessageError) in try RegisterRequest(json: json) }
        guard request.replica == envelope.replica else {
            throw HubError.badRequest("body and header name different replicas")
        }
        try verifySignature(envelope, publicKey: request.publicKey)
        let node: NodeRecord
        do {
            node = try replica.register(
                secret: request.secret, replica: request.replica, publicKey: request.publicKey, nowMillis: clock())
        } catch { throw HubError.forbidden(error.description) }
        logger.info("registered node \(node.name) (\(node.replica)), scope \(node.scope.value)")
        return RegisterResponse(
            hub: replica.info.id, hubKey: replica.info.publicKey, scope: node.scope.value, name: node.name
        )
        .json
    }

    private func push(_ envelope: Envelope) throws -> JSON {
        let node = try authenticate(envelope)
        let request: PushRequest
        request = try envelope.decode { json throws(MessageError) in try PushRequest(json: json) }
        guard request.replica == node.replica else {
            throw HubError.badRequest("body and header name different replicas")
        }
        return try accept(request, from: node).json
    }

    /// Verifies a push's chain and applies it; shared by HTTP and bundle import.
    public func accept(_ request: PushRequest, from node: NodeRecord) throws -> PushResponse {
        guard let first = request.ops.first else {
            return PushResponse(
                acked: node.ackedCounter,
                ackedHash: try replica.chainHash(replica: node.replica, counter: node.ackedCounter) ?? "",
                applied: 0, duplicates: 0, waiting: 0, quarantined: [])
        }
        guard let previous = try replica.chainHash(replica: node.replica, counter: first.dot.counter - 1) else {
            throw HubError.conflict(
                "gap",
                "the hub holds your ops up to \(node.ackedCounter); send from \(node.ackedCounter + 1), not \(first.dot.counter)"
            )
        }
        if let failure = ChainCheck.verify(
            ops: request.ops, author: node.replica, previousHash: previous, head: request.chain,
            publicKey: node.publicKey)
        {
            throw HubError.badRequest("chain: \(failure.description)")
        }
        let outcome: PushOutcome
        do {
            outcome = try replica.acceptPush(from: node, ops: request.ops, nowMillis: clock()) { op in fieldProblem(op)
            }
        } catch {
            if case .fork(let dot) = error {
                try? replica.markForked(node: node.replica, nowMillis: clock())
                if let forked = request.ops.first(where: { $0.dot == dot }) {
                    try? replica.holdForkedOp(forked, nowMillis: clock())
                }
                throw HubError.conflict("fork", error.description)
            }
            // A storage failure is the hub's, not the request's: 500, and nothing was applied.
            if case .database = error { throw error }
            if case .tooManyWaiting = error { throw HubError.conflict("waiting", error.description) }
            throw HubError.badRequest(error.description)
        }
        metrics.received(request.ops.count, applied: outcome.report.applied, rejected: outcome.quarantined.count)
        return PushResponse(
            acked: outcome.acked, ackedHash: try replica.chainHash(replica: node.replica, counter: outcome.acked) ?? "",
            applied: outcome.report.applied, duplicates: outcome.report.duplicates,
            waiting: outcome.report.waiting,
            quarantined: outcome.quarantined.map { QuarantineNote(dot: $0.dot, reason: $0.reason) })
    }

    /// Field rules the hub checks beyond the schema and ``Admission`` (which the ledger runs in
    /// the applying transaction): a sealed ID number must open with the county key and be a
    /// valid ID number; a death may not lie in the future.
    func fieldProblem(_ op: Op) -> String? {
        let today = DomainCalendar.date(atMillis: clock())
        if case .sealed(let sealed)? = op.fields["id_number"] {
            guard let clear = try? replica.keys.open(sealed) else {
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

    private func pull(_ envelope: Envelope) throws -> JSON {
        let node = try authenticate(envelope)
        let request: PullRequest
        request = try envelope.decode { json throws(MessageError) in try PullRequest(json: json) }
        guard request.replica == node.replica else {
            throw HubError.badRequest("body and header name different replicas")
        }
        return try answer(pull: request, for: node).json
    }

    private func index(_ envelope: Envelope) throws -> JSON {
        let node = try authenticate(envelope)
        let request: IndexRequest
        request = try envelope.decode { json throws(MessageError) in try IndexRequest(json: json) }
        guard request.replica == node.replica else {
            throw HubError.badRequest("body and header name different replicas")
        }
        let (version, prefixes) = try replica.replica.duplicateIndex()
        guard version != request.version else {
            return IndexResponse(version: version, unchanged: true, entries: []).json
        }
        return IndexResponse(version: version, unchanged: false, entries: prefixes).json
    }

    /// A pull answer for a node; shared by HTTP and bundle export.
    public func answer(pull request: PullRequest, for node: NodeRecord) throws -> PullResponse {
        try replica.confirmPulled(node: node.replica, cursor: request.cursor, nowMillis: clock())
        let batch = try replica.pull(for: node, cursor: request.cursor, maxOps: request.maxOps, nowMillis: clock())
        return PullResponse(
            hub: replica.info.id, ops: batch.ops, cursor: batch.cursor, more: batch.more,
            yourCounter: node.ackedCounter,
            yourHash: try replica.chainHash(replica: node.replica, counter: node.ackedCounter) ?? "")
    }
}
