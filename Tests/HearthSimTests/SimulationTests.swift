import Foundation
import HearthSim
import Testing

@Suite("Deterministic simulation: the county converges and loses nothing under faults")
struct SimulationTests {
    /// CI runs this many seeds; `HEARTH_SIM_SEEDS` and `HEARTH_SIM_START` change it, and
    /// `hearth sim --seeds N --start-seed S` runs more.
    static let seeds: Int = Int(ProcessInfo.processInfo.environment["HEARTH_SIM_SEEDS"] ?? "") ?? 200
    static let start: UInt64 = UInt64(ProcessInfo.processInfo.environment["HEARTH_SIM_START"] ?? "") ?? 1

    @Test("every seed converges with every invariant holding, and the faults really happened")
    func manySeeds() {
        var totals: [String: Int] = [:]
        var failed: [String] = []
        for seed in Self.start..<(Self.start + UInt64(Self.seeds)) {
            let result = Simulation.run(SimOptions(seed: seed))
            for (name, value) in result.counters { totals[name, default: 0] += value }
            if !result.passed {
                failed.append("seed \(seed): \(result.failures.prefix(3).joined(separator: "; ")) — reproduce: \(result.options.reproduceCommand)")
            }
        }
        #expect(failed.isEmpty, "\(failed.count) seeds failed:\n\(failed.prefix(10).joined(separator: "\n"))")
        print("simulation totals over \(Self.seeds) seeds: \(totals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
        // A simulation whose faults never fired proves nothing: each kind must have happened.
        for fault in [
            "messages dropped", "messages duplicated", "messages reordered", "messages truncated", "hub crashes mid-apply",
            "node crashes mid-apply", "partitions", "databases copied", "forks detected", "re-identifications",
            "nodes with a skewed clock", "conflicts resolved at the desk", "field edits",
        ] where Self.seeds >= 50 {
            #expect((totals[fault] ?? 0) > 0, "no \(fault) in \(Self.seeds) seeds")
        }
    }

    @Test("one seed run twice gives the same trace hash; another seed another")
    func deterministic() {
        let first = Simulation.run(SimOptions(seed: 4242))
        let second = Simulation.run(SimOptions(seed: 4242))
        let other = Simulation.run(SimOptions(seed: 4243))
        #expect(!first.traceHash.isEmpty)
        #expect(first.traceHash == second.traceHash)
        #expect(first.counters == second.counters)
        #expect(first.traceHash != other.traceHash)
    }
}
