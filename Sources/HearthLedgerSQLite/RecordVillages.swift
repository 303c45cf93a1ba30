import GRDB
import HearthCore

/// The village each record lies in as the hub holds it now, read once per record for a pull.
package struct RecordVillages {
    let db: Database
    private var known: [String: DivisionCode?] = [:]

    package init(db: Database) { self.db = db }

    package mutating func village(of record: String) throws -> DivisionCode? {
        if let village = known[record] { return village }
        guard let id = RecordID(record) else { return nil }
        let text = try String.fetchOne(
            db.cachedStatement(sql: "SELECT village FROM \(id.type.table) WHERE id = ?"), arguments: [record])
        let village = text.flatMap { try? DivisionCode.parse($0, field: "village") }
        known[record] = village
        return village
    }
}
