import GRDB

extension Replica {
    /// On a node: the hub's clock minus this node's, as last measured from a signed answer of
    /// the hub, so the first request of a sync is already corrected (Protocol/sync.md, Clocks).
    /// Nil until the hub first answered. Only requests are corrected: ops keep the node's clock.
    public func hubClockOffset() throws(ReplicaError) -> Int64? {
        try read { db in try Int64.fetchOne(db, sql: "SELECT hub_offset_millis FROM sync_state WHERE id = 1") }
    }

    public func recordHubClockOffset(_ offsetMillis: Int64) throws(ReplicaError) {
        try writeBookkeeping { db in
            try db.execute(sql: "UPDATE sync_state SET hub_offset_millis = ? WHERE id = 1", arguments: [offsetMillis])
        }
    }
}
