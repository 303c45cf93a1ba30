import AsyncHTTPClient
import Foundation
import NIOSSL
import Testing
import HearthTestSupport

@Suite("The hub over HTTPS with a county's own CA")
struct CLITLSTests {
    /// Runs openssl; the tests make their own CA and hub certificate.
    func openssl(_ arguments: [String], in directory: String) async throws {
        try await offPool { try Self.opensslBlocking(arguments, in: directory) }
    }

    private static func opensslBlocking(_ arguments: [String], in directory: String) throws {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = .null
        process.standardError = .null
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CLITestFailure("openssl \(arguments.first ?? "") failed") }
    }

    func makeCertificates(in directory: String) async throws {
        try await openssl(
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days",
                "2",
                "-subj", "/CN=County Test CA",
            ], in: directory)
        try await openssl(
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "hub-key.pem", "-out", "hub.csr", "-subj",
                "/CN=127.0.0.1",
            ],
            in: directory)
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(
            toFile: directory + "/san.ext", atomically: true, encoding: .utf8)
        try await openssl(
            [
                "x509", "-req", "-in", "hub.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-out",
                "hub.pem",
                "-days", "2", "-extfile", "san.ext",
            ], in: directory)
    }

    @Test("a node trusts the hub's certificate only through the county CA given with --ca")
    func httpsWithCountyCA() async throws {
        let cli = try CLIRunner()
        try await makeCertificates(in: cli.directory)
        let hubDB = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hubDB, "--name", "宜城", "--scope", "421281"])
        let token = try await cli.ok(["hub", "enroll", "--db", hubDB, "--name", "v", "--scope", "421281101001"])
            .firstLine
        let (process, url) = try await CLIRunner.startHub(
            database: hubDB,
            extra: ["--tls-cert", cli.directory + "/hub.pem", "--tls-key", cli.directory + "/hub-key.pem"],
            scheme: "https")
        defer {
            process.terminate()
            process.waitUntilExit()
        }

        let untrusted = try await cli.run([
            "node", "init", "--db", cli.directory + "/x.db", "--token", token, "--hub", url,
        ])
        #expect(untrusted.status != 0)
        // Said in words a clerk can act on (what to ask for, which flag), not the TLS library's.
        #expect(untrusted.stderr.contains("certificate is not one this computer trusts"))
        #expect(untrusted.stderr.contains("--ca FILE"))
        #expect(!untrusted.stderr.contains("SSL"), "\(untrusted.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.directory + "/x.db"))

        let nodeDB = cli.directory + "/v.db"
        try await cli.ok([
            "node", "init", "--db", nodeDB, "--token", token, "--hub", url, "--ca", cli.directory + "/ca.pem",
        ])
        try await cli.ok([
            "household", "add", "--db", nodeDB, "--village", "421281101001", "--address", "一组", "--type", "rural",
        ])
        let synced = try #require(
            try await cli.ok(["node", "sync", "--db", nodeDB, "--ca", cli.directory + "/ca.pem", "--json"]).json)
        #expect(synced["pushed_ops"]?.integerValue == 1)
        // A sync without the CA file: the same words, and the node says nothing was sent.
        let withoutCA = try await cli.run(["node", "sync", "--db", nodeDB])
        #expect(withoutCA.status == 1)
        #expect(withoutCA.stderr.contains("certificate is not one this computer trusts"))
        #expect(withoutCA.stderr.contains("Nothing was sent"))

        let plain = try await cli.run([
            "node", "init", "--db", cli.directory + "/y.db", "--token", token, "--hub",
            "http://hub.county.invalid:8080",
        ])
        #expect(plain.status == 2)
        #expect(plain.stderr.contains("https://"))
    }

    @Test("the hub refuses a client that offers at most TLS 1.1 or 1.0, and serves one that speaks TLS 1.2")
    func oldTLSRefused() async throws {
        let cli = try CLIRunner()
        try await makeCertificates(in: cli.directory)
        let hubDB = cli.directory + "/hub.db"
        try await cli.ok(["hub", "init", "--db", hubDB, "--name", "宜城", "--scope", "421281"])
        let (process, url) = try await CLIRunner.startHub(
            database: hubDB,
            extra: ["--tls-cert", cli.directory + "/hub.pem", "--tls-key", cli.directory + "/hub-key.pem"],
            scheme: "https")
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        /// GET /healthz from a client whose highest TLS version is `maximum`.
        func healthz(maximum: TLSVersion) async throws -> UInt {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.minimumTLSVersion = .tlsv1
            tls.maximumTLSVersion = maximum
            tls.trustRoots = .file(cli.directory + "/ca.pem")
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
            do {
                let response = try await client.execute(HTTPClientRequest(url: url + "/healthz"), timeout: .seconds(30))
                try await client.shutdown()
                return response.status.code
            } catch {
                try await client.shutdown()
                throw error
            }
        }
        #expect(try await healthz(maximum: .tlsv12) == 200)
        #expect(try await healthz(maximum: .tlsv13) == 200)
        for old in [TLSVersion.tlsv11, .tlsv1] {
            do {
                let status = try await healthz(maximum: old)
                Issue.record("the hub answered \(status) over \(old)")
            } catch {
                #expect(error is NIOSSLError || error is BoringSSLError, "refused in the handshake: \(error)")
            }
        }
    }
}
