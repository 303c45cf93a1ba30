import GRDB
import HearthCore

/// A node's copy of the index, in its own table (`duplicate_index`, which a hub's database
/// does not hold).
extension Replica {

    /// On a node: replaces the stored index with the hub's.
    public func storeDuplicateIndex(version: String, prefixes: [Int]) throws(ReplicaError) {
        try writeBookkeeping { db in
            try db.execute(sql: "DELETE FROM duplicate_index")
            let statement = try db.makeStatement(sql: "INSERT OR IGNORE INTO duplicate_index (prefix) VALUES (?)")
            for prefix in prefixes { try statement.execute(arguments: [prefix]) }
            try db.execute(sql: "UPDATE sync_state SET index_version = ? WHERE id = 1", arguments: [version])
        }
    }

    /// On a node: applies the hub's changes since the version kept (prefixes that gained their
    /// first live ID number, and those that lost their last) and keeps the new version.
    public func applyDuplicateIndexDelta(version: String, added: [Int], removed: [Int]) throws(ReplicaError) {
        try writeBookkeeping { db in
            let remove = try db.makeStatement(sql: "DELETE FROM duplicate_index WHERE prefix = ?")
            for prefix in removed { try remove.execute(arguments: [prefix]) }
            let add = try db.makeStatement(sql: "INSERT OR IGNORE INTO duplicate_index (prefix) VALUES (?)")
            for prefix in added { try add.execute(arguments: [prefix]) }
            try db.execute(sql: "UPDATE sync_state SET index_version = ? WHERE id = 1", arguments: [version])
        }
    }

    public func duplicateIndexVersion() throws(ReplicaError) -> String {
        try read { db in try String.fetchOne(db, sql: "SELECT index_version FROM sync_state WHERE id = 1") ?? "" }
    }

    /// Whether an ID number is possibly registered elsewhere in the county, by the index
    /// (offline): never certain, and never where or in what; the hub confirms or clears it
    /// at the next sync (R5).
    public func possiblyRegisteredElsewhere(idNumber clear: String) throws(ReplicaError) -> Bool {
        guard let prefix = DuplicateIndex.prefix(ofHash: keys.digest(clear)) else { return false }
        return try read { db in
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM duplicate_index WHERE prefix = ?)", arguments: [prefix]) ?? false
        }
    }
}
