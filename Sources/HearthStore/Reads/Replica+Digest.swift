import Crypto
import GRDB
import HearthCore

extension ReplicaCore {
    /// The tables whose bytes must agree between replicas holding the same ops.
    public static let digestTables = RecordType.allCases.map(\.table) + ["record_meta"]

    /// A SHA-256 over the stored state tables, rows in id order, every column's stored
    /// value. Two replicas that applied the same ops in any order have equal digests; the
    /// sealed columns differ only if the ops did. Local bookkeeping (log order, waits) is left out.
    public func stateDigest() throws(ReplicaError) -> String {
        try read { db in try Self.stateDigest(SQLiteStatements(db)) }
    }

    /// ``stateDigest()`` over a transaction's statements, on either database: the same rows
    /// give the same digest on both (a hub moved to PostgreSQL is checked against its file).
    ///
    /// Read a page of rows at a time, by id: a county's members are hundreds of thousands of
    /// rows, and a server answers a query whole.
    package static func stateDigest(_ sql: any SQLStatements) throws -> String {
        var hasher = SHA256()
        let page = 2_000
        for table in digestTables {
            hasher.update(data: Array("table \(table)\n".utf8))
            let columns = try sql.columns(of: table)
            guard let id = columns.firstIndex(of: "id") else {
                throw ReplicaError.database("the table \(table) has no id column")
            }
            var after: String?
            while true {
                let rows = try sql.rows(
                    "SELECT * FROM \(table)\(after == nil ? "" : " WHERE id > ?") ORDER BY id LIMIT \(page)",
                    after.map { [.text($0)] } ?? [])
                for row in rows {
                    for (column, value) in zip(columns, row) {
                        hasher.update(data: Array("\(column)=\(value.storageDescription)\u{1F}".utf8))
                    }
                    hasher.update(data: [0x0A])
                }
                guard rows.count == page, let last = rows.last?[id].text else { break }
                after = last
            }
        }
        return Hex.encode(hasher.finalize())
    }
}

extension DatabaseValue {
    /// As ``SQLValue/storageDescription`` writes it: one spelling for the digest on both databases.
    package var storageDescription: String { SQLValue(self).storageDescription }
}
