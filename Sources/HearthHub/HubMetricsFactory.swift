import CoreMetrics
import Prometheus

/// The swift-metrics backend of one hub: a Prometheus registry that the hub's service owns,
/// with a `# HELP` line for every metric the hub names.
///
/// Why not `MetricsSystem.bootstrap`: that is one factory per process, set once, and a test
/// process runs several hubs at once (each must count only its own requests). Code that
/// creates metrics without naming a factory, such as Hummingbird's `MetricsMiddleware`, gets
/// this one through swift-metrics' task-local factory (``MetricsScopeMiddleware``).
///
/// Hummingbird's request metrics are renamed into the hub's namespace (`hb.requests` becomes
/// `hearth_http_requests_total`, its `http.route` dimension `route`), so that one scrape
/// reads as one vocabulary.
struct HubMetricsFactory: MetricsFactory {
    let registry: PrometheusCollectorRegistry

    /// Buckets of the hub's request-duration histograms, in seconds: from a `/healthz` answer
    /// to a push that waited for SQLite's write lock.
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10), .seconds(30),
    ]

    /// What each metric means, as its `# HELP` line says it.
    static let help: [String: String] = [
        "hearth_ops_received_total": "Ops received in pushes and bundles.",
        "hearth_ops_applied_total": "Ops applied to the hub's replica.",
        "hearth_ops_rejected_total": "Ops quarantined with a reason.",
        "hearth_conflicts_open": "Records with a field in conflict.",
        "hearth_quarantine_held": "Quarantined ops awaiting an administrator.",
        "hearth_nodes": "Registered nodes.",
        "hearth_requests_total": "API requests by endpoint and status.",
        "hearth_sync_duration_seconds": "Time spent serving push and pull requests.",
        "hearth_push_seconds_total":
            "Seconds pushes spent in each phase: waiting for their turn, reading, checking, applying.",
        "hearth_node_lag_ops": "Entries of the hub's log that a node has not confirmed pulling.",
        "hearth_node_clock_skew_seconds": "A node's clock minus the hub's, as last measured.",
        "hearth_node_last_sync_timestamp_seconds": "When a node last pushed or pulled (Unix time).",
        "hearth_http_requests_total": "HTTP requests by route, method and status.",
        "hearth_http_request_duration_seconds": "Time from a request's arrival to its answer's last byte.",
        "hearth_http_request_errors_total": "HTTP requests that ended in an error no handler answered.",
        "hearth_http_active_requests": "HTTP requests being served.",
    ]

    /// Hummingbird's metric names, as the hub exposes them.
    static let names = [
        "hb.requests": "hearth_http_requests_total",
        "http.server.request.duration": "hearth_http_request_duration_seconds",
        "hb.request.errors": "hearth_http_request_errors_total",
        "http.server.active_requests": "hearth_http_active_requests",
    ]

    /// Hummingbird's dimension names, as the hub exposes them (`error.type` is a status code).
    static let dimensionNames = [
        "http.route": "route", "http.request.method": "method", "http.response.status_code": "status",
        "error.type": "status",
    ]

    static func rename(_ label: String, _ dimensions: [(String, String)]) -> (String, [(String, String)]) {
        (names[label] ?? label, dimensions.map { (dimensionNames[$0.0] ?? $0.0, $0.1) })
    }

    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: label, unitName: "", helpText: Self.help[label] ?? "")
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let (label, dimensions) = Self.rename(label, dimensions)
        return registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        let (label, dimensions) = Self.rename(label, dimensions)
        return registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    /// A recorder that does not aggregate is a gauge; the hub records nothing else, so an
    /// aggregating one is kept as a gauge of its last value rather than given buckets nobody chose.
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        let (label, dimensions) = Self.rename(label, dimensions)
        return registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        let (label, dimensions) = Self.rename(label, dimensions)
        return registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        let (label, dimensions) = Self.rename(label, dimensions)
        return registry.makeDurationHistogram(
            descriptor: descriptor(label), labels: dimensions, buckets: Self.durationBuckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
