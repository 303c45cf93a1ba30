import Foundation
import HearthClient
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import HearthStore

/// `hearth bench bootstrap`: a new node of one scope set up over loopback, once by replaying
/// the scope's history and once from the hub's snapshot, alternately, in the same run against
/// the same hub (its own process). Reports each way's time, bytes received, the node's
/// database size, and their ratios; checks that both nodes hold the same rows, byte for byte.
struct BootstrapBench {
    /// A copy of the hub's database (the bench enrolls nodes in it).
    let hubPath: String
    let directory: String
    let scope: ScopePrefix
    let runs: Int
    /// Months of a field worker's edits written to the scope (every household and member once
    /// a month, pushed to the hub) before the nodes are set up: history to replay.
    var months = 0
    let say: (String) -> Void

    /// One bootstrap of a new node.
    struct Run {
        let snapshot: Bool
        let seconds: Double
        let bytes: Int
        let records: Int
        let databaseBytes: Int
        let digest: String
    }

    struct Result {
        var runs: [Run] = []

        func median(_ snapshot: Bool, _ value: (Run) -> Double) -> Double {
            let values = runs.filter { $0.snapshot == snapshot }.map(value).sorted()
            return values.isEmpty ? 0 : values[values.count / 2]
        }
    }

    func run() async throws -> Result {
        let hub = try HubLedger.open(path: hubPath)
        let server = try HubProcess.start(["--db", hubPath])
        defer { server.stop() }
        var result = Result()
        if months > 0 { try await writeHistory(hub, url: server.url) }
        for round in 0..<runs {
            // Alternated, snapshot first in odd rounds: a machine that slows down mid-run
            // burdens both ways alike.
            for snapshot in round % 2 == 0 ? [false, true] : [true, false] {
                let name = "bench-\(snapshot ? "snapshot" : "replay")-\(round)"
                let node = try await makeNode(hub, name: name, url: server.url)
                let start = Date()
                let client = try SyncClient(replica: node, baseURL: server.url, clock: { nowMillis() })
                let summary: SyncSummary
                do {
                    summary = try await client.sync(snapshot: snapshot)
                    await client.shutdown()
                } catch {
                    await client.shutdown()
                    throw error
                }
                let seconds = Date().timeIntervalSince(start)
                let path = directory + "/\(name).db"
                let size = ["", "-wal"].reduce(0) { total, suffix in
                    total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
                }
                let records = try RecordType.allCases.reduce(0) { $0 + (try node.status().counts[$1] ?? 0) }
                let run = Run(
                    snapshot: snapshot, seconds: seconds, bytes: summary.pulledBytes + summary.pushedBytes,
                    records: records, databaseBytes: size, digest: try node.stateDigest())
                result.runs.append(run)
                say(
                    L(
                        snapshot ? "bench.bootstrap.snapshot_run" : "bench.bootstrap.replay_run",
                        [
                            "round": round + 1, "seconds": String(format: "%.2f", seconds), "bytes": run.bytes,
                            "records": records, "size": size / 1024 / 1024,
                        ]))
                if snapshot {
                    say(
                        L(
                            "bench.bootstrap.snapshot_phases",
                            [
                                "pages": String(format: "%.2f", Double(summary.snapshotPagesMillis) / 1000),
                                "install": String(format: "%.2f", Double(summary.snapshotInstallMillis) / 1000),
                            ]))
                }
            }
        }
        // Every node, whichever way it started, holds the same rows and states.
        guard Set(result.runs.map(\.digest)).count == 1, Set(result.runs.map(\.records)).count == 1 else {
            throw CLIError.failed(L("error.bench.bootstrap.differ"))
        }
        return result
    }

    /// A field worker's node of the scope, started from the snapshot, edits every household's
    /// phone and every member's note once a month and pushes each month's edits.
    private func writeHistory(_ hub: HubLedger, url: String) async throws {
        let node = try await makeNode(hub, name: "bench-field", url: url)
        var client = try SyncClient(replica: node, baseURL: url, clock: { nowMillis() })
        client.batchSize = 5_000
        do {
            try await client.sync(snapshot: true)
            let households = try node.list(.household)
            let members = try node.list(.member)
            for month in 1...months {
                _ = try node.write(author: "bench", nowMillis: nowMillis()) { changes in
                    for (index, id) in households.enumerated() {
                        let phone = "139" + String(format: "%04d%04d", month, index % 10_000)
                        try changes.update(id, fields: ["phone": .text(phone)])
                    }
                    for id in members { try changes.update(id, fields: ["note": .text("\(month) 月走访")]) }
                }
                try await client.sync()
                say(
                    L(
                        "bench.bootstrap.month",
                        ["month": month, "months": months, "ops": households.count + members.count]))
            }
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
    }

    private func makeNode(_ hub: HubLedger, name: String, url: String) async throws -> Replica {
        let secret = try await hub.createEnrollment(name: name, scope: scope, nowMillis: nowMillis())
        let node = try Replica.create(
            path: directory + "/\(name).db", name: name, scope: scope, nowMillis: nowMillis(),
            keys: hub.keys.withNewSigningKey())
        try node.setHub(replica: hub.info.id, key: hub.info.publicKey, url: url, pendingRegistration: nil)
        let client = try SyncClient(replica: node, baseURL: url, clock: { nowMillis() })
        do {
            _ = try await client.register(secret: secret, name: name)
            await client.shutdown()
        } catch {
            await client.shutdown()
            throw error
        }
        return node
    }
}
