import Foundation
import GRDB
import HearthCore

/// A node's copy of the index: one bitmap of the 16,384 prefixes in its `sync_state`
/// (`index_bitmap`, node v3), which a hub's database does not hold.
extension Replica {

    /// On a node: replaces the stored index with the hub's, in one write of 2 KiB however many
    /// prefixes it holds (a row per prefix made a county's whole index some 16,000 inserts).
    public func storeDuplicateIndex(version: String, prefixes: [Int]) throws(ReplicaError) {
        let bitmap = Data(DuplicateIndexBitmap.bitmap(of: prefixes))
        try writeBookkeeping { db in
            try db.execute(
                sql: "UPDATE sync_state SET index_bitmap = ?, index_version = ? WHERE id = 1",
                arguments: [bitmap, version])
        }
    }

    /// On a node: applies the hub's changes since the version kept (prefixes that gained their
    /// first live ID number, and those that lost their last) and keeps the new version.
    public func applyDuplicateIndexDelta(version: String, added: [Int], removed: [Int]) throws(ReplicaError) {
        try writeBookkeeping { db in
            var bitmap = try Self.indexBitmap(db)
            for prefix in removed { DuplicateIndexBitmap.set(prefix, in: &bitmap, to: false) }
            for prefix in added { DuplicateIndexBitmap.set(prefix, in: &bitmap, to: true) }
            try db.execute(
                sql: "UPDATE sync_state SET index_bitmap = ?, index_version = ? WHERE id = 1",
                arguments: [Data(bitmap), version])
        }
    }

    public func duplicateIndexVersion() throws(ReplicaError) -> String {
        try read { db in try String.fetchOne(db, sql: "SELECT index_version FROM sync_state WHERE id = 1") ?? "" }
    }

    /// The prefixes the node's copy holds, ascending.
    public func duplicateIndexPrefixes() throws(ReplicaError) -> [Int] {
        try read { db in DuplicateIndexBitmap.prefixes(in: try Self.indexBitmap(db)) }
    }

    /// Whether an ID number is possibly registered elsewhere in the county, by the index
    /// (offline): never certain, and never where or in what; the hub confirms or clears it
    /// at the next sync (R5).
    public func possiblyRegisteredElsewhere(idNumber clear: String) throws(ReplicaError) -> Bool {
        guard let prefix = DuplicateIndex.prefix(ofHash: keys.digest(clear)) else { return false }
        return try read { db in DuplicateIndexBitmap.contains(prefix, in: try Self.indexBitmap(db)) }
    }

    /// The stored bitmap; empty before the node first held an index.
    private static func indexBitmap(_ db: Database) throws -> [UInt8] {
        guard let data = try Data.fetchOne(db, sql: "SELECT index_bitmap FROM sync_state WHERE id = 1") else {
            return []
        }
        return [UInt8](data)
    }
}
