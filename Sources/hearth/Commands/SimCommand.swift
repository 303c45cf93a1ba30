import ArgumentParser
import Foundation
import HearthSim

struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the deterministic simulation: a hub and nodes under faults, then every invariant checked.",
        discussion: """
            Each seed runs a county (a hub and --replicas nodes) in one process on real SQLite files, with the
            production merge and hub code, over a network that drops, duplicates, reorders and truncates messages,
            partitions nodes, crashes replicas part-way through a batch, skews clocks by up to a day and copies a
            node's database to a second machine. Then the faults stop, everyone syncs, and the run checks: identical
            state per scope, nothing acknowledged lost, nothing applied twice, every conflict at the desk, no payable
            enrollment of a deceased member, every resolution everywhere. A seed replays exactly: a failing seed prints
            the command that reproduces it. Exit 1 when any seed fails.
            """)
    @Option(help: "How many seeds to run.") var seeds: Int = 20
    @Option(name: .customLong("start-seed"), help: "The first seed.") var startSeed: UInt64 = 1
    @Option(help: "Node replicas besides the hub (1 to 8).") var replicas: Int = 5
    @Option(help: "Steps with faults per seed.") var steps: Int = 200
    @Flag(help: "Print one JSON line per seed.") var json = false

    func run() async throws {
        try await guardedAsync {
            // A --json document holds signed 64-bit integers only (the canonical form).
            if json, startSeed > UInt64(Int64.max) - UInt64(max(0, seeds)) {
                throw CLIError.usage("with --json, seeds must stay below 2^63: give a smaller --start-seed")
            }
            var failed = 0
            var totals: [String: Int] = [:]
            let start = Date()
            let progress = ProgressLine(quiet: json)
            for seed in startSeed..<(startSeed + UInt64(max(0, seeds))) {
                progress.update("seed \(seed) (\(seed - startSeed + 1) of \(seeds)), \(failed) failed so far")
                let result = await Simulation.run(SimOptions(seed: seed, replicas: replicas, steps: steps))
                if !result.passed { progress.finish() }
                for (name, value) in result.counters { totals[name, default: 0] += value }
                if json {
                    try Output.json(
                        SimSeedDocument(
                            seed: seed, passed: result.passed, trace: result.traceHash,
                            failures: Int64(result.failures.count)))
                } else if !result.passed {
                    print("seed \(seed) FAILED:")
                    for failure in result.failures.prefix(10) { print("  \(failure)") }
                }
                if !result.passed {
                    failed += 1
                    // With --json, standard output holds the documents only.
                    if json {
                        printError("seed \(seed) failed; reproduce: \(result.options.reproduceCommand)")
                    } else {
                        print("  reproduce: \(result.options.reproduceCommand)")
                    }
                }
            }
            progress.finish()
            if !json {
                print(
                    String(
                        format: "%d seeds from %llu, %d failed, in %.1f s", seeds, startSeed, failed,
                        Date().timeIntervalSince(start)))
                for (name, value) in totals.sorted(by: { $0.key < $1.key }) { print("  \(name): \(value)") }
            }
            if failed > 0 { throw CLIError.seedsFailed(failed) }
        }
    }
}
