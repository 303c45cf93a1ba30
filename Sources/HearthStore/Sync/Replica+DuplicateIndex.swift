import Crypto
import Foundation
import GRDB
import HearthCore

extension Replica {
    /// On the hub: the county's live ID numbers as 20-bit hash prefixes with township and
    /// programs, and a version that changes when the index does.
    public func duplicateIndex() throws(ReplicaError) -> (version: String, entries: [(prefix: String, township: String, programs: [String])]) {
        let entries: [(prefix: String, township: String, programs: [String])] = try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT substr(m.id_number_hash, 1, 5) AS prefix, substr(m.village, 1, 9) AS township,
                           group_concat(DISTINCT e.program) AS programs
                    FROM members m LEFT JOIN enrollments e ON e.member = m.id AND e.status != 'exited'
                    WHERE m.vital_status = 'alive' AND m.id_number_hash IS NOT NULL
                    GROUP BY prefix, township ORDER BY prefix, township
                    """
            ).map { row in
                let programs = (row["programs"] as String?)?.split(separator: ",").map(String.init).sorted() ?? []
                return (row["prefix"], row["township"], programs)
            }
        }
        var hasher = SHA256()
        for entry in entries { hasher.update(data: Data("\(entry.prefix)|\(entry.township)|\(entry.programs.joined(separator: ","))\n".utf8)) }
        return (String(Hex.encode(hasher.finalize()).prefix(16)), entries)
    }

    /// On a node: replaces the stored index with the hub's.
    public func storeDuplicateIndex(version: String, entries: [(prefix: String, township: String, programs: [String])])
        throws(ReplicaError)
    {
        try writeBookkeeping { db in
            try db.execute(sql: "DELETE FROM duplicate_index")
            let statement = try db.makeStatement(sql: "INSERT OR REPLACE INTO duplicate_index (prefix, township, programs) VALUES (?, ?, ?)")
            for entry in entries {
                try statement.execute(arguments: [entry.prefix, entry.township, entry.programs.joined(separator: ",")])
            }
            try db.execute(sql: "UPDATE sync_state SET index_version = ? WHERE id = 1", arguments: [version])
        }
    }

    public func duplicateIndexVersion() throws(ReplicaError) -> String {
        try read { db in try String.fetchOne(db, sql: "SELECT index_version FROM sync_state WHERE id = 1") ?? "" }
    }

    /// Where else an ID number may be registered, by the county's index (offline). Never
    /// certain: a hit is "possibly", confirmed or cleared by the hub at the next sync.
    public func possibleRegistrations(ofIDNumber clear: String) throws(ReplicaError) -> [(township: String, programs: [String])] {
        let prefix = String(keys.digest(clear).prefix(5))
        return try read { db in
            try Row.fetchAll(db, sql: "SELECT township, programs FROM duplicate_index WHERE prefix = ? ORDER BY township", arguments: [prefix])
                .map { row in ((row["township"] as String), (row["programs"] as String).split(separator: ",").map(String.init)) }
        }
    }
}
