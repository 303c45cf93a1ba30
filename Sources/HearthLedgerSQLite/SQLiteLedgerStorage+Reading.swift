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
        try Row.fetchOne(
            database,
            sql: """
                SELECT status, type, head, payee, account_name, bank_card_sealed, bank_card_hash
                FROM households WHERE id = ?
                """,
            arguments: [id.value]
        ).map { row in
            HouseholdEntry(
                id: id, status: row["status"], type: row["type"], head: row["head"], payee: row["payee"],
                accountName: row["account_name"], bankCard: Self.sealed(row["bank_card_sealed"], row["bank_card_hash"]))
        }
    }

    func member(_ id: RecordID) throws -> MemberEntry? {
        try Row.fetchOne(
            database,
            sql: """
                SELECT name, household, vital_status, death_date, birth_date, disability_grade,
                       id_number_sealed, id_number_hash, bank_card_sealed, bank_card_hash, account_name
                FROM members WHERE id = ?
                """,
            arguments: [id.value]
        ).map { row in
            MemberEntry(
                id: id, name: row["name"], household: row["household"], vitalStatus: row["vital_status"],
                deathDate: (row["death_date"] as String?).flatMap { try? CivilDate.parse($0, field: "death_date") },
                birthDate: (row["birth_date"] as String?).flatMap { try? CivilDate.parse($0, field: "birth_date") },
                disabilityGrade: (row["disability_grade"] as Int64?).map { Int($0) },
                idNumber: Self.sealed(row["id_number_sealed"], row["id_number_hash"]),
                bankCard: Self.sealed(row["bank_card_sealed"], row["bank_card_hash"]), accountName: row["account_name"])
        }
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
