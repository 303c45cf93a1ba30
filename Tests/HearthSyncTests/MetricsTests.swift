import Foundation
import HTTPTypes
import HearthCore
import HearthProtocol
import HearthLedger
import HearthStore
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HearthHub

@Suite("What /metrics reports")
struct MetricsTests {
    @Test(
        "after a sync, /metrics has every metric it always had, and each node's lag, clock skew and last sync by its name"
    )
    func namesAndNodeGauges() async throws {
        let county = try TestCounty()
        // The laptop's clock runs 90 s ahead of the hub's.
        let laptop: @Sendable () -> Int64 = { TestCounty.now + 90_000 }
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(
                name: "village-001", scope: TestCounty.village1, hubURL: url, clock: laptop)
            _ = try await county.node(name: "village-002", scope: TestCounty.village2, hubURL: url)
            try village.household(in: TestCounty.village1, address: "一组")
            try village.household(in: TestCounty.village1, address: "二组")
            let summary = try await county.sync(village, url: url, clock: laptop)
            // A stranger's push is refused, and counted by its status.
            let stranger = try Replica.create(
                path: county.directory + "/stranger.db", name: "stranger",
                scope: try ScopePrefix.parse(TestCounty.village1, field: "scope"),
                nowMillis: TestCounty.now)
            let refused = try await RawClient(baseURL: url, hubKey: county.hub.info.publicKey).send(
                try SignedRequest(
                    path: SyncPath.push, document: PullRequest(replica: stranger.info.id, cursor: 0, maxOps: 1).json,
                    signedBy: stranger))
            #expect(refused.status == 401)

            let scrape = await AvailabilityTests.get(url + SyncPath.metrics, timeout: .seconds(10))
            #expect(scrape?.status == 200)
            let text = scrape?.body ?? ""
            let end = try await county.hub.logEnd()
            let nodes = try await county.hub.nodes()
            let expected = [
                "# TYPE hearth_ops_received_total counter\n", "hearth_ops_received_total \(summary.pushedOps)\n",
                "hearth_ops_applied_total \(summary.pushedOps)\n", "hearth_ops_rejected_total 0\n",
                "# TYPE hearth_conflicts_open gauge\n", "hearth_conflicts_open 0\n", "hearth_quarantine_held 0\n",
                "hearth_nodes 2\n", "# HELP hearth_nodes Registered nodes.\n",
                "hearth_requests_total{endpoint=\"register\",status=\"200\"} 2\n",
                "hearth_requests_total{endpoint=\"push\",status=\"200\"} 1\n",
                "hearth_requests_total{endpoint=\"push\",status=\"401\"} 1\n",
                "hearth_requests_total{endpoint=\"pull\",status=\"200\"} 1\n",
                "# TYPE hearth_sync_duration_seconds histogram\n", "hearth_sync_duration_seconds_count 3\n",
                "hearth_node_clock_skew_seconds{node=\"village-001\"} 90\n",
                "hearth_node_last_sync_timestamp_seconds{node=\"village-001\"} \(TestCounty.now / 1000)\n",
            ]
            for line in expected {
                #expect(text.contains(line), "missing: \(line)")
            }
            // The lag is what `hearth hub nodes` shows: log entries past the confirmed cursor.
            #expect(nodes.count == 2)
            for node in nodes {
                #expect(text.contains("hearth_node_lag_ops{node=\"\(node.name)\"} \(max(0, end - node.pullCursor))\n"))
            }
            #expect(text.contains("hearth_node_lag_ops{node=\"village-002\"} \(end)\n"), "village-002 never pulled")
        }
    }

    @Test(
        "hearth_push_seconds_total says where pushes spent their time: a push kept from its turn counts the wait, its body read, its checks and its transaction each count, and the phases sum to no more than the pushes took"
    )
    func pushPhases() async throws {
        let county = try TestCounty()
        let service = county.service()
        try await withRunningHub(service) { url in try await pushPhases(county, service, url: url) }
    }

    func pushPhases(_ county: TestCounty, _ service: HubService, url: String) async throws {
        do {
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            for number in 1...5 { try village.household(in: TestCounty.village1, address: "\(number)组") }
            // Every place of the push line taken, so that the village's push waits its turn.
            let (entered, enter) = AsyncStream<Void>.makeStream()
            var gates: [AsyncStream<Void>.Continuation] = []
            var holders: [Task<Void, any Error>] = []
            for _ in 0..<service.pushes.places {
                let (gate, open) = AsyncStream<Void>.makeStream()
                gates.append(open)
                holders.append(
                    Task {
                        try await service.pushes.run {
                            enter.yield()
                            for await _ in gate {}
                        }
                    })
            }
            var inside = entered.makeAsyncIterator()
            for _ in gates { _ = await inside.next() }
            let sync = Task { try await county.sync(village, url: url) }
            while await service.pushes.waitingCount == 0 { try await Task.sleep(for: .milliseconds(5)) }
            // The push cannot enter before the places are given back: it waits at least this long.
            let held = ContinuousClock.now
            try await Task.sleep(for: .milliseconds(300))
            let waited = ContinuousClock.now - held
            for gate in gates { gate.finish() }
            for holder in holders { try await holder.value }
            let summary = try await sync.value
            #expect(summary.pushedOps > 0)

            let text = await AvailabilityTests.get(url + SyncPath.metrics, timeout: .seconds(10))?.body ?? ""
            func sample(_ name: String) -> Double? {
                for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
                    return Double(line.dropFirst(name.count + 1))
                }
                return nil
            }
            #expect(text.contains("# TYPE hearth_push_seconds_total counter\n"))
            var phases: [String: Double] = [:]
            for phase in ["waiting", "reading", "checking", "applying"] {
                let seconds = sample("hearth_push_seconds_total{phase=\"\(phase)\"}") ?? 0
                phases[phase] = seconds
                #expect(seconds > 0, "\(phase)")
            }
            #expect((phases["waiting"] ?? 0) >= waited / .seconds(1))
            let served = try #require(sample("hearth_sync_duration_seconds_sum"))
            #expect(phases.values.reduce(0, +) <= served, "\(phases) against \(served) s served")
        }
    }

    @Test("hubs that share a process each count only their own HTTP requests, in a registry of their own")
    func registryPerHub() async throws {
        let first = try TestCounty()
        let second = try TestCounty()
        let one = Application(router: first.service().router())
        let other = Application(router: second.service().router())
        let firstText = try await one.test(.router) { client in
            for _ in 0..<2 {
                try await client.execute(uri: SyncPath.health, method: .get) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: "/nowhere", method: .get) { #expect($0.status == .notFound) }
            return try await client.execute(uri: SyncPath.metrics, method: .get) { String(buffer: $0.body) }
        }
        let secondText = try await other.test(.router) { client in
            try await client.execute(uri: SyncPath.health, method: .get) { #expect($0.status == .ok) }
            return try await client.execute(uri: SyncPath.metrics, method: .get) { String(buffer: $0.body) }
        }
        #expect(firstText.contains("hearth_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 2\n"))
        #expect(
            firstText.contains("hearth_http_request_errors_total{route=\"NotFound\",method=\"GET\",status=\"404\"} 1\n")
        )
        #expect(
            firstText.contains(
                "hearth_http_request_duration_seconds_count{route=\"/healthz\",method=\"GET\",status=\"200\"} 2\n"))
        #expect(secondText.contains("hearth_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1\n"))
        #expect(!secondText.contains("NotFound"))
    }

    @Test("a node that stops being read (revoked) loses its gauges; whole numbers are written as integers")
    func nodeGaugesFollowTheReading() {
        let metrics = HubMetrics()
        func reading(_ names: [String]) -> GaugeCache.Gauges {
            GaugeCache.Gauges(
                conflicts: 3, nodes: names.count, quarantined: 0,
                perNode: names.map {
                    GaugeCache.NodeGauges(name: $0, lagOps: 7, skewMillis: -1_500, lastSyncMillis: 1_000)
                })
        }
        metrics.record(reading(["village-001", "village-002"]))
        let before = metrics.exposition()
        #expect(before.contains("hearth_node_lag_ops{node=\"village-002\"} 7\n"))
        #expect(before.contains("hearth_node_clock_skew_seconds{node=\"village-002\"} -1.5\n"))
        #expect(before.contains("hearth_node_last_sync_timestamp_seconds{node=\"village-002\"} 1\n"))
        #expect(before.contains("hearth_conflicts_open 3\n"))
        metrics.record(reading(["village-001"]))
        let after = metrics.exposition()
        #expect(after.contains("hearth_node_lag_ops{node=\"village-001\"} 7\n"))
        #expect(!after.contains("village-002"))
        #expect(after.contains("hearth_nodes 1\n"))
    }

    @Test("only whole-numbered sample values lose their .0; labels, help lines and fractions are left as they are")
    func integralSamples() {
        let text = """
            # HELP a_seconds Took 1.0 s.
            a_seconds_bucket{le="1.0"} 4
            a_seconds_sum 2.0
            b{x="2.0"} -3.0
            c 0.5
            d 10.0
            e 1.0e+20

            """
        #expect(
            String(decoding: HubMetrics.integralSamples(Array(text.utf8)), as: UTF8.self) == """
                # HELP a_seconds Took 1.0 s.
                a_seconds_bucket{le="1.0"} 4
                a_seconds_sum 2
                b{x="2.0"} -3
                c 0.5
                d 10
                e 1.0e+20

                """)
    }
}
