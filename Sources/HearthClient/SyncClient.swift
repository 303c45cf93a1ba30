import AsyncHTTPClient
import Foundation
import HearthCore
import HearthProtocol
import HearthLedger
import HearthStore
import Logging
import NIOCore
import NIOSSL

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
    /// Entries of the duplicate index received, or nil when it had not changed.
    public var indexEntries: Int?
}

/// Progress reported while syncing, so a terminal can show ops and bytes each way.
public enum SyncProgress: Sendable {
    case pushed(ops: Int, bytes: Int)
    case pulled(ops: Int, bytes: Int)
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
    public let baseURL: String
    let http: HTTPClient
    let clock: @Sendable () -> Int64
    /// The hub's clock minus the node's: requests are stamped with the node's own clock and
    /// state this offset, so a wrong clock does not stop sync. Ops keep the node's clock.
    let hubClock: HubClock
    public var batchSize = 1_000
    public var timeout: TimeAmount = .seconds(60)
    /// Where the client logs; by default nowhere (the command line says what a sync did).
    public var logger: Logger

    /// A logger that drops everything: the default, so a library call prints nothing unasked.
    public static let silent = Logger(label: "hearth.client", factory: { _ in SwiftLogNoOpLogHandler() })

    /// - Parameter caFile: a PEM file of the county's own CA, trusted instead of the system's roots.
    public init(
        replica: Replica, baseURL: String, caFile: String? = nil, logger: Logger = SyncClient.silent,
        clock: @escaping @Sendable () -> Int64
    ) throws {
        self.replica = replica
        var logger = logger
        logger[metadataKey: "node"] = "\(replica.info.name)"
        self.logger = logger
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.clock = clock
        hubClock = HubClock(stored: try replica.hubClockOffset())
        var configuration = HTTPClient.Configuration()
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        }
        configuration.tlsConfiguration = tls
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
        configuration.decompression = .disabled
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async {
        try? await http.shutdown()
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

    /// Registers this replica with the hub using an enrollment token's secret.
    public func register(secret: String, name: String) async throws -> RegisterResponse {
        let request = RegisterRequest(
            secret: secret, replica: replica.info.id, publicKey: replica.info.publicKey, name: name)
        // The hub's key is known from the token: its answer is checked like any other.
        let (json, _) = try await post(SyncPath.register, request.json, hubKey: try replica.syncState().hubKey)
        let response: RegisterResponse
        do { response = try RegisterResponse(json: json) } catch { throw SyncError.badResponse(error.description) }
        logger.info("registered with the hub", metadata: ["scope": "\(response.scope)"])
        return response
    }

    /// Pushes, then pulls until the hub has nothing more for this node.
    public func sync(progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncSummary {
        let state = try replica.syncState()
        guard let hubKey = state.hubKey else { throw SyncError.notEnrolled }
        if let pending = state.pendingRegistration {
            let (secret, name) = Self.splitRegistration(pending)
            _ = try await register(secret: secret, name: name)
            try replica.clearPendingRegistration()
        }
        let start = ContinuousClock.now
        var summary = SyncSummary()
        while true {
            let ops = try replica.unpushedOps(limit: batchSize)
            guard let last = ops.last else { break }
            let head = ChainHead(
                counter: last.dot.counter, hash: last.hash,
                signature: try replica.signChainHead(counter: last.dot.counter, hash: last.hash))
            let request = PushRequest(replica: replica.info.id, ops: ops, chain: head)
            let (json, bytes) = try await post(SyncPath.push, request.json, hubKey: hubKey)
            let response: PushResponse
            do { response = try PushResponse(json: json) } catch { throw SyncError.badResponse(error.description) }
            let own = try replica.syncState().ownCounter
            if response.acked > own { throw SyncError.behindItself(hubHolds: response.acked, local: own) }
            let notes: String? =
                response.quarantined.isEmpty ? nil : JSON.array(response.quarantined.map(\.json)).canonicalText
            try replica.recordAck(response.acked, hash: response.ackedHash, notes: notes, nowMillis: clock())
            summary.pushedOps += ops.count
            summary.pushedBytes += bytes
            summary.quarantined += response.quarantined
            logger.debug(
                "pushed a batch",
                metadata: [
                    "ops": "\(ops.count)", "applied": "\(response.applied)", "duplicates": "\(response.duplicates)",
                    "quarantined": "\(response.quarantined.count)", "acked": "\(response.acked)",
                ])
            progress(.pushed(ops: summary.pushedOps, bytes: summary.pushedBytes))
            guard response.acked >= last.dot.counter else {
                throw SyncError.badResponse("the hub acknowledged \(response.acked), not \(last.dot.counter)")
            }
        }
        var cursor = try replica.syncState().pullCursor
        while true {
            let request = PullRequest(replica: replica.info.id, cursor: cursor, maxOps: batchSize)
            let (json, bytes) = try await post(SyncPath.pull, request.json, hubKey: hubKey)
            let response: PullResponse
            do { response = try PullResponse(json: json) } catch { throw SyncError.badResponse(error.description) }
            let own = try replica.syncState().ownCounter
            if response.yourCounter > own { throw SyncError.behindItself(hubHolds: response.yourCounter, local: own) }
            try replica.checkHubHolds(counter: response.yourCounter, hash: response.yourHash)
            let report = try replica.applyPulled(response.ops, cursor: response.cursor, nowMillis: clock())
            summary.pulledOps += response.ops.count
            summary.pulledBytes += bytes
            summary.applied += report.applied
            summary.waiting += report.waiting
            cursor = response.cursor
            progress(.pulled(ops: summary.pulledOps, bytes: summary.pulledBytes))
            if !response.more { break }
        }
        summary.cursor = cursor
        // The county's duplicate index, when it changed: `member add` checks it offline.
        let indexRequest = IndexRequest(replica: replica.info.id, version: try replica.duplicateIndexVersion())
        let (indexJSON, indexBytes) = try await post(SyncPath.index, indexRequest.json, hubKey: hubKey)
        let index: IndexResponse
        do { index = try IndexResponse(json: indexJSON) } catch { throw SyncError.badResponse(error.description) }
        if !index.unchanged {
            try replica.storeDuplicateIndex(version: index.version, prefixes: index.entries)
        }
        summary.pulledBytes += indexBytes
        summary.indexEntries = index.unchanged ? nil : index.entries.count
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

    static func splitRegistration(_ text: String) -> (secret: String, name: String) {
        let parts = text.split(separator: "\n", maxSplits: 1).map(String.init)
        return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
    }

    /// Signs, compresses and posts one message; verifies the hub's signature on the answer.
    /// A request refused because its time lies outside the hub's window is sent once more
    /// (with a fresh nonce), corrected by the hub's clock from that signed refusal.
    func post(_ path: String, _ document: JSON, hubKey: String?) async throws -> (JSON, Int) {
        let body = Gzip.compress(document.canonicalBytes)
        do {
            return try await exchange(path, body: body, hubKey: hubKey)
        } catch SyncError.refused(status: 401, code: HubClock.refusalCode, message: _) where hubKey != nil {
            logger.notice(
                "the hub refused this node's clock; sending again corrected by the hub's",
                metadata: ["endpoint": "\(path)", "offset_ms": "\(hubClock.current.map(String.init) ?? "none")"])
            return try await exchange(path, body: body, hubKey: hubKey)
        }
    }

    /// One signed request and its verified answer; learns the hub's clock from the answer.
    private func exchange(_ path: String, body: [UInt8], hubKey: String?) async throws -> (JSON, Int) {
        var nonceBytes = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in nonceBytes.indices { nonceBytes[index] = UInt8.random(in: 0...255, using: &generator) }
        let nonce = Hex.encode(nonceBytes)
        // The node's own clock, uncorrected (the hub records its skew for the desk, R15), and
        // the offset that corrects it; both signed.
        let time = clock()
        let offset = hubClock.current
        let signature = try replica.sign(
            Signer.requestMessage(
                method: "POST", path: path, replica: replica.info.id.value, timeMillis: time, nonce: nonce, body: body,
                offsetMillis: offset))
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "content-encoding", value: "gzip")
        request.headers.add(name: SyncHeader.replica, value: replica.info.id.value)
        request.headers.add(name: SyncHeader.time, value: String(time))
        if let offset { request.headers.add(name: SyncHeader.offset, value: String(offset)) }
        request.headers.add(name: SyncHeader.nonce, value: nonce)
        request.headers.add(name: SyncHeader.signature, value: signature)
        request.body = .bytes(ByteBuffer(bytes: body))
        let start = ContinuousClock.now
        let response: HTTPClientResponse
        let raw: [UInt8]
        do {
            response = try await http.execute(request, timeout: timeout)
            raw = Array((try await response.body.collect(upTo: WireLimits.maxBodyBytes)).readableBytesView)
        } catch {
            logger.warning(
                "the hub is unreachable",
                metadata: [
                    "endpoint": "\(path)", "error": "\(String(describing: error))",
                    "duration_ms": "\(Self.milliseconds(since: start))",
                ])
            throw SyncError.unreachable(url: baseURL, reason: String(describing: error))
        }
        var metadata: Logger.Metadata = [
            "endpoint": "\(path)", "status": "\(response.status.code)", "sent_bytes": "\(body.count)",
            "received_bytes": "\(raw.count)", "duration_ms": "\(Self.milliseconds(since: start))",
        ]
        let inflated: [UInt8]
        if response.headers.first(name: "content-encoding")?.lowercased() == "gzip" {
            do { inflated = try Gzip.decompress(raw) } catch {
                throw SyncError.badResponse("the hub's answer \(error.description)")
            }
        } else {
            inflated = raw
        }
        let json: JSON
        do { json = try JSON.parse(inflated) } catch {
            throw SyncError.badResponse("HTTP \(response.status.code), body is not JSON")
        }
        if let hubKey {
            let signed = response.headers.first(name: SyncHeader.signature) ?? ""
            let hubTime = response.headers.first(name: SyncHeader.time).flatMap { Int64($0) }
            let message = Signer.responseMessage(
                nonce: nonce, status: Int(response.status.code), body: raw, timeMillis: hubTime)
            guard Signer.verify(signed, of: message, publicKey: hubKey) else {
                logger.error("the answer is not signed by this node's hub", metadata: metadata)
                throw SyncError.forgedResponse
            }
            // Trusted only because the hub signed it, for this request's fresh nonce.
            if let hubTime,
                let keep = hubClock.measured(hubMillis: hubTime, sentMillis: time, receivedMillis: clock())
            {
                try replica.recordHubClockOffset(keep)
            }
        }
        guard response.status == .ok else {
            let error = ErrorBody(json: json)
            metadata["code"] = "\(error?.code ?? "error")"
            logger.notice("the hub refused", metadata: metadata)
            throw SyncError.refused(
                status: Int(response.status.code), code: error?.code ?? "error",
                message: error?.message ?? "no reason given")
        }
        logger.debug("exchanged", metadata: metadata)
        return (json, body.count + raw.count)
    }

    /// Whole milliseconds since `start`, for a log line.
    static func milliseconds(since start: ContinuousClock.Instant) -> Int64 {
        let (seconds, attoseconds) = (ContinuousClock.now - start).components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
