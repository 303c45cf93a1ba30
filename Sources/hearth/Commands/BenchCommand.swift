import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthStore
import HearthTools

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure Hearth on this machine.",
        subcommands: [BenchMerge.self, BenchSync.self, BenchCounty.self])
}

struct BenchMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract:
            "Apply N generated ops to a fresh replica, the same rows by a raw SQLite upsert, and the same field "
            + "changes by pygeodiff when installed; print the rates and ratios.",
        discussion: """
            The raw baseline is the fastest honest SQLite write of the ops' rows: one prepared upsert, its \
            arguments bound directly, one transaction per batch, the replica's pragmas. The peer is pygeodiff \
            (scripts/install-bench-peers.sh installs it) applying changesets of the same field changes, one \
            entry per op and one changeset per batch, timed around its apply alone by \
            scripts/bench-merge-peer.py, which then checks it ended with the raw baseline's rows. Without \
            python3 or pygeodiff the bench says so in one line and prints the rest.
            """)

    @Option(help: "How many ops to generate.") var ops: Int = 100_000
    @Option(help: "Ops (and raw rows, and peer changes) per transaction.") var batch: Int = 10_000
    @Option(help: "Generator seed.") var seed: UInt64 = 1
    @Option(help: "The peer's helper script (default: scripts/\(MergePeer.scriptName) of the repository).")
    var peerScript: String?
    @Flag(help: "Do not run the peer.") var noPeer = false
    @Flag(help: .text("opt.json")) var json = false

    func run() throws {
        try guarded {
            guard ops > 0, batch > 0 else { throw CLIError.usage("--ops and --batch must be positive") }
            if let peerScript, !FileManager.default.fileExists(atPath: peerScript) {
                throw CLIError.usage("--peer-script: no file at that path")
            }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "hearth-bench-\(UUID().uuidString)"
            ).path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let peer = noPeer ? nil : MergePeer(script: peerScript)
            let result = try MergeBench(opCount: ops, batchSize: batch, seed: seed, peer: peer).run(in: directory)
            if json {
                try Output.json(MergeBenchDocument(result, batch: batch))
            } else {
                print("ops applied        \(result.ops) (\(result.fieldChanges) field changes)")
                print(
                    String(
                        format: "replica            %.0f ops/s, %.0f field changes/s (%.2f s)", result.opsPerSecond,
                        result.fieldChangesPerSecond, result.replicaSeconds))
                print(
                    String(
                        format: "raw sqlite upsert  %.0f rows/s (%.2f s)", result.rawRowsPerSecond, result.rawSeconds))
                switch result.peer {
                case .ran(let peer):
                    print(
                        "peer               \(peer.name) \(peer.version): "
                            + String(
                                format: "%.0f field changes/s (%.2f s, %d changes applied)",
                                Double(result.fieldChanges) / peer.seconds, peer.seconds, peer.entries))
                case .absent(let reason):
                    print("peer               not run: \(reason)")
                }
                print(String(format: "ratio to raw       %.3f of the raw rate", result.ratio))
                if let peerRatio = result.peerRatio {
                    print(String(format: "ratio to peer      %.3f of the peer's rate (field changes/s)", peerRatio))
                }
            }
        }
    }
}

/// The document of a run's figures.
extension MergeBenchDocument {
    init(_ result: MergeBench.Result, batch: Int) {
        ops = Int64(result.ops)
        fieldChanges = Int64(result.fieldChanges)
        self.batch = Int64(batch)
        replicaOpsPerSecond = Int64(result.opsPerSecond)
        replicaFieldChangesPerSecond = Int64(result.fieldChangesPerSecond)
        replicaMs = Int64(result.replicaSeconds * 1000)
        rawRowsPerSecond = Int64(result.rawRowsPerSecond)
        rawMs = Int64(result.rawSeconds * 1000)
        ratioPermille = Int64(result.ratio * 1000)
        switch result.peer {
        case .ran(let peer):
            self.peer = Peer(
                name: peer.name, version: peer.version, changes: Int64(peer.entries),
                fieldChangesPerSecond: Int64(Double(result.fieldChanges) / peer.seconds),
                ms: Int64(peer.seconds * 1000))
            peerAbsent = nil
        case .absent(let reason):
            peer = nil
            peerAbsent = reason
        }
        peerRatioPermille = result.peerRatio.map { Int64($0 * 1000) }
    }
}

struct BenchSync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract:
            "A county-sized night over loopback: villages push, townships pull; time, op rate, bytes per op, hub memory."
    )

    @Option(help: "Village nodes.") var villages = 300
    @Option(help: "Households in the county (spread over the villages).") var households = 30_000
    @Option(name: .customLong("members"), help: "Members per household.") var members = 3
    @Option(help: "Edits per village in the day.") var edits = 50
    @Option(help: "Nodes syncing at once (20: a township's villages all pushing together).") var concurrency = 20
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            guard villages > 0, households > 0, members > 0, concurrency > 0 else {
                throw CLIError.usage("--villages, --households, --members and --concurrency must be positive")
            }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "hearth-bench-sync-\(UUID().uuidString)"
            ).path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let bench = SyncBench(
                directory: directory, villages: villages, households: households, membersPerHousehold: members,
                editsPerVillage: edits, concurrency: concurrency
            ) { line in if !json { print(line) } }
            let result = try await bench.run()
            let total = result.pushSeconds + result.pullSeconds
            let rate = Double(result.ops) / result.pushSeconds
            let bytesPerOp = Double(result.pushedBytes) / Double(max(1, result.ops))
            if json {
                try Output.json(
                    SyncBenchDocument(
                        ops: Int64(result.ops), pushMs: Int64(result.pushSeconds * 1000),
                        pullMs: Int64(result.pullSeconds * 1000), hubOpsPerSecond: Int64(rate),
                        pushBytesPerOp: Int64(bytesPerOp),
                        pullBytesPerOp: Int64(Double(result.pulledBytes) / Double(max(1, result.pulledOps))),
                        hubPeakKiB: Int64(result.hubPeakKiB), concurrency: Int64(concurrency),
                        healthzP50Us: Int64(result.health.p50 * 1e6), healthzP99Us: Int64(result.health.p99 * 1e6),
                        healthzMaxUs: Int64(result.health.max * 1e6),
                        healthzRequests: Int64(result.health.samples.count),
                        healthzFailures: Int64(result.health.failures),
                        metricsP50Us: Int64(result.metrics.p50 * 1e6), metricsP99Us: Int64(result.metrics.p99 * 1e6),
                        metricsMaxUs: Int64(result.metrics.max * 1e6), metricsFailures: Int64(result.metrics.failures),
                        idleSyncBytes: Int64(result.idleBytes), idleSyncUs: Int64(result.idleSeconds * 1e6)))
            } else {
                print("ops pushed by villages   \(result.ops)")
                print(
                    String(
                        format: "push (villages -> hub)   %.1f s, %.0f ops/s at the hub, %.0f bytes/op on the wire",
                        result.pushSeconds, rate, bytesPerOp))
                print(
                    String(
                        format: "pull (hub -> townships)  %.1f s, %d ops, %.0f bytes/op", result.pullSeconds,
                        result.pulledOps, Double(result.pulledBytes) / Double(max(1, result.pulledOps))))
                print(String(format: "total sync time          %.1f s", total))
                print("hub peak memory (VmHWM)  \(result.hubPeakKiB / 1024) MiB")
                print(
                    String(
                        format: "nothing new (a village)  %d bytes both ways, %.1f ms (median of 5)", result.idleBytes,
                        result.idleSeconds * 1000))
                for (path, figures) in [("/healthz", result.health), ("/metrics", result.metrics)] {
                    print(
                        "\(path.padding(toLength: 9, withPad: " ", startingAt: 0)) during push "
                            + String(
                                format:
                                    "p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d answers, %d failed; %d nodes at once)",
                                figures.p50 * 1000, figures.p99 * 1000, figures.max * 1000, figures.samples.count,
                                figures.failures, concurrency))
                }
            }
        }
    }
}

struct BenchCounty: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "county",
        abstract: "Time the bureau's reads (status, the desk, the report, the roll, show) on a generated county.",
        discussion: """
            Generates the profile's county (as `hub generate` does) in a temporary directory, or reads an existing \
            hub with --hub, then runs each read --runs times and prints the median. Run it at --scale 0.25 and 1 \
            to see how a read grows with the county (linear is 4x). `show` counts the slowest of its sample of \
            records. --hub only reads the database (opening an older one migrates it, as any command does); the \
            roll's files go to a temporary directory and are removed.
            """)

    @Option(help: "small-county, city or large-district.") var profile = "large-district"
    @Option(help: "Size factor (1 = the profile's real size).") var scale: Double = 1
    @Option(help: "Generator seed.") var seed: UInt64 = 7
    @Option(help: "The month the county's figures describe and the reads ask about, YYYY-MM.") var month = "2026-11"
    @Option(help: "Runs of each read (the median counts).") var runs = 3
    @Option(help: "Time the reads on this existing hub database instead of generating a county.") var hub: String?
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            guard runs > 0 else { throw CLIError.usage("--runs must be positive") }
            let period = try Month.parse(month, field: "month")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "hearth-bench-county-\(UUID().uuidString)"
            ).path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let say: (String) -> Void = { line in if !json { print(line) } }
            var generateSeconds: Double?
            let ledger: HubLedger
            if let hub {
                ledger = try HubLedger.open(path: hub)
            } else {
                let chosen = try CountyProfile.named(profile, scale: scale)
                let start = Date()
                ledger = try await CountyGenerator(
                    profile: chosen, seed: seed, directory: directory, month: period,
                    nowMillis: nowMillis()
                ).run { _ in }.hub
                generateSeconds = Date().timeIntervalSince(start)
            }
            let status = try ledger.replica.status()
            say(
                "county      \(hub ?? "\(profile) at scale \(scale)"): \(status.counts[.household] ?? 0) households, "
                    + "\(status.counts[.member] ?? 0) members, \(status.counts[.enrollment] ?? 0) enrollments, "
                    + "\(status.logSize) ops"
                    + (generateSeconds.map { String(format: " (generated in %.0f s)", $0) } ?? ""))
            let timings = try await CountyBench(
                hub: ledger, month: period, nowMillis: nowMillis(), runs: runs, seed: seed
            ).run(in: directory, say: say)
            if json {
                try Output.json(
                    CountyBenchDocument(
                        county: hub ?? profile, scale: hub == nil ? String(scale) : nil,
                        households: Int64(status.counts[.household] ?? 0), members: Int64(status.counts[.member] ?? 0),
                        enrollments: Int64(status.counts[.enrollment] ?? 0), ops: Int64(status.logSize),
                        generateMs: generateSeconds.map { Int64($0 * 1000) },
                        reads: timings.map {
                            CountyBenchDocument.Read(
                                read: $0.read, medianMs: Int64($0.median * 1000),
                                runsMs: $0.seconds.map { Int64($0 * 1000) }, returned: Int64($0.returned))
                        }))
            }
        }
    }
}
