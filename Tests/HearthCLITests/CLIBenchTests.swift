import Foundation
import HearthCore
import HearthTestPostgres
import Testing
import HearthTestSupport

/// The benches run end to end on a small county: a bench that stops before printing its
/// figures measures nothing (`bench sync` once failed its final check on the hub's database,
/// which only opens as the hub, and printed no JSON at all).
@Suite("hearth bench, end to end on a small county")
struct CLIBenchTests {
    @Test(
        "bench sync pushes, pulls and checks the hub's log, and prints one JSON document; with two hub processes on one database too",
        arguments: [1, 2])
    func syncBench(hubs: Int) async throws {
        let cli = try CLIRunner()
        // The bench exits 1 unless the hub's log holds every op made and the townships pulled them all.
        let result = try await cli.run([
            "bench", "sync", "--villages", "4", "--households", "40", "--members", "2", "--edits", "3",
            "--concurrency", "2", "--hubs", "\(hubs)", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.json?["hubs"] == .integer(Int64(hubs)))
        #expect(result.json?["townships"] == .integer(1), "one township for every 20 villages")
        guard case .object(let document)? = result.json else {
            Issue.record("not one JSON document: \(result.stdout)")
            return
        }
        guard case .integer(let ops)? = document["ops"] else {
            Issue.record("no op count: \(result.stdout)")
            return
        }
        #expect(ops > 0)
        #expect(document["healthz_failures"] == .integer(0))
        // CPU time: the nodes signed and sent every push, and no process spent more than its
        // phase's wall time on every core (a tenth of a second for the clock ticks).
        let cores = Int64(ProcessInfo.processInfo.activeProcessorCount)
        for (phase, wall) in [("push", document["push_ms"]), ("pull", document["pull_ms"])] {
            guard case .integer(let ms)? = wall, case .integer(let hub)? = document["hub_\(phase)_cpu_ms"],
                case .integer(let nodes)? = document["nodes_\(phase)_cpu_ms"]
            else {
                Issue.record("no CPU time for \(phase): \(result.stdout)")
                continue
            }
            #expect(hub >= 0 && hub <= ms * cores * Int64(hubs) + 100, "hub \(phase)")
            #expect(nodes > 0 && nodes <= ms * cores + 100, "nodes \(phase)")
        }
        // Where the pushes' time went, read from the hubs' /metrics: each of the four phases
        // took some time, and applying, summed over the pushes, no more than every push's wall
        // time at once (`--concurrency` pushes in flight, a tenth of a second for rounding).
        var phases: [String: Int64] = [:]
        for phase in ["waiting", "reading", "checking", "applying"] {
            guard case .integer(let ms)? = document["hub_push_\(phase)_ms"] else {
                Issue.record("no \(phase) time: \(result.stdout)")
                continue
            }
            phases[phase] = ms
            #expect(ms >= 0, "\(phase)")
        }
        if case .integer(let push)? = document["push_ms"] {
            #expect((phases["applying"] ?? 0) > 0, "the ledger applied the pushes")
            #expect(phases.values.reduce(0, +) <= 2 * push + 100, "\(phases) in \(push) ms")
        }
        // A sync with nothing new moves a few signed requests and answers, no ops.
        guard case .integer(let idle)? = document["idle_sync_bytes"] else {
            Issue.record("no idle sync figure: \(result.stdout)")
            return
        }
        #expect(idle > 0 && idle < 16_384)
    }

    @Test(
        "bench sync --townships sets how many townships pull, apart from the villages; a count no county code can hold is refused"
    )
    func syncBenchTownships() async throws {
        let cli = try CLIRunner()
        let small = ["bench", "sync", "--villages", "4", "--households", "40", "--members", "2", "--edits", "3"]
        // The bench exits 1 unless the three townships between them pulled every op made.
        let result = try await cli.run(small + ["--townships", "3", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.json?["townships"] == .integer(3))
        guard case .integer(let ops)? = result.json?["ops"] else {
            Issue.record("no op count: \(result.stdout)")
            return
        }
        #expect(ops > 0)
        // More townships than villages, none, or more than the codes 101 to 999 hold; and more
        // than 999 villages to a township.
        for (villages, townships) in [("4", "5"), ("4", "0"), ("1000", "900"), ("1000", "1")] {
            var arguments = small
            arguments[3] = villages
            let refused = try await cli.run(arguments + ["--townships", townships])
            #expect(refused.status != 0, "--villages \(villages) --townships \(townships)")
            #expect(refused.stderr.contains("--townships"), "\(refused.stderr)")
            #expect(refused.stdout.isEmpty, "nothing set up: \(refused.stdout)")
        }
    }

    @Test("bench merge prints one JSON document with its rates, the raw baseline's and the peer's")
    func mergeBench() async throws {
        let cli = try CLIRunner()
        let result = try await cli.run(["bench", "merge", "--ops", "2000", "--batch", "500", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        guard case .object(let document)? = result.json, case .integer(let ops)? = document["ops"],
            case .integer(let fieldChanges)? = document["field_changes"]
        else {
            Issue.record("not one JSON document with an op count: \(result.stdout)")
            return
        }
        #expect(ops == 2000)
        #expect(document["batch"] == .integer(500))
        // A create writes five fields, a change one to three.
        #expect(fieldChanges > ops && fieldChanges < 5 * ops)
        for key in [
            "replica_ops_per_second", "replica_field_changes_per_second", "raw_rows_per_second", "ratio_permille",
            "log_rows_per_second", "log_ratio_permille", "log_to_raw_permille",
        ] {
            guard case .integer(let figure)? = document[key] else {
                Issue.record("no \(key): \(result.stdout)")
                continue
            }
            #expect(figure > 0, "\(key)")
        }
        if Self.peerInstalled {
            guard case .object(let peer)? = document["peer"], case .integer(let changes)? = peer["changes"],
                case .integer(let rate)? = peer["field_changes_per_second"],
                case .integer(let ratio)? = document["peer_ratio_permille"]
            else {
                Issue.record("pygeodiff is installed but did not run: \(result.stdout) \(result.stderr)")
                return
            }
            // One change per op, checked by the peer's script to leave the raw baseline's rows.
            #expect(changes == ops)
            #expect(peer["name"] == .string("pygeodiff"))
            #expect(rate > 0 && ratio > 0)
            #expect(document["peer_absent"] == .null)
        } else {
            #expect(document["peer"] == .null)
            #expect(document["peer_ratio_permille"] == .null)
            guard case .string(let reason)? = document["peer_absent"] else {
                Issue.record("no reason the peer did not run: \(result.stdout)")
                return
            }
            #expect(!reason.isEmpty)
        }
    }

    @Test("bench merge without pygeodiff says so in one line and prints the rest")
    func mergeBenchWithoutPeer() async throws {
        let cli = try CLIRunner()
        // A python3 that cannot import site packages, so not pygeodiff. Not a wrapper script
        // written here and run at once: a fork by a test running beside this one could hold
        // the new file open, and running it failed with "Text file busy" (a CI run).
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let python = try #require(
            path.split(separator: ":").map { "\($0)/python3" }.first {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        let result = try await cli.run(
            ["bench", "merge", "--ops", "300", "--batch", "100"], environment: ["HEARTH_BENCH_PYTHON": python + " -S"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let peerLines = lines.filter { $0.hasPrefix("peer ") }
        #expect(peerLines.count == 1)
        #expect(peerLines.first?.contains("not run: pygeodiff is not installed") == true)
        #expect(lines.contains { $0.hasPrefix("raw sqlite upsert") })
        #expect(lines.contains { $0.hasPrefix("ratio to raw") })
        #expect(lines.contains { $0.hasPrefix("op log alone") })
        #expect(lines.contains { $0.hasPrefix("ratio to log") })
        #expect(!lines.contains { $0.hasPrefix("ratio to peer") })
        let skipped = try await cli.run(["bench", "merge", "--ops", "300", "--no-peer", "--json"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        guard case .object(let document)? = skipped.json else {
            Issue.record("not one JSON document: \(skipped.stdout)")
            return
        }
        #expect(document["peer"] == .null)
        #expect(document["ops"] == .integer(300))
    }

    @Test("bench merge --rounds prints each round and the median of each ratio; its JSON holds the rounds")
    func mergeBenchRounds() async throws {
        let cli = try CLIRunner()
        let text = try await cli.run(["bench", "merge", "--ops", "300", "--batch", "100", "--rounds", "2", "--no-peer"])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0 == "round 1 of 2" || $0 == "round 2 of 2" }.count == 2)
        #expect(lines.filter { $0.hasPrefix("ratio to raw") }.count == 2)
        let medians = lines.filter { $0.hasPrefix("median") }
        #expect(medians.count == 1)
        #expect(medians.first?.contains("of 2 rounds:") == true)
        #expect(medians.first?.contains("of the peer's rate") == false)

        let result = try await cli.run([
            "bench", "merge", "--ops", "300", "--batch", "100", "--rounds", "3", "--no-peer", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        guard case .object(let document)? = result.json, case .array(let rounds)? = document["rounds"] else {
            Issue.record("not one JSON document with its rounds: \(result.stdout)")
            return
        }
        #expect(rounds.count == 3)
        var ratios: [Int64] = []
        var logRatios: [Int64] = []
        for round in rounds {
            guard case .object(let figures) = round, case .integer(let ratio)? = figures["ratio_permille"],
                case .integer(let logRatio)? = figures["log_ratio_permille"]
            else {
                Issue.record("a round without its ratios: \(round)")
                return
            }
            #expect(figures["ops"] == .integer(300))
            ratios.append(ratio)
            logRatios.append(logRatio)
        }
        // Three rounds: the median is the middle round's own figure.
        #expect(document["median_ratio_permille"] == .integer(ratios.sorted()[1]))
        #expect(document["median_log_ratio_permille"] == .integer(logRatios.sorted()[1]))
        #expect(document["median_peer_ratio_permille"] == .null)

        let refused = try await cli.run(["bench", "merge", "--ops", "300", "--rounds", "0"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--rounds must be positive"))
    }

    /// Whether python3 here imports pygeodiff (the CI installs it with scripts/install-bench-peers.sh).
    static let peerInstalled: Bool = {
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import pygeodiff"]
        process.standardOutput = .null
        process.standardError = .null
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    @Test("bench county generates a county, times each read and prints one JSON document")
    func countyBench() async throws {
        let cli = try CLIRunner()
        let result = try await cli.run([
            "bench", "county", "--profile", "small-county", "--scale", "0.01", "--runs", "1", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        guard case .object(let document)? = result.json, case .array(let reads)? = document["reads"] else {
            Issue.record("not one JSON document with reads: \(result.stdout)")
            return
        }
        let names = reads.compactMap { read -> String? in
            guard case .object(let fields) = read, case .string(let name)? = fields["read"] else { return nil }
            return name
        }
        #expect(names == ["status", "hub conflicts", "hub report", "hub report year", "hub payroll", "show", "find"])
        guard case .integer(let members)? = document["members"] else {
            Issue.record("no member count: \(result.stdout)")
            return
        }
        #expect(members > 0)
        let report = reads.first {
            if case .object(let fields) = $0 { return fields["read"] == .string("hub report") }
            return false
        }
        guard case .object(let fields)? = report, case .integer(let lines)? = fields["returned"] else {
            Issue.record("the report returned nothing: \(result.stdout)")
            return
        }
        #expect(lines > 0)
        let refused = try await cli.run(["bench", "county", "--profile", "town", "--scale", "0.01"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("profile"))
    }

    @Test(
        "bench county times a hub kept on a PostgreSQL server through its storage, and each read returns there what it returns on the file it was moved from"
    )
    func countyBenchOnServer() async throws {
        let cli = try CLIRunner()
        let out = cli.directory + "/county"
        try await cli.ok([
            "hub", "generate", "--profile", "small-county", "--scale", "0.01", "--month", "2026-11", "--out", out,
        ])
        let timed = ["--month", "2026-11", "--runs", "1", "--json"]
        /// Each read's name and what it returned, and the county's counts.
        func figures(_ result: CLIRunner.Result) -> (reads: [String: Int64], counts: [Int64]) {
            var reads: [String: Int64] = [:]
            for case .object(let fields) in result.json?["reads"]?.arrayValue ?? [] {
                if case .string(let name)? = fields["read"], case .integer(let returned)? = fields["returned"] {
                    reads[name] = returned
                }
            }
            let counts = ["households", "members", "enrollments", "ops"].compactMap { key -> Int64? in
                if case .integer(let count)? = result.json?[key] { return count }
                return nil
            }
            return (reads, counts)
        }
        let onFile = figures(try await cli.ok(["bench", "county", "--hub", out + "/hub.db"] + timed))
        let location = try await PostgresServer.shared().freshDatabase().description
        try await cli.ok(["hub", "migrate", "--from", out + "/hub.db", "--to", location])
        let onServer = try await cli.ok(
            ["bench", "county", "--store", location, "--key-file", out + "/hub.db.key"] + timed)
        #expect(onServer.json?["county"]?.stringValue?.hasPrefix("postgres://") == true, "\(onServer.stdout)")
        let server = figures(onServer)
        #expect(server.counts.count == 4 && server.counts == onFile.counts)
        #expect(
            Set(server.reads.keys) == [
                "status", "hub conflicts", "hub report", "hub report year", "hub payroll", "show",
            ])
        #expect((server.reads["hub payroll"] ?? 0) > 0 && (server.reads["hub report"] ?? 0) > 0)
        for (read, returned) in server.reads { #expect(onFile.reads[read] == returned, "\(read)") }
        // Refused, with what to give instead.
        let both = try await cli.run(["bench", "county", "--hub", out + "/hub.db", "--store", location])
        #expect(both.status != 0 && both.stderr.contains("not both"), "\(both.stderr)")
        let keyless = try await cli.run(["bench", "county", "--store", location], environment: ["HEARTH_KEY_FILE": ""])
        #expect(keyless.status != 0 && keyless.stderr.contains("--key-file"), "\(keyless.stderr)")
        let file = try await cli.run(["bench", "county", "--store", out + "/hub.db"])
        #expect(file.status != 0 && file.stderr.contains("postgres://"), "\(file.stderr)")
    }

    @Test(
        "bench compact moves a generated county's whole log on a copy, beside the raw baseline, and leaves the hub as it was"
    )
    func compactBench() async throws {
        let cli = try CLIRunner()
        let out = cli.directory + "/county"
        try await cli.ok(["hub", "generate", "--profile", "small-county", "--scale", "0.01", "--out", out])
        let hub = out + "/hub.db"
        let before = try Data(contentsOf: URL(fileURLWithPath: hub))
        let result = try await cli.ok(["bench", "compact", "--hub", hub, "--lang", "en"])
        let line = result.stdout
        #expect(line.contains("compaction: "), "\(line)")
        #expect(line.contains("; 0 ops left in the log"), "\(line)")
        // As many ops archived as the baseline moved.
        let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        #expect(numbers.count >= 4 && numbers[0] > 0, "\(line)")
        #expect(line.contains("baseline: \(numbers[0]) ops moved"), "\(line)")
        // The compacted copy's chains verify from the checkpoints it signed (an empty log), and
        // whole, every op archived.
        #expect(line.contains("checkpoints signed; from them 0 ops in "), "\(line)")
        #expect(line.contains("whole chains \(numbers[0]) ops in "), "\(line)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: hub)) == before, "the hub itself was left as it was")
        let missing = try await cli.run(["bench", "compact", "--hub", cli.directory + "/none.db", "--lang", "en"])
        #expect(missing.status == 66)
    }

    @Test(
        "bench history: a node that compacts stays the size of its first year while one that keeps every op grows; one JSON document; bad ranges refused"
    )
    func historyBench() async throws {
        let cli = try CLIRunner()
        let result = try await cli.ok([
            "bench", "history", "--households", "40", "--members", "2", "--years", "3", "--retention-months", "6",
            "--json",
        ])
        let document = try #require(result.json)
        #expect(document["years"] == .integer(3) && document["records"] == .integer(120))
        guard case .array(let sizes)? = document["sizes"] else {
            Issue.record("no sizes: \(result.stdout)")
            return
        }
        #expect(sizes.count == 6, "two nodes, three year ends")
        // Six months of 120 ops stay in the compacting node's log; the other holds every op.
        let logged = sizes.compactMap { size -> (Bool, Int64)? in
            guard case .bool(let compacting)? = size["compacting"], let ops = size["logged_ops"]?.integerValue else {
                return nil
            }
            return (compacting, ops)
        }
        #expect(logged.filter { $0.0 }.map(\.1) == [720, 720, 720], "\(logged)")
        #expect(logged.filter { !$0.0 }.map(\.1) == [1_560, 3_000, 4_440], "\(logged)")
        // The hubs take the same months: nothing leaves a hub, what ages moves to its archive.
        guard case .array(let hubSizes)? = document["hub_sizes"] else {
            Issue.record("no hub sizes: \(result.stdout)")
            return
        }
        let hubs = hubSizes.compactMap { size -> (Bool, Int64, Int64)? in
            guard case .bool(let compacting)? = size["compacting"], let ops = size["logged_ops"]?.integerValue,
                let archived = size["archived_ops"]?.integerValue
            else { return nil }
            return (compacting, ops, archived)
        }
        #expect(hubs.count == 6, "\(hubSizes)")
        #expect(hubs.filter { $0.0 }.map(\.1) == [720, 720, 720], "\(hubs)")
        #expect(hubs.filter { $0.0 }.map(\.2) == [840, 2_280, 3_720], "\(hubs)")
        #expect(hubs.filter { !$0.0 }.map(\.1) == [1_560, 3_000, 4_440], "\(hubs)")
        #expect(hubs.filter { !$0.0 }.allSatisfy { $0.2 == 0 }, "\(hubs)")
        #expect((document["hub_growth_permille"]?.integerValue ?? 0) > 1_000)
        #expect(document["hub_ratio_permille"]?.integerValue != nil)
        let growth = document["compacting_growth_permille"]?.integerValue ?? 99_000
        let keeping = document["keeping_growth_permille"]?.integerValue ?? 0
        #expect(growth < 1_200 && keeping > 1_800, "compacting \(growth)‰, keeping \(keeping)‰")
        let text = try await cli.ok([
            "bench", "history", "--households", "10", "--members", "1", "--years", "1", "--lang", "en",
        ])
        #expect(text.stdout.contains("year 1, compacting: file"), "\(text.stdout)")
        #expect(text.stdout.contains("after 1 years (20 records"), "\(text.stdout)")
        #expect(text.stdout.contains("year 1, hub compacting: file"), "\(text.stdout)")
        #expect(text.stdout.contains("the hub: compacting"), "\(text.stdout)")
        let refused = try await cli.run(["bench", "history", "--years", "0", "--lang", "en"])
        #expect(refused.status == 2 && refused.stderr.contains("--years is 1 to 20"), "\(refused.stderr)")
    }
}
