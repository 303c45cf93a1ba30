import Foundation
import HearthCore
import HearthLedger
import HearthLedgerSQLite
import HearthStore

/// `hearth bench history`: a village laptop's database through years of monthly edits, with
/// and without compaction (docs/compaction.md, On a node), in the same run.
///
/// A field worker's node edits every household's phone and every member's note once a month,
/// on a simulated calendar; two nodes of the same village take each month's ops (as a night's
/// pull brings them): one compacts its log after it, as `hearth node sync` does, the other
/// keeps every op. (A node's own ops leave under the same rule once the hub acknowledged
/// them the retention ago: `NodeCompactionTests`.) Sizes are read at each year's end:
/// the file, and the pages in use (a deleted op's pages are reused, so the file stays near
/// its largest working set while what is in use is what the data needs).
///
/// The county hub takes the same months too, twice: one hub compacts after each month, as a
/// nightly `hearth hub compact` does, moving what aged to its archive in the same store; the
/// other keeps every op in its log. The village's node pulls every night, so it holds nothing
/// back. Nothing leaves a hub (the archive keeps the whole history), so a hub grows with the
/// years either way; what compaction bounds there is the log that pulls read.
struct HistoryBench {
    let directory: String
    let households: Int
    let membersPerHousehold: Int
    let years: Int
    let retentionMonths: Int
    let say: (String) -> Void

    /// One node's size at one year's end.
    struct Size: Sendable, Equatable {
        let year: Int
        let compacting: Bool
        let fileBytes: Int
        let usedBytes: Int
        let loggedOps: Int
        /// Ops in a hub's archive (0 on a node).
        var archivedOps = 0
    }

    /// The nodes' sizes and the hubs' at each year's end.
    struct Sizes: Sendable, Equatable {
        var nodes: [Size] = []
        var hubs: [Size] = []
    }

    static let village = "421281101001"
    /// 2026-11-01, the calendar the months run on.
    static let start: Int64 = 1_793_462_400_000
    static let month: Int64 = 30 * 86_400_000

    func run() async throws -> Sizes {
        let scope = try ScopePrefix.parse(Self.village, field: "scope")
        let village = try DivisionCode.parse(Self.village, field: "village")
        let keys = KeyMaterial.generate()
        func make(_ name: String) throws -> Replica {
            try Replica.create(
                path: directory + "/\(name).db", name: name, scope: scope, nowMillis: Self.start,
                keys: keys.withNewSigningKey())
        }
        let writer = try make("field")
        let nodes: [(compacting: Bool, replica: Replica)] = [
            (true, try make("compacting")), (false, try make("keeping")),
        ]
        let (records, created) = try writer.write(author: "bench", nowMillis: Self.start) { changes in
            var ids: [RecordID] = []
            for number in 0..<households {
                let home = try changes.create(
                    .household, village: village,
                    fields: [
                        "address": .text("\(number % 40 + 1)组\(number / 40 + 1)号"), "type": .text("rural"),
                        "status": .text("active"),
                    ])
                ids.append(home)
                for position in 0..<membersPerHousehold {
                    ids.append(
                        try changes.create(
                            .member, village: village,
                            fields: [
                                "household": .text(home.value), "name": .text("居民\(number)-\(position)"),
                                "relation": .text(position == 0 ? "head" : "child"), "vital_status": .text("alive"),
                            ]))
                }
            }
            return ids
        }
        for node in nodes { try node.replica.integrate(created, nowMillis: Self.start) }
        let county = try ScopePrefix.parse(String(Self.village.prefix(6)), field: "scope")
        let hubs: [(compacting: Bool, ledger: HubLedger)] = [
            (
                true,
                try HubLedger.create(
                    path: directory + "/hub-compacting.db", name: "hub", scope: county, nowMillis: Self.start,
                    keys: keys.withNewSigningKey())
            ),
            (
                false,
                try HubLedger.create(
                    path: directory + "/hub-keeping.db", name: "hub", scope: county, nowMillis: Self.start,
                    keys: keys.withNewSigningKey())
            ),
        ]
        for hub in hubs { try hub.ledger.replica.integrate(created, nowMillis: Self.start) }
        var archived = 0
        var sizes = Sizes()
        for month in 1...(years * 12) {
            let now = Self.start + Int64(month) * Self.month
            // The field worker's month, pulled by both nodes in the night's sync.
            let (_, ops) = try writer.write(author: "bench", nowMillis: now) { changes in
                for (position, id) in records.enumerated() {
                    if id.type == .household {
                        let phone = "139" + String(format: "%04d%04d", month, position % 10_000)
                        try changes.update(id, fields: ["phone": .text(phone)])
                    } else {
                        try changes.update(id, fields: ["note": .text("\(month) 月走访")])
                    }
                }
            }
            for node in nodes {
                try node.replica.integrate(ops, nowMillis: now)
                guard node.compacting else { continue }
                var report: NodeCompaction
                repeat {
                    report = try node.replica.compactLog(
                        retentionMillis: Int64(retentionMonths) * Replica.monthMillis, nowMillis: now)
                } while report.more && report.removed > 0
            }
            for hub in hubs {
                try hub.ledger.replica.integrate(ops, nowMillis: now)
                guard hub.compacting else { continue }
                var report: CompactionReport
                repeat {
                    report = try await hub.ledger.compact(
                        CompactionPlan(retentionMonths: retentionMonths, nowMillis: now))
                } while report.more && report.archived > 0
                archived = report.inArchive
            }
            guard month % 12 == 0 else { continue }
            let replicas: [(hub: Bool, compacting: Bool, core: ReplicaCore)] =
                nodes.map { (false, $0.compacting, $0.replica) }
                + (try hubs.map { (true, $0.compacting, try $0.ledger.replica) })
            for replica in replicas {
                var size = try Self.size(replica.core, year: month / 12, compacting: replica.compacting)
                size.archivedOps = replica.hub && replica.compacting ? archived : 0
                if replica.hub { sizes.hubs.append(size) } else { sizes.nodes.append(size) }
                say(
                    L(
                        replica.hub ? "bench.history.hub_year" : "bench.history.year",
                        [
                            "year": size.year,
                            "node": L(replica.compacting ? "bench.history.compacting" : "bench.history.keeping"),
                            "file": size.fileBytes / 1024 / 1024, "used": size.usedBytes / 1024 / 1024,
                            "ops": size.loggedOps, "archived": size.archivedOps,
                        ]))
            }
        }
        // Compaction changes no state: both nodes hold the same records alike.
        guard try nodes[0].replica.stateDigest() == nodes[1].replica.stateDigest() else {
            throw CLIError.failed(L("error.bench.history.differ"))
        }
        guard try hubs[0].ledger.replica.stateDigest() == hubs[1].ledger.replica.stateDigest() else {
            throw CLIError.failed(L("error.bench.history.differ"))
        }
        return sizes
    }

    /// The node's file (after a checkpoint) and the pages in use in it.
    static func size(_ replica: ReplicaCore, year: Int, compacting: Bool) throws -> Size {
        let size = try replica.storageSize()
        return Size(
            year: year, compacting: compacting, fileBytes: size.fileBytes, usedBytes: size.usedBytes,
            loggedOps: size.loggedOps)
    }
}
