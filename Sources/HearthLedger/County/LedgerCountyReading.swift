import HearthCore
import HearthStore

/// ``CountyReading`` over the statements of the transaction it was made for (a read, or the
/// write of an edit: ``LedgerCountyEditing``), on either of the hub's databases; never kept
/// beyond it. The record tables hold what was committed before the transaction: an edit's own
/// records reach them when it finishes.
package class LedgerCountyReading: CountyReading {
    package let sql: any SQLStatements

    package init(_ sql: any SQLStatements) {
        self.sql = sql
    }

    package func household(_ id: RecordID) throws -> HouseholdEntry? {
        try households(where: "id = ?", [.text(id.value)]).first
    }

    package func households(_ ids: [RecordID]) throws -> [HouseholdEntry] {
        guard !ids.isEmpty else { return [] }
        return try households(where: Self.anyOf(sql.dialect), [.text(Self.jsonArray(ids))])
    }

    private func households(where condition: String, _ arguments: [SQLValue]) throws -> [HouseholdEntry] {
        try sql.rows(Self.householdsSQL(where: condition), arguments).compactMap { row in
            guard let id = row[0].text.flatMap(RecordID.init) else { return nil }
            return HouseholdEntry(
                id: id, status: row[1].text, type: row[2].text, head: row[3].text, payee: row[4].text,
                accountName: row[5].text, bankCard: Self.sealed(row[6].text, row[7].text))
        }
    }

    /// One pass over the enrollments, their narrowest columns (``rollAccountHolders()``).
    package static let rollAccountHoldersSQL = "SELECT household, member, program FROM enrollments"

    package func rollAccountHolders() throws -> (households: [String], members: [String]) {
        var households: Set<String> = []
        var members: Set<String> = []
        try sql.forEachRow(Self.rollAccountHoldersSQL, []) { row in
            if let household = row[0].text { households.insert(household) }
            if let member = row[1].text, !(row[2].text.flatMap(Program.init(rawValue:))?.isHouseholdProgram ?? false) {
                members.insert(member)
            }
        }
        return (Array(households), Array(members))
    }

    package func member(_ id: RecordID) throws -> MemberEntry? {
        try members(where: "id = ?", [.text(id.value)]).first
    }

    package func members(_ ids: [RecordID]) throws -> [MemberEntry] {
        guard !ids.isEmpty else { return [] }
        return try members(where: Self.anyOf(sql.dialect), [.text(Self.jsonArray(ids))])
    }

    private func members(where condition: String, _ arguments: [SQLValue]) throws -> [MemberEntry] {
        var dates = [String: CivilDate?]()
        func date(_ text: String?) -> CivilDate? {
            guard let text else { return nil }
            if let known = dates[text] { return known }
            let date = try? CivilDate.parse(text, field: "date")
            dates[text] = date
            return date
        }
        return try sql.rows(Self.membersSQL(where: condition), arguments).compactMap { row in
            guard let id = row[0].text.flatMap(RecordID.init) else { return nil }
            return MemberEntry(
                id: id, name: row[1].text, household: row[2].text, vitalStatus: row[3].text,
                deathDate: date(row[4].text), birthDate: date(row[5].text),
                disabilityGrade: row[6].integer.map { Int($0) }, idNumber: Self.sealed(row[7].text, row[8].text),
                bankCard: Self.sealed(row[9].text, row[10].text), accountName: row[11].text)
        }
    }

    /// The rows whose id is one of a JSON array's (one bound text, however many ids: a list
    /// of bound parameters is capped), each a search of the primary key.
    package static func anyOf(_ dialect: SQLDialect, column: String = "id") -> String {
        switch dialect {
        case .sqlite: "\(column) IN (SELECT value FROM json_each(?))"
        case .postgres: "\(column) IN (SELECT value FROM jsonb_array_elements_text(CAST(? AS jsonb)))"
        }
    }

    package static func householdsSQL(where condition: String) -> String {
        """
        SELECT id, status, type, head, payee, account_name, bank_card_sealed, bank_card_hash
        FROM households WHERE \(condition)
        """
    }

    package static func membersSQL(where condition: String) -> String {
        """
        SELECT id, name, household, vital_status, death_date, birth_date, disability_grade,
               id_number_sealed, id_number_hash, bank_card_sealed, bank_card_hash, account_name
        FROM members WHERE \(condition)
        """
    }

    /// Ids as a JSON array. A record id holds letters, digits and dashes only.
    static func jsonArray(_ ids: [RecordID]) -> String {
        jsonArray(texts: ids.lazy.map(\.value), count: ids.count)
    }

    /// Texts that need no escaping (letters, digits, dashes) as a JSON array.
    static func jsonArray(texts: some Sequence<String>, count: Int) -> String {
        var text = "["
        text.reserveCapacity(count * 24 + 2)
        for (index, value) in texts.enumerated() {
            text += index == 0 ? "\"" : ",\""
            text += value
            text += "\""
        }
        return text + "]"
    }

    package func members(withIDHash hash: String) throws -> [MemberHolding] {
        try sql.rows(
            "SELECT id, household, village, vital_status FROM members WHERE id_number_hash = ? ORDER BY id",
            [.text(hash)]
        ).compactMap { row in
            guard let id = row[0].text.flatMap(RecordID.init) else { return nil }
            return MemberHolding(
                id: id, household: row[1].text,
                village: row[2].text.flatMap { try? DivisionCode.parse($0, field: "village") },
                vitalStatus: row[3].text)
        }
    }

    package func approvedEnrollments(of member: RecordID) throws -> [RecordID] {
        try sql.texts(
            "SELECT id FROM enrollments WHERE member = ? AND status = 'approved' ORDER BY id", [.text(member.value)]
        ).compactMap(RecordID.init)
    }

    package func liveEnrollment(of member: RecordID, in program: Program) throws -> RecordID? {
        try sql.texts(
            "SELECT id FROM enrollments WHERE member = ? AND program = ? AND status != 'exited' ORDER BY id LIMIT 1",
            [.text(member.value), .text(program.rawValue)]
        ).first.flatMap(RecordID.init)
    }

    package func imported(_ key: String) throws -> Bool {
        try sql.exists("SELECT 1 FROM import_keys WHERE key = ?", [.text(key)])
    }

    package func importedRecord(_ key: String) throws -> RecordID? {
        try sql.texts("SELECT record FROM import_keys WHERE key = ?", [.text(key)]).first.flatMap(RecordID.init)
    }

    package func importedRecords(keyPrefix prefix: String) throws -> Set<RecordID> {
        Set(
            try sql.texts(
                "SELECT record FROM import_keys WHERE substr(key, 1, length(?)) = ?", [.text(prefix), .text(prefix)]
            ).compactMap(RecordID.init))
    }

    package func countyConfiguration() throws -> CountyConfiguration {
        try ReplicaCore.countyConfiguration(sql)
    }

    /// A sealed column pair as stored; nil unless both halves are.
    static func sealed(_ box: String?, _ digest: String?) -> SealedValue? {
        guard let box, let digest else { return nil }
        return SealedValue(box: box, digest: digest)
    }
}
