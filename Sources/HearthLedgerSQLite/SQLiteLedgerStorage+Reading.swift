import GRDB
import HearthCore
import HearthLedger
import HearthStore

/// The county's records looked up in one read transaction (the bank roll's payees and cards).
extension SQLiteLedgerStorage {
    public func reading<T: Sendable>(_ body: @escaping @Sendable (any CountyReading) throws -> T)
        async throws(ReplicaError) -> T
    {
        try await replica.readAsync { db in try body(SQLiteCountyReading(db)) }
    }
}

/// ``CountyReading`` over the transaction it was made for (a read, or the write of an edit:
/// ``SQLiteCountyEditing``); never kept beyond it. The record tables hold what was committed
/// before the transaction: an edit's own records reach them when it finishes.
class SQLiteCountyReading: CountyReading {
    let database: Database

    init(_ database: Database) {
        self.database = database
    }

    func household(_ id: RecordID) throws -> HouseholdEntry? {
        try households(where: "id = ?", [id.value]).first
    }

    func households(_ ids: [RecordID]) throws -> [HouseholdEntry] {
        guard !ids.isEmpty else { return [] }
        return try households(where: Self.anyOf, [Self.jsonArray(ids)])
    }

    private func households(where condition: String, _ arguments: StatementArguments) throws -> [HouseholdEntry] {
        let rows = try Row.fetchCursor(
            database.cachedStatement(sql: Self.householdsSQL(where: condition)), arguments: arguments)
        var households: [HouseholdEntry] = []
        while let row = try rows.next() {
            guard let id = RecordID(row[0] as String) else { continue }
            households.append(
                HouseholdEntry(
                    id: id, status: row[1], type: row[2], head: row[3], payee: row[4], accountName: row[5],
                    bankCard: Self.sealed(row[6], row[7])))
        }
        return households
    }

    func member(_ id: RecordID) throws -> MemberEntry? {
        try members(where: "id = ?", [id.value]).first
    }

    func members(_ ids: [RecordID]) throws -> [MemberEntry] {
        guard !ids.isEmpty else { return [] }
        return try members(where: Self.anyOf, [Self.jsonArray(ids)])
    }

    private func members(where condition: String, _ arguments: StatementArguments) throws -> [MemberEntry] {
        let rows = try Row.fetchCursor(
            database.cachedStatement(sql: Self.membersSQL(where: condition)), arguments: arguments)
        var dates = [String: CivilDate?]()
        func date(_ text: String?) -> CivilDate? {
            guard let text else { return nil }
            if let known = dates[text] { return known }
            let date = try? CivilDate.parse(text, field: "date")
            dates[text] = date
            return date
        }
        var members: [MemberEntry] = []
        while let row = try rows.next() {
            guard let id = RecordID(row[0] as String) else { continue }
            members.append(
                MemberEntry(
                    id: id, name: row[1], household: row[2], vitalStatus: row[3], deathDate: date(row[4]),
                    birthDate: date(row[5]), disabilityGrade: (row[6] as Int64?).map { Int($0) },
                    idNumber: Self.sealed(row[7], row[8]), bankCard: Self.sealed(row[9], row[10]),
                    accountName: row[11]))
        }
        return members
    }

    /// The rows whose id is one of a JSON array's: each a search of the primary key.
    static let anyOf = "id IN (SELECT value FROM json_each(?))"

    static func householdsSQL(where condition: String) -> String {
        """
        SELECT id, status, type, head, payee, account_name, bank_card_sealed, bank_card_hash
        FROM households WHERE \(condition)
        """
    }

    static func membersSQL(where condition: String) -> String {
        """
        SELECT id, name, household, vital_status, death_date, birth_date, disability_grade,
               id_number_sealed, id_number_hash, bank_card_sealed, bank_card_hash, account_name
        FROM members WHERE \(condition)
        """
    }

    /// Ids as a JSON array for `json_each`: one statement for any number of them (a list of
    /// bound parameters is capped). A record id holds letters, digits and dashes only.
    static func jsonArray(_ ids: [RecordID]) -> String {
        var text = "["
        text.reserveCapacity(ids.count * 24 + 2)
        for (index, id) in ids.enumerated() {
            text += index == 0 ? "\"" : ",\""
            text += id.value
            text += "\""
        }
        return text + "]"
    }

    func members(withIDHash hash: String) throws -> [MemberHolding] {
        try Row.fetchAll(
            database,
            sql: "SELECT id, household, village, vital_status FROM members WHERE id_number_hash = ? ORDER BY id",
            arguments: [hash]
        ).compactMap { row in
            guard let id = RecordID(row["id"] as String) else { return nil }
            return MemberHolding(
                id: id, household: row["household"],
                village: (row["village"] as String?).flatMap { try? DivisionCode.parse($0, field: "village") },
                vitalStatus: row["vital_status"])
        }
    }

    func approvedEnrollments(of member: RecordID) throws -> [RecordID] {
        try String.fetchAll(
            database, sql: "SELECT id FROM enrollments WHERE member = ? AND status = 'approved' ORDER BY id",
            arguments: [member.value]
        ).compactMap(RecordID.init)
    }

    func liveEnrollment(of member: RecordID, in program: Program) throws -> RecordID? {
        try String.fetchOne(
            database,
            sql:
                "SELECT id FROM enrollments WHERE member = ? AND program = ? AND status != 'exited' ORDER BY id LIMIT 1",
            arguments: [member.value, program.rawValue]
        ).flatMap(RecordID.init)
    }

    func imported(_ key: String) throws -> Bool {
        try Int.fetchOne(database, sql: "SELECT count(*) FROM import_keys WHERE key = ?", arguments: [key]) ?? 0 > 0
    }

    func importedRecord(_ key: String) throws -> RecordID? {
        try String.fetchOne(database, sql: "SELECT record FROM import_keys WHERE key = ?", arguments: [key])
            .flatMap(RecordID.init)
    }

    func importedRecords(keyPrefix prefix: String) throws -> Set<RecordID> {
        Set(
            try String.fetchAll(
                database, sql: "SELECT record FROM import_keys WHERE substr(key, 1, length(?)) = ?",
                arguments: [prefix, prefix]
            ).compactMap(RecordID.init))
    }

    func countyConfiguration() throws -> CountyConfiguration {
        try ReplicaCore.countyConfiguration(database)
    }

    /// A sealed column pair as stored; nil unless both halves are.
    static func sealed(_ box: String?, _ digest: String?) -> SealedValue? {
        guard let box, let digest else { return nil }
        return SealedValue(box: box, digest: digest)
    }
}
