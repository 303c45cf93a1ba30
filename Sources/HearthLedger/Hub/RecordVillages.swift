import HearthCore
import HearthStore

/// The village each record lies in as the hub holds it now, read once per record for a pull.
package struct RecordVillages {
    let sql: any SQLStatements
    private var known: [String: DivisionCode?] = [:]

    package init(_ sql: any SQLStatements) { self.sql = sql }

    package mutating func village(of record: String) throws -> DivisionCode? {
        if let village = known[record] { return village }
        guard let id = RecordID(record) else { return nil }
        let text = try sql.value("SELECT village FROM \(id.type.table) WHERE id = ?", [.text(record)])?.text
        let village = text.flatMap { try? DivisionCode.parse($0, field: "village") }
        known[record] = village
        return village
    }
}
