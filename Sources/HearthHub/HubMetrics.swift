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
    /// The node names that have per-node gauges in the registry now.
    private let nodeNames = Mutex(Set<String>())

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
    }

    /// Ops received in a push or a bundle, how many were applied, how many quarantined.
    func received(_ count: Int, applied: Int, rejected: Int) {
        opsReceived.increment(by: Int64(count))
        opsApplied.increment(by: Int64(applied))
        opsRejected.increment(by: Int64(rejected))
    }

    /// One answered request of a signed endpoint (refusals included).
    func request(endpoint: String, status: Int, duration: Duration) {
        CoreMetrics.Counter(
            label: "hearth_requests_total", dimensions: [("endpoint", endpoint), ("status", String(status))],
            factory: factory
        )
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
        var current = Set<String>()
        for node in reading.perNode {
            current.insert(node.name)
            let label = [("node", node.name)]
            CoreMetrics.Gauge(label: "hearth_node_lag_ops", dimensions: label, factory: factory).record(node.lagOps)
            if let skew = node.skewMillis {
                CoreMetrics.Gauge(label: "hearth_node_clock_skew_seconds", dimensions: label, factory: factory)
                    .record(Double(skew) / 1000)
            }
            if let last = node.lastSyncMillis {
                CoreMetrics.Gauge(label: "hearth_node_last_sync_timestamp_seconds", dimensions: label, factory: factory)
                    .record(Double(last) / 1000)
            }
        }
        let gone = nodeNames.withLock { names in
            defer { names = current }
            return names.subtracting(current)
        }
        for name in gone {
            for label in [
                "hearth_node_lag_ops", "hearth_node_clock_skew_seconds", "hearth_node_last_sync_timestamp_seconds",
            ] {
                CoreMetrics.Gauge(label: label, dimensions: [("node", name)], factory: factory).destroy()
            }
        }
    }

    /// The Prometheus exposition of everything in ``registry``.
    func exposition() -> String {
        Self.integralSamples(registry.emitToString())
    }

    /// The exposition with every whole-numbered sample written as an integer (`hearth_nodes 1`,
    /// not `hearth_nodes 1.0`): the hub's gauges count things, Prometheus reads both forms
    /// alike, and scripts (and the hub's own tests) read `hearth_nodes 1`, as the hub wrote
    /// it before it used swift-prometheus, whose gauges print every value as a `Double`.
    static func integralSamples(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (position, line) in lines.enumerated() where !line.hasPrefix("#") && line.hasSuffix(".0") {
            guard let space = line.lastIndex(of: " ") else { continue }
            let whole = line[line.index(after: space)...].dropLast(2)
            let digits = whole.hasPrefix("-") ? whole.dropFirst() : whole
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { continue }
            lines[position] = line.dropLast(2)
        }
        return lines.joined(separator: "\n")
    }
}
