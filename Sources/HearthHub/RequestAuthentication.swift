import HearthCore
import HearthProtocol
import HearthLedger
import HearthStore

/// Who sent a request, decided without HTTP: the signed headers read into values, and the
/// admission of a registered node (known, signature valid, time in the window, nonce fresh,
/// not revoked, not forked).
///
/// Why apart from the middleware that calls it (``AuthenticationMiddleware``): the same
/// decision must hold for every way a request reaches the hub (HTTP today, the simulation's
/// network next), so it lives in plain functions over an ``HubService/Envelope``, with
/// refusals as ``HubError`` values. The order of the checks is part of the protocol
/// (Protocol/sync.md, Errors): a forged request from a revoked node is refused for its
/// signature (401), not for the revocation (403).
extension HubService {
    /// The signed headers of a request, checked for form only (nothing is looked up).
    public struct SignedHeaders: Sendable {
        public let replica: ReplicaID
        public let timeMillis: Int64
        public let nonce: String
        public let signature: String

        /// Reads the headers through `field` (a header's value by name, nil when absent),
        /// refusing a request that is not signed the way Protocol/sync.md says.
        public init(_ field: (String) -> String?) throws(HubError) {
            func header(_ name: String) throws(HubError) -> String {
                guard let value = field(name), !value.isEmpty else {
                    throw HubError.unauthorized("missing header \(name): every request is signed (Protocol/sync.md)")
                }
                return value
            }
            guard let replica = ReplicaID(validating: try header(SyncHeader.replica)) else {
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
            self.replica = replica
            self.timeMillis = time
            self.nonce = nonce
            self.signature = signature
        }

        /// The request's `x-hearth-offset`, when it has one: a signed 64-bit integer.
        public static func offset(_ text: String?) throws(HubError) -> Int64? {
            guard let text else { return nil }
            guard let offset = Int64(text) else { throw HubError.unauthorized("\(SyncHeader.offset) is not a number") }
            return offset
        }
    }

    /// Refuses a replica that is not registered; asked before its body is read, so a stranger
    /// cannot make the hub read (or wait for) a body it will refuse.
    public func requireRegistered(_ replicaID: ReplicaID) async throws {
        guard try await ledger.node(replicaID) != nil else {
            throw HubError.unauthorized("replica \(replicaID) is not registered with this hub")
        }
    }

    /// Authenticates a registered node: known, signature valid, time in the window, nonce
    /// fresh (recorded, so the same request is never admitted twice), not revoked (403), not
    /// forked (409). The signature is checked on the ``DatabaseExecutor`` (it hashes the body).
    public func authenticate(_ envelope: Envelope) async throws -> NodeRecord {
        guard let node = try await ledger.node(envelope.replica) else {
            throw HubError.unauthorized("replica \(envelope.replica) is not registered with this hub")
        }
        try await verifySignature(envelope, publicKey: node.publicKey)
        guard node.revokedMillis == nil else { throw HubError.forbidden("node \(node.name) has been revoked") }
        guard node.forkedMillis == nil else {
            throw HubError.conflict(
                "forked",
                "replica \(node.replica) is marked forked (a copied or restored database): run `hearth node reidentify`"
            )
        }
        return node
    }

    /// Checks a request's signature with `publicKey`, its time against the hub's window, and
    /// records its nonce (a nonce seen before is refused).
    func verifySignature(_ envelope: Envelope, publicKey: String) async throws {
        let verified = try await database.run {
            let message = Signer.requestMessage(
                method: "POST", path: envelope.path, replica: envelope.replica.value, timeMillis: envelope.timeMillis,
                nonce: envelope.nonce, body: envelope.raw, offsetMillis: envelope.offsetMillis)
            return Signer.verify(envelope.signature, of: message, publicKey: publicKey)
        }
        guard verified else {
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
            try await ledger.admitRequest(
                from: envelope.replica, nonce: envelope.nonce, timeMillis: envelope.timeMillis, offsetMillis: offset,
                nowMillis: now)
        } catch {
            // The store did not answer (busy past its timeout, down): the hub's own failure, logged
            // as such, not a refusal naming the database to the node.
            if case .database = error { throw error }
            throw HubError.unauthorized(error.description)
        }
    }

    /// The hub's signature over an answer's body as sent (compressed), tied to the request's
    /// nonce and the hub's clock now; nil when the hub's key cannot sign (the answer then goes
    /// unsigned, and the node refuses it).
    public func signAnswer(body: [UInt8], status: Int, nonce: String) -> (signature: String?, timeMillis: Int64) {
        let now = clock()
        let signature = try? ledger.sign(
            Signer.responseMessage(nonce: nonce, status: status, body: body, timeMillis: now))
        return (signature, now)
    }
}
