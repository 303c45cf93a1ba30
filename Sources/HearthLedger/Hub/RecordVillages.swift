import HearthCore
import HearthStore

/// The village each record lies in as the hub holds it now, read once per record for a pull.
package struct RecordVillages {
    let sql: any SQLStatements
    private var known: [String: DivisionCode?] = [:]

    /// How many ids one prefetching statement names.
    static let chunk = 500

    package init(_ sql: any SQLStatements) { self.sql = sql }

    package mutating func village(of record: String) throws -> DivisionCode? {
        if let village = known[record] { return village }
        guard let id = RecordID(record) else { return nil }
        let text = try sql.value("SELECT village FROM \(id.type.table) WHERE id = ?", [.text(record)])?.text
        let village = text.flatMap { try? DivisionCode.parse($0, field: "village") }
        known[record] = village
        return village
    }

    /// Reads the villages of `records` a few hundred to a statement, for the page about to ask
    /// for each.
    ///
    /// Why: a page asks for the village of every record it may send, one statement each.
    /// On SQLite that is a lookup in the same process; on PostgreSQL each was a round trip, and
    /// a night's pulls made one for every record they carried (15,400 of the 98,000 statements
    /// of a 30-village night's push, whose nodes pull as they push).
    package mutating func prefetch(_ records: some Sequence<String>) throws {
        var byType: [RecordType: [String]] = [:]
        for record in Set(records) where known[record] == nil {
            guard let id = RecordID(record) else { continue }
            byType[id.type, default: []].append(record)
        }
        for (type, ids) in byType.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            for id in ids { known[id] = .some(nil) }
            let statement = "SELECT id, village FROM \(type.table) WHERE id IN (\(SQLGroups.marks(Self.chunk)))"
            for group in SQLGroups.padded(ids, size: Self.chunk) {
                try sql.forEachRow(statement, group) { row in
                    guard let id = row[0].text else { return }
                    known[id] = .some(row[1].text.flatMap { try? DivisionCode.parse($0, field: "village") })
                }
            }
        }
    }
}
