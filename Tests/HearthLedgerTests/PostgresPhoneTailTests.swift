import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Testing

@testable import HearthLedgerPostgres

/// The search index's phones on a PostgreSQL hub: its v15 (core v29) takes every household's
/// entries out, and opening the hub makes them again, each phone by its last four digits.
@Suite("Phones by their last four digits on PostgreSQL")
struct PostgresPhoneTailTests {
    @Test("A hub whose index cut phones into digit pairs (before its v15) holds their last four digits once opened")
    func migratesDigitPairs() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hearth-phones-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let batches = try FieldDay.batches(seed: 11, directory: directory, keys: .generate())
        let hub = try await FreshPostgresHub()
        let engine = ApplyEngine(info: hub.storage.info, role: HubApplyRole(), cache: nil)
        for (index, batch) in batches.enumerated() {
            _ = try await hub.storage.writingStatements { sql in
                try engine.integrate(
                    in: sql, batch, nowMillis: Fixture.start + Int64(index) * 60_000, admit: { _, _ in true },
                    bookkeeping: { _ in false })
            }
        }
        // Back to v14's index: each household's address and phone cut into pairs, v15 not applied.
        let pairs = try await hub.storage.database.blockingTransaction { sql in
            try sql.execute("DELETE FROM search_grams WHERE substr(record, 1, 2) = 'H-'", [])
            for row in try sql.rows("SELECT id, address, phone FROM households", []) {
                for text in [row[1].text, row[2].text].compactMap({ $0 }) {
                    for gram in SearchText.grams(SearchText.normalized(text)) {
                        try sql.execute(
                            "INSERT INTO search_grams (gram, record) VALUES (?, ?) ON CONFLICT DO NOTHING",
                            [.text(gram), row[0]])
                    }
                }
            }
            // The migrations after it too: a hub runs those past the newest it holds.
            try sql.execute("DELETE FROM hearth_migrations WHERE version >= 15", [])
            return try sql.integer("SELECT count(*) FROM search_grams WHERE gram = '00'", []) ?? 0
        }
        #expect(pairs > 0, "the day's phones hold no pair 00")
        await hub.storage.close()

        let reopened = try await PostgresLedgerStorage.open(
            location: hub.location, keyPath: hub.keyPath, nowMillis: Fixture.start)
        let (stored, expected, marks, phones) = try await reopened.database.blockingTransaction { sql in
            let stored = Set(
                try sql.rows("SELECT gram, record FROM search_grams", []).map { "\($0[0].text!) \($0[1].text!)" })
            var expected: Set<String> = []
            for row in try sql.rows(
                "SELECT id, name, NULL FROM members UNION ALL SELECT id, address, phone FROM households", [])
            {
                let record = row[0].text!
                for gram in SearchText.grams(SearchText.normalized(row[1].text ?? "")) {
                    expected.insert("\(gram) \(record)")
                }
                guard let phone = row[2].text else { continue }
                let digits = Array(phone.unicodeScalars)
                #expect(digits.count >= 4 && digits.suffix(4).allSatisfy { ("0"..."9").contains($0) }, "\(phone)")
                let value = digits.suffix(4).reduce(0) { $0 * 10 + Int($1.value) - 48 }
                expected.insert("\u{F8FF}\(Unicode.Scalar(0xF0000 + value)!) \(record)")
            }
            let marks = try sql.integer("SELECT count(*) FROM search_dirty", []) ?? 0
            let phones = try sql.integer("SELECT count(*) FROM households WHERE phone IS NOT NULL", []) ?? 0
            return (stored, expected, marks, phones)
        }
        #expect(phones > 0, "the day wrote no phone")
        #expect(marks == 0, "the marks v15 left were not brought up to date when the hub was opened")
        #expect(stored == expected)
        await reopened.close()
    }
}
