import Foundation
import HearthClient
import HearthCore
import HearthLedger
import HearthStore

/// One simulated node replica: its file, the handle a running process would have (dropped
/// and reopened on a crash), its clock skew and what the network does to it.
final class SimNode {
    let index: Int
    let name: String
    let scope: ScopePrefix
    let path: String
    var replica: Replica
    /// The sync client's half of the protocol over this replica, as the running process
    /// holds it (with the hub clock offset it measured); made again on a restart.
    var session: SyncSession
    /// This node's clock minus the simulation's (±24 h at most).
    var skew: Int64
    /// Cut off from the hub: whatever it sends or is sent is lost.
    var partitioned = false
    /// The hub refused it as forked, or it found itself behind the hub's count of its ops:
    /// it re-identifies before it syncs again.
    var needsReidentify = false
    /// How many times it re-identified (names its new enrollment).
    var identities = 1
    /// A copy of another node's database file (a laptop cloned to a second machine).
    let cloneOf: Int?
    /// Starts from the hub's snapshot of its scope while it has pulled nothing (a laptop that
    /// joined the county late, or re-identified, as `hearth node sync` does by default);
    /// otherwise it replays the scope's history (`--replay`).
    var startsFromSnapshot = false
    /// Told `409 snapshot_required` by a pull (compaction archived what it would pull): it
    /// takes the snapshot next, as `hearth node sync` does.
    var needsSnapshot = false

    /// Whether its next exchange is for the snapshot: told `snapshot_required`, or a pulled op
    /// changed a record it let go with an archived household (``Replica/snapshotWanted()``).
    var wantsSnapshot: Bool { needsSnapshot || (try? replica.snapshotWanted()) == true }

    init(index: Int, name: String, scope: ScopePrefix, path: String, replica: Replica, skew: Int64, cloneOf: Int? = nil)
        throws
    {
        self.index = index
        self.name = name
        self.scope = scope
        self.path = path
        self.replica = replica
        self.skew = skew
        self.cloneOf = cloneOf
        session = try SyncSession(replica: replica)
    }

    /// The villages this node may create households in.
    var villages: [String] {
        switch scope.level {
        case .village: return [scope.value]
        default: return SimTopology.scopes.filter { $0.count == 12 && $0.hasPrefix(scope.value) }
        }
    }

    /// Drops the handle and opens the file again, as a restarted process would.
    func restart() throws {
        replica = try Replica.open(path: path)
        session = try SyncSession(replica: replica)
    }
}
