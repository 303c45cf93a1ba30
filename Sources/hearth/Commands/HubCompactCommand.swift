import ArgumentParser
import HearthCore
import HearthLedger
import HearthStore

/// `hearth hub compact`: the hub's log keeps what nodes may still need, and the rest moves to
/// its archive (docs/compaction.md). Run it nightly after the nodes' syncs; a node away longer
/// than the retention starts from a snapshot when it comes back.
struct HubCompact: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact", abstract: L("cmd.hub.compact.abstract"), discussion: L("cmd.hub.compact.discussion"))
    @OptionGroup var replica: HubReplicaOptions
    @Option(help: .text("opt.hub.compact.retention_months")) var retentionMonths: Int?
    @Option(help: .text("opt.hub.compact.batch")) var batch = 20_000
    @Flag(help: .text("opt.json")) var json = false

    func run() async throws {
        try await guardedAsync {
            let hub = try await replica.open()
            let months: Int
            if let retentionMonths {
                let range = CountySetting.retentionRange
                guard range.contains(retentionMonths) else {
                    throw InputError(
                        field: "retention-months", "setting.months",
                        ["name": "--retention-months", "low": "\(range.lowerBound)", "high": "\(range.upperBound)"])
                }
                months = retentionMonths
            } else {
                let setting = CountySetting.retentionMonths
                let entries = try await hub.reading { try $0.settings() }
                let value = entries.first { $0.setting == setting }?.value ?? setting.defaultValue
                months = Int(value) ?? Int(setting.defaultValue) ?? 24
            }
            guard batch >= 1 else {
                throw InputError(field: "batch", "input.compact_batch")
            }
            let now = nowMillis()
            var archived = 0
            var checkpoints = 0
            var last: CompactionReport
            repeat {
                last = try await hub.compact(CompactionPlan(retentionMonths: months, nowMillis: now, limit: batch))
                archived += last.archived
                checkpoints += last.checkpoints
            } while last.more && last.archived > 0
            let document = CompactionDocument(
                retentionMonths: months, archived: archived, checkpoints: checkpoints, last: last)
            if json {
                try Output.json(document)
                return
            }
            print(
                L(
                    "hub.compacted",
                    [
                        "archived": archived, "months": months, "through": last.agedThrough,
                        "active": last.activeNodes, "inactive": last.inactiveNodes, "logged": last.logged,
                        "archive": last.inArchive, "checkpoints": checkpoints,
                    ]))
        }
    }
}
