import CoreMetrics
import Prometheus
import Synchronization

/// What the hub counts, through swift-metrics, into a Prometheus registry of its own; exposed
/// at `GET /metrics` in Prometheus text format (Protocol/sync.md, Health and metrics).
///
/// Why a registry per hub rather than `MetricsSystem.bootstrap`: a bootstrap is once per
/// process, and tests run several hubs in one process, each of which must report only what it
/// served. Every metric here is created with ``factory``; Hummingbird's request metrics reach
/// the same registry through ``MetricsScopeMiddleware``.
public final class HubMetrics: Sendable {
    /// The registry `/metrics` renders; owned by this hub.
    public let registry: PrometheusCollectorRegistry
    /// The swift-metrics factory over ``registry``.
    public let factory: any MetricsFactory

    private let opsReceived: CoreMetrics.Counter
    private let opsApplied: CoreMetrics.Counter
    private let opsRejected: CoreMetrics.Counter
    private let conflictsOpen: CoreMetrics.Gauge
    private let quarantineHeld: CoreMetrics.Gauge
    private let nodes: CoreMetrics.Gauge
    private let syncDuration: CoreMetrics.Timer
    /// `hearth_push_seconds_total` by phase, one counter each.
    private let pushPhases: [PushPhase: FloatingPointCounter]
    /// `hearth_requests_total` by endpoint and status, made once each.
    private let requests = Mutex([String: CoreMetrics.Counter]())
    /// The per-node gauges in the registry now, by node name.
    private let perNode = Mutex([String: NodeGauges]())

    /// One node's gauges.
    private struct NodeGauges {
        let lag: CoreMetrics.Gauge
        let skew: CoreMetrics.Gauge
        let lastSync: CoreMetrics.Gauge
    }

    public init() {
        registry = PrometheusCollectorRegistry()
        let factory = HubMetricsFactory(registry: registry)
        self.factory = factory
        opsReceived = CoreMetrics.Counter(label: "hearth_ops_received_total", factory: factory)
        opsApplied = CoreMetrics.Counter(label: "hearth_ops_applied_total", factory: factory)
        opsRejected = CoreMetrics.Counter(label: "hearth_ops_rejected_total", factory: factory)
        conflictsOpen = CoreMetrics.Gauge(label: "hearth_conflicts_open", factory: factory)
        quarantineHeld = CoreMetrics.Gauge(label: "hearth_quarantine_held", factory: factory)
        nodes = CoreMetrics.Gauge(label: "hearth_nodes", factory: factory)
        syncDuration = CoreMetrics.Timer(label: "hearth_sync_duration_seconds", factory: factory)
        pushPhases = Dictionary(
            uniqueKeysWithValues: PushPhase.allCases.map { phase in
                (
                    phase,
                    FloatingPointCounter(
                        label: "hearth_push_seconds_total", dimensions: [("phase", phase.rawValue)], factory: factory)
                )
            })
    }

    /// Where a push's time goes, summed over the pushes a hub served: whether a slow night
    /// waits for the hub's one writer (`applying`), for the reading of bodies, or for nodes.
    enum PushPhase: String, CaseIterable, Sendable {
        /// In line for its turn (``PushLine``), its body not yet read.
        case waiting
        /// Its body inflated and parsed.
        case reading
        /// Its chain and the field rules checked (sealed ID numbers opened), off the writer.
        case checking
        /// The ledger's transaction: waiting for the write lock, the apply, the commit.
        case applying
    }

    /// Adds `duration` to a push phase's seconds.
    func push(_ phase: PushPhase, _ duration: Duration) {
        pushPhases[phase]?.increment(by: duration / .seconds(1))
    }

    /// Ops received in a push or a bundle, how many were applied, how many quarantined.
    func received(_ count: Int, applied: Int, rejected: Int) {
        opsReceived.increment(by: Int64(count))
        opsApplied.increment(by: Int64(applied))
        opsRejected.increment(by: Int64(rejected))
    }

    /// One answered request of a signed endpoint (refusals included).
    func request(endpoint: String, status: Int, duration: Duration) {
        let factory = self.factory
        requests.withLock { counters in
            let key = "\(endpoint) \(status)"
            if let counter = counters[key] { return counter }
            let counter = CoreMetrics.Counter(
                label: "hearth_requests_total", dimensions: [("endpoint", endpoint), ("status", String(status))],
                factory: factory)
            counters[key] = counter
            return counter
        }
        .increment()
        if endpoint == "push" || endpoint == "pull" {
            let (seconds, attoseconds) = duration.components
            syncDuration.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        }
    }

    /// Sets the gauges read from the database; a node that is no longer read (revoked) loses
    /// its gauges.
    func record(_ reading: GaugeCache.Gauges) {
        conflictsOpen.record(reading.conflicts)
        quarantineHeld.record(reading.quarantined)
        nodes.record(reading.nodes)
        let factory = self.factory
        perNode.withLock { gauges in
            var current = Set<String>()
            for node in reading.perNode {
                current.insert(node.name)
                let label = [("node", node.name)]
                let made =
                    gauges[node.name]
                    ?? NodeGauges(
                        lag: CoreMetrics.Gauge(label: "hearth_node_lag_ops", dimensions: label, factory: factory),
                        skew: CoreMetrics.Gauge(
                            label: "hearth_node_clock_skew_seconds", dimensions: label, factory: factory),
                        lastSync: CoreMetrics.Gauge(
                            label: "hearth_node_last_sync_timestamp_seconds", dimensions: label, factory: factory))
                gauges[node.name] = made
                made.lag.record(node.lagOps)
                // A gauge's first value makes it appear: none for what was never measured.
                if let skew = node.skewMillis { made.skew.record(Double(skew) / 1000) }
                if let last = node.lastSyncMillis { made.lastSync.record(Double(last) / 1000) }
            }
            for (name, gone) in gauges where !current.contains(name) {
                gone.lag.destroy()
                gone.skew.destroy()
                gone.lastSync.destroy()
                gauges[name] = nil
            }
        }
    }

    /// The Prometheus exposition of everything in ``registry``.
    func exposition() -> String {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        return String(decoding: Self.integralSamples(bytes), as: UTF8.self)
    }

    /// The exposition with every whole-numbered sample written as an integer (`hearth_nodes 1`,
    /// not `hearth_nodes 1.0`): the hub's gauges count things, Prometheus reads both forms
    /// alike, and scripts (and the hub's own tests) read `hearth_nodes 1`, as the hub wrote
    /// it before it used swift-prometheus, whose gauges print every value as a `Double`.
    static func integralSamples(_ text: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var lineStart = 0
        while lineStart < text.count {
            let lineEnd = text[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? text.count
            var keep = lineEnd
            // A sample line ending " <digits>.0" or " -<digits>.0" loses the ".0".
            if text[lineStart] != UInt8(ascii: "#"), lineEnd - lineStart >= 4, text[lineEnd - 1] == UInt8(ascii: "0"),
                text[lineEnd - 2] == UInt8(ascii: ".")
            {
                var position = lineEnd - 3
                while position > lineStart, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(text[position]) {
                    position -= 1
                }
                if text[position] == UInt8(ascii: "-"), position > lineStart { position -= 1 }
                if position < lineEnd - 3, text[position] == UInt8(ascii: " ") { keep = lineEnd - 2 }
            }
            out.append(contentsOf: text[lineStart..<keep])
            if lineEnd < text.count { out.append(UInt8(ascii: "\n")) }
            lineStart = lineEnd + 1
        }
        return out
    }
}
