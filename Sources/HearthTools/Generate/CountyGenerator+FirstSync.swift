import HearthCore
import HearthLedger
import HearthStore

extension CountyGenerator {
    /// Leaves a generated node and the hub as a first sync over the network would: the hub
    /// keeps the node's chain head with the node's signature of it, and the node has pulled its
    /// scope of the hub's log to its end.
    ///
    /// Why: a township's ops go into the hub directly, which leaves the hub's `nodes` row saying
    /// it holds none of them. The node's first real sync then took the hub for one restored from
    /// a backup, sent every op again (35,848 for a township of the full large district, all
    /// duplicates), and installed its scope's snapshot because it had never pulled: 3.9 s and
    /// 4.4 MB that no county's nightly sync spends, in every measurement started from a
    /// generated county (45 ms and 415 bytes now). Both halves go through the paths a sync
    /// takes (``HubLedger/acceptPush`` with the head op sent again, ``HubLedger/pull`` applied by
    /// ``Replica/applyPulled``), only without HTTP, so what the hub and the node record is what
    /// they would after a sync.
    ///
    /// `head` is the node's last own op (nil when it wrote none), which the hub holds already.
    static func recordFirstSync(
        of node: Replica, as record: NodeRecord, head: Op?, with hub: HubLedger, nowMillis: Int64
    ) async throws {
        if let head {
            // Sent again, the op counts as a duplicate and is judged by nothing (so the field
            // check below is never asked); the hub's head moves to it with the node's signature.
            _ = try await hub.acceptPush(
                from: record, ops: [head],
                headSignature: try node.signChainHead(counter: head.dot.counter, hash: head.hash), nowMillis: nowMillis
            ) { _ in nil }
        }
        var cursor = try node.syncState().pullCursor
        while true {
            let page = try await hub.pull(
                for: record, cursor: cursor, maxOps: 2_000, nowMillis: nowMillis, entriesAsStates: true)
            try node.applyPulled(
                page.ops, entered: page.entered, cursor: page.cursor, nowMillis: nowMillis,
                stamps: hub.stamps(of: page.ops, retired: page.retired), retired: page.retired)
            cursor = page.cursor
            if !page.more { break }
        }
        try await hub.confirmPulled(node: record.replica, cursor: cursor, nowMillis: nowMillis)
    }
}
