import ArgumentParser
import Foundation
import HearthSim
import HearthText

struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: L("cmd.sim.abstract"), discussion: L("cmd.sim.discussion"))
    @Option(help: .text("opt.sim.seeds")) var seeds: Int = 20
    @Option(name: .customLong("start-seed"), help: .text("opt.sim.start_seed")) var startSeed: UInt64 = 1
    @Option(help: .text("opt.sim.replicas")) var replicas: Int = 5
    @Option(help: .text("opt.sim.steps")) var steps: Int = 200
    @Flag(inversion: .prefixedNo, help: .text("opt.sim.restores")) var restores = true
    @Flag(help: .text("opt.sim.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            // A --json document holds signed 64-bit integers only (the canonical form).
            if json, startSeed > UInt64(Int64.max) - UInt64(max(0, seeds)) {
                throw CLIError.usage(L("error.sim.json_seeds"))
            }
            var failed = 0
            var totals: [String: Int] = [:]
            let start = Date()
            let progress = ProgressLine(quiet: json)
            for seed in startSeed..<(startSeed + UInt64(max(0, seeds))) {
                progress.update(
                    L(
                        "sim.progress",
                        ["seed": seed, "number": seed - startSeed + 1, "seeds": seeds, "failed": failed]))
                let result = await Simulation.run(
                    SimOptions(seed: seed, replicas: replicas, steps: steps, restores: restores))
                if !result.passed { progress.finish() }
                for (name, value) in result.counters { totals[name, default: 0] += value }
                if json {
                    try Output.json(
                        SimSeedDocument(
                            seed: seed, passed: result.passed, trace: result.traceHash,
                            failures: Int64(result.failures.count)))
                } else if !result.passed {
                    print(L("sim.failed", ["seed": seed]))
                    for failure in result.failures.prefix(10) { print("  \(failure)") }
                }
                if !result.passed {
                    failed += 1
                    // With --json, standard output holds the documents only.
                    if json {
                        printError(
                            L(
                                "sim.failed_reproduce",
                                ["seed": seed, "command": result.options.reproduceCommand]))
                    } else {
                        print(L("sim.reproduce", ["command": result.options.reproduceCommand]))
                    }
                }
            }
            progress.finish()
            if !json {
                print(
                    L(
                        "sim.summary",
                        [
                            "seeds": seeds, "start": startSeed, "failed": failed,
                            "seconds": String(format: "%.1f", Date().timeIntervalSince(start)),
                        ]))
                for (name, value) in totals.sorted(by: { $0.key < $1.key }) {
                    print(L("sim.counter.line", ["name": Self.counterName(name), "value": value]))
                }
            }
            if failed > 0 { throw CLIError.seedsFailed(failed) }
        }
    }

    /// A counter of the simulation (named in English by HearthSim, `messages dropped`) as the
    /// reader's language names it: the entry `sim.counter.messages_dropped`, else the name itself.
    static func counterName(_ name: String) -> String {
        let key = "sim.counter." + String(name.map { $0.isLetter || $0.isNumber ? $0 : "_" })
        return Catalogue.entries(.en)[key] == nil ? name : L(key)
    }
}
