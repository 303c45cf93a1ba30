import Synchronization

/// Counters the hub exposes at `GET /metrics` in Prometheus text format.
public final class HubMetrics: Sendable {
    struct Values {
        var opsReceived = 0
        var opsApplied = 0
        var opsRejected = 0
        var requests: [String: Int] = [:]
        var syncSeconds = 0.0
        var syncCount = 0
    }

    private let values = Mutex(Values())

    public init() {}

    func received(_ count: Int, applied: Int, rejected: Int) {
        values.withLock {
            $0.opsReceived += count
            $0.opsApplied += applied
            $0.opsRejected += rejected
        }
    }

    func request(endpoint: String, status: Int, seconds: Double) {
        values.withLock {
            $0.requests["\(endpoint)|\(status)", default: 0] += 1
            if endpoint == "push" || endpoint == "pull" {
                $0.syncSeconds += seconds
                $0.syncCount += 1
            }
        }
    }

    /// The Prometheus exposition text; `conflictsOpen` is read from the database at scrape time.
    func render(conflictsOpen: Int, nodes: Int, quarantined: Int) -> String {
        let snapshot = values.withLock { $0 }
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, String)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for (labels, value) in samples { lines.append("\(name)\(labels) \(value)") }
        }
        metric(
            "hearth_ops_received_total", "counter", "Ops received in pushes and bundles.",
            [("", "\(snapshot.opsReceived)")])
        metric(
            "hearth_ops_applied_total", "counter", "Ops applied to the hub's replica.", [("", "\(snapshot.opsApplied)")]
        )
        metric(
            "hearth_ops_rejected_total", "counter", "Ops quarantined with a reason.", [("", "\(snapshot.opsRejected)")])
        metric("hearth_conflicts_open", "gauge", "Records with a field in conflict.", [("", "\(conflictsOpen)")])
        metric(
            "hearth_quarantine_held", "gauge", "Quarantined ops awaiting an administrator.", [("", "\(quarantined)")])
        metric("hearth_nodes", "gauge", "Registered nodes.", [("", "\(nodes)")])
        metric(
            "hearth_requests_total", "counter", "HTTP requests by endpoint and status.",
            snapshot.requests.sorted { $0.key < $1.key }.map { key, count in
                let parts = key.split(separator: "|")
                return ("{endpoint=\"\(parts[0])\",status=\"\(parts[1])\"}", "\(count)")
            })
        metric(
            "hearth_sync_duration_seconds", "summary", "Time spent serving push and pull requests.",
            [("_sum", String(snapshot.syncSeconds)), ("_count", "\(snapshot.syncCount)")])
        return lines.joined(separator: "\n") + "\n"
    }
}
