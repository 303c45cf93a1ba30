import HearthCore
import HearthLedger
import Testing

/// A node's lag counted against a log a restored hub skipped positions in (``LogExtent``).
@Suite("A node's lag skips the positions a restored hub never gave out")
struct LogExtentTests {
    @Test("lag is end minus cursor on a log without skips, and never negative")
    func plain() {
        let log = LogExtent(end: 100)
        #expect(log.lag(from: 40) == 60)
        #expect(log.lag(from: 100) == 0)
        #expect(log.lag(from: 150) == 0)
    }

    @Test("after a restore's skip of 2^40, a node is behind by the ops, not by the skip")
    func restored() {
        let gap: Int64 = 1 << 40
        let log = LogExtent(end: 50 + gap + 7, skipped: [.init(after: 50, count: gap)])
        #expect(log.lag(from: 50) == 7, "pulled the whole backup: behind by what was logged since")
        #expect(log.lag(from: 30) == 27, "behind within the backup too")
        #expect(log.lag(from: 80) == 7, "a cursor past the backup's end (ops the restore lost)")
        #expect(log.lag(from: 50 + gap + 7) == 0)
    }

    @Test("seeded: the lag counts exactly the positions after the cursor that lie in no skip")
    func seeded() {
        let seed = UInt64.random(in: 1...UInt64.max)
        var generator = SplitMix64(seed: seed)
        for _ in 0..<300 {
            let end = Int64.random(in: 0...120, using: &generator)
            var skipped: [LogExtent.Skip] = []
            var at: Int64 = 0
            for _ in 0..<Int.random(in: 0...3, using: &generator) {
                at += Int64.random(in: 0...30, using: &generator)
                let count = Int64.random(in: 1...25, using: &generator)
                skipped.append(.init(after: at, count: count))
                at += count
            }
            let cursor = Int64.random(in: 0...130, using: &generator)
            let log = LogExtent(end: end, skipped: skipped.shuffled(using: &generator))
            let counted = (0..<max(0, end - cursor)).map { cursor + 1 + $0 }.filter { position in
                !skipped.contains { position > $0.after && position <= $0.after + $0.count }
            }.count
            #expect(log.lag(from: cursor) == Int64(counted), "seed \(seed): end \(end), cursor \(cursor), \(skipped)")
        }
    }
}
