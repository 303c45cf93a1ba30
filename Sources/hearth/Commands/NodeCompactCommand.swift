import ArgumentParser
import Foundation
import HearthCore
import HearthStore

/// `hearth node compact`: what the hub holds of a node's log, older than the retention, leaves
/// it (docs/compaction.md, "On a node"). `hearth node sync` does the same after every sync.
struct NodeCompact: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: L("cmd.node.compact.abstract"),
        discussion: L("cmd.node.compact.discussion"))
    @OptionGroup var replica: ReplicaOptions
    @Option(help: .text("opt.node.compact.retention_months")) var retentionMonths: Int?
    @Option(help: .text("opt.hub.compact.batch")) var batch = 20_000
    @Flag(help: .text("opt.json")) var json = false

    func run() throws {
        try guarded {
            var retentionMillis: Int64?
            if let retentionMonths {
                let range = CountySetting.retentionRange
                guard range.contains(retentionMonths) else {
                    throw InputError(
                        field: "retention-months", "setting.months",
                        ["name": "--retention-months", "low": "\(range.lowerBound)", "high": "\(range.upperBound)"])
                }
                retentionMillis = Int64(retentionMonths) * Replica.monthMillis
            }
            guard batch >= 1 else { throw InputError(field: "batch", "input.compact_batch") }
            let node = try replica.openNode()
            let months = try retentionMonths ?? node.withStatements { try Replica.retentionMonths($0) }
            let now = nowMillis()
            var removed = 0
            var purged = 0
            var last: NodeCompaction
            repeat {
                last = try node.compactLog(retentionMillis: retentionMillis, nowMillis: now, limit: batch)
                removed += last.removed
                purged += last.purged
            } while last.more && (last.removed > 0 || last.purged > 0)
            let document = NodeCompactionDocument(
                retentionMonths: months, removed: removed, purged: purged, last: last)
            if json {
                try Output.json(document)
                return
            }
            print(
                L(
                    "node.compacted",
                    [
                        "removed": removed, "months": months, "through": last.agedThrough, "kept": last.kept,
                        "logged": last.logged,
                    ]))
            if purged > 0 { print(L("node.purged", ["records": purged])) }
        }
    }
}
