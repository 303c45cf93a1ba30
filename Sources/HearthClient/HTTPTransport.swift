import AsyncHTTPClient
import HearthProtocol
import HearthText
import NIOCore
import NIOSSL

/// The sync transport of `hearth node sync`: one HTTPS POST per request, through
/// AsyncHTTPClient, with the county's own CA when one is given.
///
/// Why no decompression here: the hub signs its answer's bytes as sent, so the answer comes
/// back exactly as it left the hub and ``SyncSession/open(_:to:receivedMillis:)`` checks the
/// signature before inflating.
public struct HTTPTransport: SyncTransport {
    public let baseURL: String
    let http: HTTPClient
    /// Whether the county's CA was given: a certificate refused then names that file.
    let caGiven: Bool
    public var timeout: TimeAmount = .seconds(60)

    /// - Parameter caFile: a PEM file of the county's own CA, trusted instead of the system's roots.
    public init(baseURL: String, caFile: String? = nil) throws {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        caGiven = caFile != nil
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

    public func exchange(_ request: WireRequest) async throws(TransportFailure) -> WireAnswer {
        var outgoing = HTTPClientRequest(url: baseURL + request.path)
        outgoing.method = .POST
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            outgoing.headers.add(name: name, value: value)
        }
        outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        do {
            let response = try await http.execute(outgoing, timeout: timeout)
            let body = Array((try await response.body.collect(upTo: WireLimits.maxBodyBytes)).readableBytesView)
            var headers: [String: String] = [:]
            for field in response.headers where headers[field.name.lowercased()] == nil {
                headers[field.name.lowercased()] = field.value
            }
            return WireAnswer(status: Int(response.status.code), headers: headers, body: body)
        } catch {
            throw Self.failure(error, destination: baseURL, caGiven: caGiven)
        }
    }

    /// The failure in words a clerk can act on: a certificate this node does not trust is said
    /// so, with what to give (`--ca`), instead of the TLS library's error text.
    static func failure(_ error: any Error, destination: String, caGiven: Bool) -> TransportFailure {
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificateVerificationFailed") {
            let reason = Catalogue.text(caGiven ? "transport.untrusted_ca" : "transport.untrusted")
            return TransportFailure(destination: destination, reason: reason, untrusted: true)
        }
        if text.contains("failedToValidateHostname") {
            return TransportFailure(
                destination: destination,
                reason: Catalogue.text("transport.hostname"),
                untrusted: true)
        }
        return TransportFailure(destination: destination, reason: text)
    }
}
