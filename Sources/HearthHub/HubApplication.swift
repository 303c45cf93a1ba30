import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL

extension HubService {
    /// The HTTP(S) application serving this hub; run it with `runService()`, which stops
    /// gracefully on SIGINT and SIGTERM. Connections are held to `limits` (idle timeout and
    /// most open at once).
    public func application(
        host: String, port: Int, tlsCertificate: String? = nil, tlsKey: String? = nil,
        limits: ConnectionLimits = .standard,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        let http = HTTP1Channel.Configuration(idleTimeout: limits.idleTimeAmount)
        let counter = ConnectionCounter(maximum: limits.maxConnections)
        let logger = self.logger
        let server: HTTPServerBuilder
        if let tlsCertificate, let tlsKey {
            let chain = try NIOSSLCertificate.fromPEMFile(tlsCertificate).map {
                NIOSSLCertificateSource.certificate($0)
            }
            let key = try NIOSSLPrivateKey(file: tlsKey, format: .pem)
            var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            // TLS 1.0 and 1.1 are deprecated (RFC 8996); every client Hearth ships speaks 1.2 or 1.3.
            tls.minimumTLSVersion = .tlsv12
            let tlsConfiguration = tls
            server = HTTPServerBuilder { responder in
                LimitedChildChannel(
                    base: try TLSChannel(
                        HTTP1Channel(responder: responder, configuration: http), tlsConfiguration: tlsConfiguration),
                    counter: counter, logger: logger)
            }
        } else {
            server = HTTPServerBuilder { responder in
                LimitedChildChannel(
                    base: HTTP1Channel(responder: responder, configuration: http), counter: counter, logger: logger)
            }
        }
        return Application(
            router: router(tls: tlsCertificate != nil), server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: "hearth-hub"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}

extension HubService {
    /// Serves until cancelled or, with `stopOnSignals`, until SIGINT or SIGTERM, then shuts
    /// down gracefully (requests in flight finish; their transactions commit or roll back whole).
    public func serve(
        host: String, port: Int, tlsCertificate: String? = nil, tlsKey: String? = nil,
        limits: ConnectionLimits = .standard, stopOnSignals: Bool,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        let app = try application(
            host: host, port: port, tlsCertificate: tlsCertificate, tlsKey: tlsKey, limits: limits, onRunning: onRunning
        )
        try await app.runService(gracefulShutdownSignals: stopOnSignals ? [.sigterm, .sigint] : [])
    }
}
