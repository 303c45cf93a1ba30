import AsyncHTTPClient
import Foundation
import GRDB
import HearthCore
import HearthHub
import HearthProtocol
import HearthLedger
import HearthLedgerPostgres
import HearthStore
import NIOCore
import Testing

/// The hub keeps answering while it works (issue 10, finding 5). Each test proves the mechanism
/// over real HTTP on loopback; none asserts how fast anything was (`hearth bench sync` measures
/// that). Client timeouts are failure signals only: a hub that works answers long before them.
@Suite("The hub keeps answering while it works")
struct AvailabilityTests {
    typealias HubMark = RefusalTests.HubMark

    /// A replica the hub has never heard of, as a stranger on the network would make one.
    static func stranger(_ county: TestCounty, _ name: String = "stranger") throws -> Replica {
        try Replica.create(
            path: county.directory + "/\(name).db", name: name,
            scope: try ScopePrefix.parse(TestCounty.village1, field: "scope"), nowMillis: TestCounty.now)
    }

    /// GET `url` over a fresh client; the status and body, or nil when it failed or `timeout` passed.
    static func get(_ url: String, timeout: TimeAmount) async -> (status: Int, body: String)? {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var answer: (status: Int, body: String)?
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: timeout)
            let body = try await response.body.collect(upTo: 1 << 20)
            answer = (Int(response.status.code), String(buffer: body))
        } catch {
            answer = nil
        }
        try? await client.shutdown().get()
        return answer
    }

    @Test(
        "/readyz is 200 while the store answers and 503 once it does not, while /healthz stays 200",
        arguments: HubStoreKind.allCases)
    func readiness(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let ready = await Self.get(url + SyncPath.ready, timeout: .seconds(10))
            #expect(ready?.status == 200)
            #expect(ready?.body == "ready\n")
            // The store stops answering (its connections closed under the running hub).
            if let server = county.hub.storage as? PostgresLedgerStorage {
                await server.close()
            } else {
                try county.hub.replica.pool.close()
            }
            let gone = await Self.get(url + SyncPath.ready, timeout: .seconds(10))
            #expect(gone?.status == 503)
            #expect(gone?.body == "not ready: the store does not answer\n")
            #expect(await Self.get(url + SyncPath.health, timeout: .seconds(10))?.status == 200, "alive all the same")
        }
    }

    @Test(
        "a registration declaring 61 KB is refused with 413 before its body is read: answered with its body unsent"
    )
    func oversizedRegistrationRefusedUnread() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let stranger = try Self.stranger(county)
            // Signed over a body the stranger never finishes sending: the hub must not wait for it.
            let request = try SignedRequest(
                path: SyncPath.register, rawBody: [UInt8](repeating: 0x1F, count: 61_000), signedBy: stranger)
            let connection = try await RawConnection.open(url)
            try await connection.send(request.head(host: "127.0.0.1", contentLength: 61_000))
            try await connection.send(Array(request.body.prefix(100)))
            let (response, _) = try await connection.response(within: .seconds(10))
            await connection.close()
            #expect(response?.status == 413, "the hub answered \(response.map { "\($0.status)" } ?? "nothing")")
            #expect(response?.json?["error"]?.stringValue == "too_large")
            #expect(
                response?.json?["message"]?.stringValue?.contains(
                    "register body larger than \(WireLimits.maxRegisterBytes) bytes") == true)
            #expect(try await county.hub.node(stranger.info.id) == nil)
        }
    }

    @Test("twenty 61 KB gzip bombs sent to /v1/register at once are each refused with 413 too_large, none inflated")
    func registrationFloodRefused() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            // 61 KB of gzip that would inflate to about 60 MB, as in the report.
            let bomb = Gzip.compress([UInt8](repeating: UInt8(ascii: " "), count: 60 << 20))
            #expect(bomb.count > WireLimits.maxRegisterBytes)
            let strangers = try (0..<20).map { try Self.stranger(county, "stranger-\($0)") }
            let answers = try await withThrowingTaskGroup(of: RawAnswer.self) { group in
                for stranger in strangers {
                    let request = try SignedRequest(path: SyncPath.register, rawBody: bomb, signedBy: stranger)
                    group.addTask { try await raw.send(request) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.count == 20)
            for answer in answers {
                #expect(answer.status == 413)
                #expect(answer.errorCode == "too_large")
                #expect(answer.message.contains("register body larger than \(WireLimits.maxRegisterBytes) bytes"))
            }
            #expect(try await county.hub.nodes().isEmpty)
            #expect(await Self.get(url + SyncPath.health, timeout: .seconds(10))?.status == 200)
        }
    }

    @Test(
        "a registration small as sent but inflating past maxRegisterBytes is refused with 413, inflated no further"
    )
    func registrationBombRefused() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let stranger = try Self.stranger(county)
            // Under the bound as sent; about 3 MB inflated.
            let bomb = Gzip.compress([UInt8](repeating: UInt8(ascii: " "), count: 3 << 20))
            #expect(bomb.count <= WireLimits.maxRegisterBytes)
            let raw = RawClient(baseURL: url, hubKey: county.hub.info.publicKey)
            let answer = try await raw.send(
                try SignedRequest(path: SyncPath.register, rawBody: bomb, signedBy: stranger))
            #expect(answer.status == 413)
            #expect(answer.errorCode == "too_large")
            #expect(answer.message.contains("inflates past \(WireLimits.maxRegisterBytes) bytes"), "\(answer.message)")
            // A genuine registration is far under the bound and still goes through.
            let token = try await county.enrollmentToken(name: "village-001", scope: TestCounty.village1)
            let newcomer = try await county.node(token: token, hubURL: url)
            #expect(try await county.hub.node(newcomer.info.id)?.name == "village-001")
        }
    }

    @Test("a request from a replica the hub does not know is refused with 401 before its body is read")
    func unregisteredRefusedUnread() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let stranger = try Self.stranger(county)
            let pull = PullRequest(replica: stranger.info.id, cursor: 0, maxOps: 10).json
            let request = try SignedRequest(path: SyncPath.pull, document: pull, signedBy: stranger)
            let connection = try await RawConnection.open(url)
            // A body declared at a megabyte, of which ten bytes are sent.
            try await connection.send(request.head(host: "127.0.0.1", contentLength: 1 << 20))
            try await connection.send(Array(request.body.prefix(10)))
            let (response, _) = try await connection.response(within: .seconds(10))
            await connection.close()
            #expect(response?.status == 401, "the hub answered \(response.map { "\($0.status)" } ?? "nothing")")
            #expect(response?.json?["message"]?.stringValue?.contains("is not registered with this hub") == true)
        }
    }

    @Test(
        "/healthz and /metrics answer while another connection holds the hub's write lock and requests wait for it"
    )
    func answersWhileWriteLocked() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            // Another process's transaction on the hub's file: every write of the hub now waits.
            var configuration = Configuration()
            configuration.allowsUnsafeTransactions = true
            let holder = try DatabaseQueue(path: county.hub.path, configuration: configuration)
            try holder.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") }
            var locked = true
            defer { if locked { try? holder.inDatabase { try $0.execute(sql: "ROLLBACK") } } }
            // Pulls (each records its nonce: a write), more than the machine has cores, sent whole
            // before anything else is asked: on Swift's cooperative threads they would hold every
            // one of them until SQLite's busy timeout.
            var waiting: [RawConnection] = []
            for _ in 0..<(ProcessInfo.processInfo.activeProcessorCount + 4) {
                let pull = try SignedRequest(
                    path: SyncPath.pull, document: PullRequest(replica: village.info.id, cursor: 0, maxOps: 10).json,
                    signedBy: village)
                let connection = try await RawConnection.open(url)
                let head = pull.head(host: "127.0.0.1", contentLength: pull.body.count)
                try await connection.send(Array(head.utf8) + pull.body)
                waiting.append(connection)
            }
            // Asked together, each on a fresh connection, all with the lock still held; released as
            // soon as they answer, well within SQLite's busy timeout (10 s) that the waiting pulls
            // wait out (asked one after another, a loaded machine held the lock past it).
            async let first = Self.get(url + SyncPath.health, timeout: .seconds(5))
            async let second = Self.get(url + SyncPath.health, timeout: .seconds(5))
            async let third = Self.get(url + SyncPath.health, timeout: .seconds(5))
            async let scraped = Self.get(url + SyncPath.metrics, timeout: .seconds(5))
            let health = [await first?.status, await second?.status, await third?.status]
            let metrics = await scraped
            try holder.inDatabase { try $0.execute(sql: "ROLLBACK") }
            locked = false
            #expect(health == [200, 200, 200], "/healthz did not answer while the write lock was held")
            #expect(metrics?.status == 200, "/metrics did not answer while the write lock was held")
            #expect(metrics?.body.contains("hearth_nodes 1\n") == true)
            // The waiting requests go through once the lock is released.
            for connection in waiting {
                let answer = try await connection.response(within: .seconds(30)).response
                #expect(answer?.status == 200, "\(answer.map { "\($0.status) \($0.body)" } ?? "no answer")")
                await connection.close()
            }
        }
    }

    /// The hub as `hearth hub serve --idle-timeout … --max-connections …` runs it.
    static func withLimitedHub<T>(
        _ county: TestCounty, _ limits: ConnectionLimits, _ body: (_ url: String) async throws -> T
    ) async throws -> T {
        try await withRunningHub(
            { onRunning in
                try county.service().application(host: "127.0.0.1", port: 0, limits: limits, onRunning: onRunning)
            }, body)
    }

    static let healthRequest = "GET \(SyncPath.health) HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n"

    @Test("a connection left idle, before or after a request, is closed by the hub after the idle timeout")
    func idleConnectionsClosed() async throws {
        let county = try TestCounty()
        // Long enough that a busy machine sends before the hub gives up (2 s was not: a CI run
        // saw the hub close a connection between its opening and its first byte), short enough
        // to wait for.
        let limits = ConnectionLimits(idleTimeout: .seconds(6), maxConnections: 16)
        try await Self.withLimitedHub(county, limits) { url in
            let silent = try await RawConnection.open(url)
            #expect(
                try await silent.closedByHub(within: .seconds(20)), "a connection that never sent a byte stayed open")
            let used = try await RawConnection.open(url)
            try await used.send(Self.healthRequest)
            let (answer, _) = try await used.response(within: .seconds(10))
            #expect(answer?.status == 200)
            #expect(try await used.closedByHub(within: .seconds(20)), "a kept-alive connection stayed open while idle")
            // A connection that stops halfway through its request's head is idle too.
            let stalled = try await RawConnection.open(url)
            try await stalled.send("GET \(SyncPath.health) HTTP/1.1\r\nhost: 127.")
            #expect(try await stalled.closedByHub(within: .seconds(20)), "a half-sent request kept its connection open")
        }
    }

    @Test("past the connection cap a new connection is closed unanswered; once others close, a new one is served")
    func connectionCapHolds() async throws {
        let county = try TestCounty()
        let limits = ConnectionLimits(idleTimeout: .seconds(120), maxConnections: 3)
        try await Self.withLimitedHub(county, limits) { url in
            var open: [RawConnection] = []
            for _ in 0..<3 {
                let connection = try await RawConnection.open(url)
                try await connection.send(Self.healthRequest)
                let (answer, closed) = try await connection.response(within: .seconds(10))
                #expect(answer?.status == 200)
                #expect(!closed)
                open.append(connection)
            }
            // Three are open (each has been answered, so the hub counts it): a fourth is closed.
            let extra = try await RawConnection.open(url)
            try? await extra.send(Self.healthRequest)
            let (refused, closed) = try await extra.response(within: .seconds(10))
            #expect(refused == nil, "the hub served a connection past its cap")
            #expect(closed, "the hub left a connection past its cap open")
            // The three still work.
            try await open[0].send(Self.healthRequest + Self.healthRequest)
            #expect(try await open[0].response(within: .seconds(10)).response?.status == 200)
            for connection in open { await connection.close() }
            // The hub counts them closed on its own event loops: ask on fresh connections until one
            // is served, within a deadline.
            let deadline = ContinuousClock.now + .seconds(20)
            var served = false
            while !served, ContinuousClock.now < deadline {
                let connection = try await RawConnection.open(url)
                try? await connection.send(Self.healthRequest)
                served = try await connection.response(within: .seconds(5)).response?.status == 200
                await connection.close()
            }
            #expect(served, "no new connection was served after the others closed")
        }
    }

    /// Regression: a refused connection was closed without finishing its writer, and NIO stops
    /// the whole process when such a writer is dropped (a precondition, kept in release builds).
    /// With one place and sixty connections refused at once, the old hub died within the test.
    @Test("sixty connections refused at once past a cap of one leave the hub serving")
    func refusalsDoNotStopTheHub() async throws {
        let county = try TestCounty()
        let limits = ConnectionLimits(idleTimeout: .seconds(120), maxConnections: 1)
        try await Self.withLimitedHub(county, limits) { url in
            let held = try await RawConnection.open(url)
            try await held.send(Self.healthRequest)
            #expect(try await held.response(within: .seconds(10)).response?.status == 200)
            let refusals = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<60 {
                    group.addTask {
                        let extra = try await RawConnection.open(url)
                        try? await extra.send(Self.healthRequest)
                        let (answer, closed) = try await extra.response(within: .seconds(10))
                        await extra.close()
                        return answer == nil && closed
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(refusals == 60, "connections past the cap served or left open: \(60 - refusals)")
            try await held.send(Self.healthRequest)
            #expect(try await held.response(within: .seconds(10)).response?.status == 200, "the held one still works")
            await held.close()
        }
    }
}
