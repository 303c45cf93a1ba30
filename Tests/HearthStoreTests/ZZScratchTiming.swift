import Foundation
import HearthCore
import HearthStore
import Testing

@Test func scratchMergePropertyTiming() throws {
    var gen = Duration.zero, creates = Duration.zero, total = Duration.zero
    var opsN = 0
    for seed in 1...30 as ClosedRange<UInt64> {
        let t0 = ContinuousClock.now
        var rng = SplitMix64(seed: seed)
        let lab = try MergeLab()
        let h = try OpHistoryGenerator.generate(lab: lab, rng: &rng)
        gen += ContinuousClock.now - t0
        opsN += h.ops.count
        let t1 = ContinuousClock.now
        for _ in 0..<3 { _ = try lab.replica(MergeLab.county) }
        creates += ContinuousClock.now - t1
        _ = MergeProperty.run(seed: seed)
        total += ContinuousClock.now - t0
    }
    print("gen:", gen, "3 creates:", creates, "total:", total, "ops", opsN)
}
