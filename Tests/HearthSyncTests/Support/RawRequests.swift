import AsyncHTTPClient
import Foundation
import HearthCore
import HearthProtocol
import HearthLedger
import HearthStore
import NIOCore

/// A signed request built by hand, exactly as `SyncClient` builds one, so tests can send it
/// as is, with its body changed after signing, or twice.
struct SignedRequest: Sendable {
    var path: String
    var replica: String
    var timeMillis: Int64
    /// The clock offset stated in `x-hearth-offset` and signed (nil: no such header).
    var offsetMillis: Int64?
    var nonce: String
    var signature: String
    /// The body as sent: gzip of the canonical JSON.
    var body: [UInt8]
    /// The `Content-Encoding` header sent with the body (nil: none, a plain JSON body).
    var contentEncoding: String? = "gzip"

    /// Signs `document` as `replica` would for `path`.
    /// `claiming` names another replica in the header and the signed message (an impostor).
    init(
        path: String, document: JSON, signedBy replica: Replica, claiming: ReplicaID? = nil,
        timeMillis: Int64 = TestCounty.now, offsetMillis: Int64? = nil,
        nonce: String? = nil
    ) throws {
        self.path = path
        self.replica = (claiming ?? replica.info.id).value
        self.timeMillis = timeMillis
        self.offsetMillis = offsetMillis
        self.nonce = nonce ?? Self.freshNonce()
        body = Gzip.compress(document.canonicalBytes)
        signature = try replica.sign(
            Signer.requestMessage(
                method: "POST", path: path, replica: self.replica, timeMillis: timeMillis, nonce: self.nonce,
                body: body, offsetMillis: offsetMillis))
    }

    /// Signs `body` exactly as given (compressed or not, well formed or not), as a node
    /// that builds hostile bodies and signs them correctly would.
    init(
        path: String, rawBody body: [UInt8], contentEncoding: String? = "gzip", signedBy replica: Replica,
        timeMillis: Int64 = TestCounty.now, nonce: String? = nil
    ) throws {
        self.path = path
        self.replica = replica.info.id.value
        self.timeMillis = timeMillis
        self.nonce = nonce ?? Self.freshNonce()
        self.body = body
        self.contentEncoding = contentEncoding
        signature = try replica.sign(
            Signer.requestMessage(
                method: "POST", path: path, replica: self.replica, timeMillis: timeMillis, nonce: self.nonce, body: body
            ))
    }

    static func freshNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// The same headers and signature with another body (tampered in transit).
    func withBody(_ document: JSON) -> SignedRequest {
        var copy = self
        copy.body = Gzip.compress(document.canonicalBytes)
        return copy
    }
}

/// What the hub answered a raw request: status, the inflated JSON, whether the hub signed it,
/// and the hub's clock the answer carries (`x-hearth-time`, covered by the signature).
struct RawAnswer: Sendable {
    let status: Int
    let json: JSON
    let hubSigned: Bool
    var hubTime: Int64? = nil

    var errorCode: String? { json["error"]?.stringValue }
    var message: String { json["message"]?.stringValue ?? "" }
}

/// Posts hand-built requests to a running hub.
struct RawClient {
    let baseURL: String
    let hubKey: String

    func send(_ request: SignedRequest) async throws -> RawAnswer {
        var http = HTTPClientRequest(url: baseURL + request.path)
        http.method = .POST
        http.headers.add(name: "content-type", value: "application/json")
        if let encoding = request.contentEncoding { http.headers.add(name: "content-encoding", value: encoding) }
        http.headers.add(name: SyncHeader.replica, value: request.replica)
        http.headers.add(name: SyncHeader.time, value: String(request.timeMillis))
        if let offset = request.offsetMillis { http.headers.add(name: SyncHeader.offset, value: String(offset)) }
        http.headers.add(name: SyncHeader.nonce, value: request.nonce)
        http.headers.add(name: SyncHeader.signature, value: request.signature)
        http.body = .bytes(ByteBuffer(bytes: request.body))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let response = try await client.execute(http, timeout: .seconds(30))
            let raw = Array(try await response.body.collect(upTo: 16 << 20).readableBytesView)
            let inflated = response.headers.first(name: "content-encoding") == "gzip" ? try Gzip.decompress(raw) : raw
            let hubTime = response.headers.first(name: SyncHeader.time).flatMap { Int64($0) }
            let signed = Signer.verify(
                response.headers.first(name: SyncHeader.signature) ?? "",
                of: Signer.responseMessage(
                    nonce: request.nonce, status: Int(response.status.code), body: raw, timeMillis: hubTime),
                publicKey: hubKey)
            try await client.shutdown()
            return RawAnswer(
                status: Int(response.status.code), json: try JSON.parse(inflated), hubSigned: signed, hubTime: hubTime)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

extension Replica {
    /// A push of `ops` with a chain head signed by this replica over the last op as given.
    func pushRequest(_ ops: [Op]) throws -> PushRequest {
        let last = ops[ops.count - 1]
        return PushRequest(
            replica: info.id, ops: ops,
            chain: ChainHead(
                counter: last.dot.counter, hash: last.hash,
                signature: try signChainHead(counter: last.dot.counter, hash: last.hash)))
    }
}
