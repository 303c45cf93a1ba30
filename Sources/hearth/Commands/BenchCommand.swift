import ArgumentParser
import Foundation
import HearthCore
import HearthLedger
import HearthLedgerPostgres
import HearthStore
import HearthTools

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: L("cmd.bench.abstract"),
        subcommands: [
            BenchMerge.self, BenchSync.self, BenchCounty.self, BenchBootstrap.self, BenchCompact.self,
            BenchHistory.self,
        ])
}

struct BenchMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: L("cmd.bench.merge.abstract"), discussion: L("cmd.bench.merge.discussion"))

    @Option(help: .text("opt.bench.merge.ops")) var ops: Int = 100_000
    @Option(help: .text("opt.bench.merge.batch")) var batch: Int = 10_000
    @Option(help: .text("opt.generate.seed")) var seed: UInt64 = 1
    @Option(help: .text("opt.bench.merge.peer_script", ["script": MergePeer.scriptName]))
    var peerScript: String?
    @Flag(help: .text("opt.bench.merge.no_peer")) var noPeer = false
    @Option(help: .text("opt.bench.merge.rounds")) var rounds: Int = 1
    @Flag(help: .text("opt.json")) var json = false

    func run() throws {
        try guarded {
            guard ops > 0, batch > 0, rounds > 0 else { throw CLIError.usage(L("error.bench.merge.positive")) }
            if let peerScript, !FileManager.default.fileExists(atPath: peerScript) {
                throw CLIError.usage(L("error.bench.merge.peer_script"))
            }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "hearth-bench-\(UUID().uuidString)"
            ).path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let peer = noPeer ? nil : MergePeer(script: peerScript)
            let bench = MergeBench(opCount: ops, batchSize: batch, seed: seed, peer: peer)
            let generated = bench.generate()
            var results: [MergeBench.Result] = []
            for round in 1...rounds {
                // Each round in files of its own: none starts on a warm database.
                let files = directory + "/round-\(round)"
                try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
                results.append(try bench.run(generated, in: files))
                try? FileManager.default.removeItem(atPath: files)
            }
            if json {
                if rounds == 1 {
                    try Output.json(MergeBenchDocument(results[0], batch: batch))
                } else {
                    try Output.json(MergeBenchRoundsDocument(results, batch: batch))
                }
                return
            }
            for (index, result) in results.enumerated() {
                if rounds > 1 { print(L("bench.merge.round", ["round": index + 1, "rounds": rounds])) }
                Self.printRound(result)
            }
            if rounds > 1 {
                let labelled = labels(["bench.merge.median.label"])
                let medians = MergeBench.Medians(results)
                let figures: [String: any CustomStringConvertible] = [
                    "rounds": rounds, "raw": fixed(medians.ratio, 3), "log": fixed(medians.logRatio, 3),
                ]
                print(
                    labelled("bench.merge.median.label")
                        + (medians.peerRatio.map {
                            L("bench.merge.median_peer", figures.merging(["peer": fixed($0, 3)]) { $1 })
                        } ?? L("bench.merge.median", figures)))
            }
        }
    }

    /// One round's figures, a line each.
    private static func printRound(_ result: MergeBench.Result) {
        let labelled = labels([
            "bench.merge.applied.label", "bench.merge.replica.label", "bench.merge.raw.label",
            "bench.merge.log.label", "bench.merge.peer.label", "bench.merge.ratio_raw.label",
            "bench.merge.ratio_log.label", "bench.merge.ratio_peer.label",
        ])
        print(
            labelled("bench.merge.applied.label")
                + L("bench.merge.applied", ["ops": result.ops, "changes": result.fieldChanges]))
        print(
            labelled("bench.merge.replica.label")
                + L(
                    "bench.merge.replica",
                    [
                        "ops": fixed(result.opsPerSecond, 0), "changes": fixed(result.fieldChangesPerSecond, 0),
                        "seconds": fixed(result.replicaSeconds, 2),
                    ]))
        print(
            labelled("bench.merge.raw.label")
                + L(
                    "bench.merge.raw",
                    ["rows": fixed(result.rawRowsPerSecond, 0), "seconds": fixed(result.rawSeconds, 2)]))
        print(
            labelled("bench.merge.log.label")
                + L(
                    "bench.merge.log",
                    [
                        "rows": fixed(result.logRowsPerSecond, 0), "seconds": fixed(result.logSeconds, 2),
                        "ratio": fixed(result.logToRaw, 3),
                    ]))
        switch result.peer {
        case .ran(let peer):
            print(
                labelled("bench.merge.peer.label")
                    + L(
                        "bench.merge.peer",
                        [
                            "name": peer.name, "version": peer.version,
                            "changes": fixed(Double(result.fieldChanges) / peer.seconds, 0),
                            "seconds": fixed(peer.seconds, 2), "entries": peer.entries,
                        ]))
        case .absent(let reason):
            print(labelled("bench.merge.peer.label") + L("bench.merge.peer_absent", ["reason": reason]))
        }
        print(labelled("bench.merge.ratio_raw.label") + L("bench.merge.ratio_raw", ["ratio": fixed(result.ratio, 3)]))
        print(
            labelled("bench.merge.ratio_log.label") + L("bench.merge.ratio_log", ["ratio": fixed(result.logRatio, 3)]))
        if let peerRatio = result.peerRatio {
            print(
                labelled("bench.merge.ratio_peer.label") + L("bench.merge.ratio_peer", ["ratio": fixed(peerRatio, 3)]))
        }
    }
}

/// The document of several rounds' figures and their medians.
extension MergeBenchRoundsDocument {
    init(_ results: [MergeBench.Result], batch: Int) {
        rounds = results.map { MergeBenchDocument($0, batch: batch) }
        let medians = MergeBench.Medians(results)
        medianRatioPermille = Int64(medians.ratio * 1000)
        medianLogRatioPermille = Int64(medians.logRatio * 1000)
        medianPeerRatioPermille = medians.peerRatio.map { Int64($0 * 1000) }
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
        logRowsPerSecond = Int64(result.logRowsPerSecond)
        logMs = Int64(result.logSeconds * 1000)
        logRatioPermille = Int64(result.logRatio * 1000)
        logToRawPermille = Int64(result.logToRaw * 1000)
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
        abstract: L("cmd.bench.sync.abstract"))

    @Option(help: .text("opt.bench.sync.villages")) var villages = 300
    @Option(help: .text("opt.bench.sync.townships")) var townships: Int?
    @Option(help: .text("opt.bench.sync.households")) var households = 30_000
    @Option(name: .customLong("members"), help: .text("opt.bench.sync.members")) var members = 3
    @Option(help: .text("opt.bench.sync.edits")) var edits = 50
    @Option(help: .text("opt.bench.sync.concurrency")) var concurrency = 20
    @Option(help: .text("opt.bench.sync.hubs")) var hubs = 1
    @Option(help: .text("opt.bench.sync.store")) var store: String?
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            guard villages > 0, households > 0, members > 0, concurrency > 0, hubs > 0, hubs <= 8 else {
                throw CLIError.usage(L("error.bench.sync.positive"))
            }
            // A township's code is 101 to 999, a village's number in it 001 to 999.
            let townshipCount = townships ?? SyncBench.defaultTownships(villages: villages)
            guard townshipCount > 0, townshipCount <= min(villages, 899),
                (villages + townshipCount - 1) / townshipCount <= 999
            else {
                throw CLIError.usage(L("error.bench.sync.townships", ["villages": villages]))
            }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "hearth-bench-sync-\(UUID().uuidString)"
            ).path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            var bench = SyncBench(
                directory: directory, villages: villages, households: households, membersPerHousehold: members,
                editsPerVillage: edits, concurrency: concurrency
            ) { line in if !json { print(line) } }
            bench.hubs = hubs
            bench.townships = townshipCount
            if let store {
                guard PostgresLocation.names(store) else { throw CLIError.usage(L("error.bench.sync.store")) }
                bench.store = (try PostgresLocation.parse(store, field: "store"), store)
            }
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
                        hubPeakKiB: Int64(result.hubPeakKiB), hubPushCPUMs: Int64(result.hubPushCPU * 1000),
                        hubPullCPUMs: Int64(result.hubPullCPU * 1000),
                        nodesPushCPUMs: Int64(result.nodesPushCPU * 1000),
                        nodesPullCPUMs: Int64(result.nodesPullCPU * 1000), hubs: Int64(hubs),
                        concurrency: Int64(concurrency), townships: Int64(result.townships),
                        healthzP50Us: Int64(result.health.p50 * 1e6), healthzP99Us: Int64(result.health.p99 * 1e6),
                        healthzMaxUs: Int64(result.health.max * 1e6),
                        healthzRequests: Int64(result.health.samples.count),
                        healthzFailures: Int64(result.health.failures),
                        metricsP50Us: Int64(result.metrics.p50 * 1e6), metricsP99Us: Int64(result.metrics.p99 * 1e6),
                        metricsMaxUs: Int64(result.metrics.max * 1e6), metricsFailures: Int64(result.metrics.failures),
                        idleSyncBytes: Int64(result.idleBytes), idleSyncUs: Int64(result.idleSeconds * 1e6),
                        hubPushWaitingMs: Int64((result.pushPhases["waiting"] ?? 0) * 1000),
                        hubPushReadingMs: Int64((result.pushPhases["reading"] ?? 0) * 1000),
                        hubPushCheckingMs: Int64((result.pushPhases["checking"] ?? 0) * 1000),
                        hubPushApplyingMs: Int64((result.pushPhases["applying"] ?? 0) * 1000)))
            } else {
                let labelled = labels([
                    "bench.sync.ops.label", "bench.sync.push.label", "bench.sync.pull.label", "bench.sync.total.label",
                    "bench.sync.memory.label", "bench.sync.cpu.label", "bench.sync.phases.label",
                    "bench.sync.idle.label",
                ])
                print(labelled("bench.sync.ops.label") + "\(result.ops)")
                print(
                    labelled("bench.sync.push.label")
                        + L(
                            "bench.sync.push",
                            [
                                "seconds": fixed(result.pushSeconds, 1), "rate": fixed(rate, 0),
                                "bytes": fixed(bytesPerOp, 0),
                            ]
                        ))
                print(
                    labelled("bench.sync.pull.label")
                        + L(
                            "bench.sync.pull",
                            [
                                "seconds": fixed(result.pullSeconds, 1), "ops": result.pulledOps,
                                "bytes": fixed(Double(result.pulledBytes) / Double(max(1, result.pulledOps)), 0),
                            ]))
                print(labelled("bench.sync.total.label") + fixed(total, 1) + " s")
                print(labelled("bench.sync.memory.label") + "\(result.hubPeakKiB / 1024) MiB")
                print(
                    labelled("bench.sync.cpu.label")
                        + L(
                            "bench.sync.cpu",
                            [
                                "hub_push": fixed(result.hubPushCPU, 1), "nodes_push": fixed(result.nodesPushCPU, 1),
                                "hub_pull": fixed(result.hubPullCPU, 1), "nodes_pull": fixed(result.nodesPullCPU, 1),
                            ]))
                print(
                    labelled("bench.sync.phases.label")
                        + L(
                            "bench.sync.phases",
                            [
                                "waiting": fixed(result.pushPhases["waiting"] ?? 0, 1),
                                "reading": fixed(result.pushPhases["reading"] ?? 0, 1),
                                "checking": fixed(result.pushPhases["checking"] ?? 0, 1),
                                "applying": fixed(result.pushPhases["applying"] ?? 0, 1),
                            ]))
                print(
                    labelled("bench.sync.idle.label")
                        + L("bench.sync.idle", ["bytes": result.idleBytes, "ms": fixed(result.idleSeconds * 1000, 1)]))
                for (path, figures) in [("/healthz", result.health), ("/metrics", result.metrics)] {
                    print(
                        "\(path.padding(toLength: 9, withPad: " ", startingAt: 0)) \(L("bench.sync.during_push")) "
                            + L(
                                "bench.sync.latency",
                                [
                                    "p50": fixed(figures.p50 * 1000, 1), "p99": fixed(figures.p99 * 1000, 1),
                                    "max": fixed(figures.max * 1000, 1), "answers": figures.samples.count,
                                    "failed": figures.failures, "nodes": concurrency,
                                ]))
                }
            }
        }
    }
}

struct BenchCounty: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "county",
        abstract: L("cmd.bench.county.abstract"), discussion: L("cmd.bench.county.discussion"))

    @Option(help: .text("opt.generate.profile")) var profile = "large-district"
    @Option(help: .text("opt.generate.scale")) var scale: Double = 1
    @Option(help: .text("opt.generate.seed")) var seed: UInt64 = 7
    @Option(help: .text("opt.bench.county.month")) var month = "2026-11"
    @Option(help: .text("opt.bench.county.runs")) var runs = 3
    @Option(help: .text("opt.bench.county.hub")) var hub: String?
    @Option(help: .text("opt.bench.county.store")) var store: String?
    @Option(name: .customLong("key-file"), help: .text("opt.bench.county.key_file")) var keyFile: String?
    @Flag(help: .text("opt.json")) var json = false

    /// The hub kept on a PostgreSQL server that `--store` names, opened with its key file.
    func openServerHub(_ store: String) async throws -> HubLedger {
        guard hub == nil else { throw CLIError.usage(L("error.bench.county.hub_and_store")) }
        guard PostgresLocation.names(store) else { throw CLIError.usage(L("error.bench.sync.store")) }
        let environment = ProcessInfo.processInfo.environment
        let keyPath = try HubStore.serverKeyPath(keyFile: keyFile, environment: environment)
        return try await HubLedger.open(
            postgres: try PostgresLocation.parse(store, field: "store"), keyPath: keyPath, environment: environment,
            nowMillis: nowMillis())
    }

    func run() async throws {
        try await guardedAsync {
            guard runs > 0 else { throw CLIError.usage(L("error.bench.county.runs")) }
            let period = try Month.parse(month, field: "month")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "hearth-bench-county-\(UUID().uuidString)"
            ).path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let say: (String) -> Void = { line in if !json { print(line) } }
            var generateSeconds: Double?
            let ledger: HubLedger
            if let store {
                ledger = try await openServerHub(store)
            } else if let hub {
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
            let status = try await ledger.reading { try $0.status() }
            let named = store.map { _ in ledger.store } ?? hub
            let figures: [String: any CustomStringConvertible] = [
                "county": named ?? L("bench.county.profile", ["profile": profile, "scale": scale]),
                "households": status.counts[.household] ?? 0, "members": status.counts[.member] ?? 0,
                "enrollments": status.counts[.enrollment] ?? 0, "ops": status.logSize,
                "seconds": generateSeconds.map { fixed($0, 0) } ?? "",
            ]
            say(
                labels(["bench.county.label"], minimum: 12)("bench.county.label")
                    + L(generateSeconds == nil ? "bench.county.summary" : "bench.county.summary_generated", figures))
            let timings = try await CountyBench(
                hub: ledger, month: period, nowMillis: nowMillis(), runs: runs, seed: seed
            ).run(in: directory, say: say)
            if json {
                try Output.json(
                    CountyBenchDocument(
                        county: named ?? profile, scale: named == nil ? String(scale) : nil,
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

struct BenchBootstrap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap",
        abstract: L("cmd.bench.bootstrap.abstract"), discussion: L("cmd.bench.bootstrap.discussion"))

    @Option(help: .text("opt.generate.profile")) var profile = "large-district"
    @Option(help: .text("opt.generate.scale")) var scale: Double = 1
    @Option(help: .text("opt.generate.seed")) var seed: UInt64 = 7
    @Option(help: .text("opt.bench.bootstrap.hub")) var hub: String?
    @Option(help: .text("opt.bench.bootstrap.scope")) var scope: String?
    @Option(help: .text("opt.bench.bootstrap.runs")) var runs = 2
    @Option(help: .text("opt.bench.bootstrap.months")) var months = 0
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            guard runs > 0 else { throw CLIError.usage(L("error.bench.county.runs")) }
            guard months >= 0, months <= 120 else { throw CLIError.usage(L("error.bench.bootstrap.months")) }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "hearth-bench-bootstrap-\(UUID().uuidString)"
            ).path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let say: (String) -> Void = { line in if !json { print(line) } }
            let hubPath = directory + "/hub.db"
            if let hub {
                // A copy: the bench enrolls its nodes in the hub it serves. Read through SQLite's
                // backup, read-only, so the original is not even migrated.
                guard FileManager.default.fileExists(atPath: hub) else { throw ReplicaError.notFound(path: hub) }
                try DatabaseFiles.copyUnopened(from: hub, to: hubPath)
                try FileManager.default.copyItem(
                    atPath: KeyFile.defaultPath(forDatabase: hub), toPath: KeyFile.defaultPath(forDatabase: hubPath))
            } else {
                let chosen = try CountyProfile.named(profile, scale: scale)
                _ = try await CountyGenerator(
                    profile: chosen, seed: seed, directory: directory,
                    month: try Month.parse("2026-11", field: "month"),
                    nowMillis: nowMillis()
                ).run { _ in }
            }
            let chosenScope: ScopePrefix
            if let scope {
                chosenScope = try ScopePrefix.parse(scope, field: "scope")
                guard chosenScope.level != .county else { throw CLIError.usage(L("error.bench.bootstrap.scope")) }
            } else {
                // The township that holds the county's first village.
                let first = try HubLedger.open(path: hubPath).replica.read { db in
                    try String.fetchOne(db, sql: "SELECT min(village) FROM households WHERE village NOT LIKE '%000000'")
                }
                guard let first else { throw CLIError.failed(L("error.bench.bootstrap.empty")) }
                chosenScope = try ScopePrefix.parse(String(first.prefix(9)), field: "scope")
            }
            var bench = BootstrapBench(hubPath: hubPath, directory: directory, scope: chosenScope, runs: runs, say: say)
            bench.months = months
            let result = try await bench.run()
            let replay = result.median(false, \.seconds)
            let snapshot = result.median(true, \.seconds)
            let replayBytes = result.median(false) { Double($0.bytes) }
            let snapshotBytes = result.median(true) { Double($0.bytes) }
            let replaySize = result.median(false) { Double($0.databaseBytes) }
            let snapshotSize = result.median(true) { Double($0.databaseBytes) }
            let records = result.runs.first?.records ?? 0
            if json {
                try Output.json(
                    BootstrapBenchDocument(
                        scope: chosenScope.value, records: Int64(records), runs: Int64(runs),
                        replayMs: Int64(replay * 1000), snapshotMs: Int64(snapshot * 1000),
                        replayBytes: Int64(replayBytes), snapshotBytes: Int64(snapshotBytes),
                        replayDatabaseBytes: Int64(replaySize), snapshotDatabaseBytes: Int64(snapshotSize)))
            } else {
                print(
                    L(
                        "bench.bootstrap.summary",
                        [
                            "scope": chosenScope.value, "records": records, "replay": fixed(replay, 2),
                            "snapshot": fixed(snapshot, 2), "speedup": fixed(replay / max(snapshot, 0.001), 1),
                            "replay_bytes": Int(replayBytes), "snapshot_bytes": Int(snapshotBytes),
                            "bytes_ratio": fixed(snapshotBytes / max(replayBytes, 1), 2),
                            "replay_size": Int(replaySize) / 1024 / 1024,
                            "snapshot_size": Int(snapshotSize) / 1024 / 1024,
                        ]))
            }
        }
    }
}

struct BenchCompact: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: L("cmd.bench.compact.abstract"), discussion: L("cmd.bench.compact.discussion"))

    @Option(help: .text("opt.bench.compact.hub")) var hub: String

    func run() async throws {
        try await guardedAsync {
            guard FileManager.default.fileExists(atPath: hub) else { throw ReplicaError.notFound(path: hub) }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "hearth-bench-compact-\(UUID().uuidString)"
            ).path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            var paths: [String] = []
            for name in ["compact", "baseline"] {
                let path = directory + "/\(name).db"
                try DatabaseFiles.copyUnopened(from: hub, to: path)
                try FileManager.default.copyItem(
                    atPath: KeyFile.defaultPath(forDatabase: hub), toPath: KeyFile.defaultPath(forDatabase: path))
                paths.append(path)
            }
            let result = try await CompactBench(compactPath: paths[0], baselinePath: paths[1]).run()
            print(
                L(
                    "bench.compact.summary",
                    [
                        "archived": result.archived, "transactions": result.transactions,
                        "seconds": fixed(result.compactSeconds, 2),
                        "rate": Int(Double(result.archived) / max(result.compactSeconds, 0.001)),
                        "baseline_moved": result.baselineMoved, "baseline": fixed(result.baselineSeconds, 2),
                        "ratio": fixed(result.compactSeconds / max(result.baselineSeconds, 0.001), 2),
                        "logged": result.report.logged,
                    ]))
            print(
                L(
                    "bench.compact.verify",
                    [
                        "checkpoints": result.verify.checkpoints, "ops": result.verify.opsChecked,
                        "ms": Int(result.verifySeconds * 1000), "whole_ops": result.verifyWhole.opsChecked,
                        "whole": fixed(result.verifyWholeSeconds, 2),
                    ]))
            guard result.verify.isIntact, result.verifyWhole.isIntact else {
                throw CLIError.failed(
                    L("hub.verify.broken", ["count": result.verify.problems.count + result.verifyWhole.problems.count]))
            }
        }
    }
}

struct BenchHistory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: L("cmd.bench.history.abstract"), discussion: L("cmd.bench.history.discussion"))

    @Option(help: .text("opt.bench.history.households")) var households = 2_500
    @Option(help: .text("opt.bench.history.members")) var members = 3
    @Option(help: .text("opt.bench.history.years")) var years = 5
    @Option(help: .text("opt.bench.history.retention_months")) var retentionMonths = 12
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            guard (1...20).contains(years), (1...100_000).contains(households), (0...10).contains(members),
                CountySetting.retentionRange.contains(retentionMonths)
            else { throw CLIError.usage(L("error.bench.history.range")) }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "hearth-bench-history-\(UUID().uuidString)"
            ).path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let sizes = try await HistoryBench(
                directory: directory, households: households, membersPerHousehold: members, years: years,
                retentionMonths: retentionMonths, say: { line in if !json { print(line) } }
            ).run()
            let document = HistoryBenchDocument(
                years: years, records: households * (1 + members), retentionMonths: retentionMonths, sizes: sizes)
            if json {
                try Output.json(document)
                return
            }
            func mib(_ bytes: Int) -> String { fixed(Double(bytes) / 1_048_576, 1) }
            print(
                L(
                    "bench.history.summary",
                    [
                        "years": years, "records": document.records, "ops": document.records * (1 + 12 * years),
                        "months": retentionMonths, "used_last": mib(document.compactingLastUsed),
                        "used_first": mib(document.compactingFirstUsed),
                        "growth": fixed(document.compactingGrowth, 2), "file_last": mib(document.compactingLastFile),
                        "keep_last": mib(document.keepingLastUsed), "keep_first": mib(document.keepingFirstUsed),
                        "keep_growth": fixed(document.keepingGrowth, 2), "ratio": fixed(document.ratio, 2),
                    ]))
            print(
                L(
                    "bench.history.hub_summary",
                    [
                        "used_last": mib(document.hubCompactingLast?.usedBytes ?? 0),
                        "used_first": mib(document.hubCompactingFirstUsed), "growth": fixed(document.hubGrowth, 2),
                        "logged": document.hubCompactingLast?.loggedOps ?? 0,
                        "archived": document.hubCompactingLast?.archivedOps ?? 0,
                        "keep_last": mib(document.hubKeepingLast?.usedBytes ?? 0),
                        "keep_first": mib(document.hubKeepingFirstUsed),
                        "keep_growth": fixed(document.hubKeepingGrowth, 2),
                        "keep_logged": document.hubKeepingLast?.loggedOps ?? 0, "ratio": fixed(document.hubRatio, 2),
                    ]))
        }
    }
}

/// The catalogue's labels `keys`, each padded to the widest of them and two spaces more (a CJK
/// character counts two columns), at least to `minimum` columns: a column of figures follows.
private func labels(_ keys: [String], minimum: Int = 0) -> (String) -> String {
    let width = max(minimum, (keys.map { Output.width(L($0)) }.max() ?? 0) + 2)
    return { key in
        let label = L(key)
        return label + String(repeating: " ", count: max(2, width - Output.width(label)))
    }
}

/// `value` with `digits` decimals, as `%.Nf` writes it.
private func fixed(_ value: Double, _ digits: Int) -> String {
    String(format: "%.\(digits)f", value)
}
