import Crypto
import Foundation
import GRDB
import HearthCore

extension ReplicaCore {
    /// On the hub: the county's live ID numbers as prefixes of their keyed hashes (no
    /// township, no program: what a node holds says only "possibly registered elsewhere"),
    /// ascending, and a version that changes when the set does.
    public func duplicateIndex() throws(ReplicaError) -> (version: String, prefixes: [Int]) {
        let hashes: [String] = try read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT substr(id_number_hash, 1, 4) FROM members
                    WHERE vital_status = 'alive' AND id_number_hash IS NOT NULL
                    """)
        }
        let prefixes = Set(hashes.compactMap(DuplicateIndex.prefix(ofHash:))).sorted()
        var hasher = SHA256()
        let text = "\(DuplicateIndex.prefixBits)|" + prefixes.map(String.init).joined(separator: ",")
        hasher.update(data: Data(text.utf8))
        return (String(Hex.encode(hasher.finalize()).prefix(16)), prefixes)
    }
}

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
