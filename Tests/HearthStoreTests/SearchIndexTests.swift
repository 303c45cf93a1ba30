import Foundation
import GRDB
import HearthCore
import Testing

@testable import HearthStore
import HearthTestSupport

/// `hearth find`'s index (`search_grams`): what it finds, and that it stays equal to the
/// records through edits, moves, ops from another replica and the migration of an old replica.
@Suite("Finding people: the search index")
struct SearchIndexTests {
    static let now: Int64 = 1_795_600_000_000
    static let township = "421281101"
    static let village = "421281101001"
    static let otherVillage = "421281101002"

    /// This test's directories, removed when it ends.
    let temporary = TemporaryDirectories()

    func directory() throws -> String {
        try temporary.make("hearth-find")
    }

    func replica(_ directory: String, name: String = "t", keys: KeyMaterial = .generate()) throws -> Replica {
        try Replica.create(
            path: directory + "/\(name).db", name: name, scope: try ScopePrefix.parse(Self.township, field: "scope"),
            nowMillis: Self.now, keys: keys)
    }

    /// A valid ID number born on `birth` (YYYYMMDD) with sequence `sequence` (3 digits).
    static func idNumber(_ birth: String, _ sequence: String) -> String {
        let first17 = "421281" + birth + sequence
        return first17 + String(IDNumber.checkDigit(of: first17)!)
    }

    @discardableResult
    func household(_ replica: ReplicaCore, address: String, phone: String? = nil, village: String = village) throws
        -> RecordID
    {
        var input = HouseholdInput()
        input.village = village
        input.address = address
        input.phone = phone
        input.type = "rural"
        return try replica.addHousehold(input, author: "w1", nowMillis: Self.now)
    }

    @discardableResult
    func member(_ replica: ReplicaCore, _ household: RecordID, name: String, id: String? = nil, head: Bool = false)
        throws -> RecordID
    {
        var input = MemberInput()
        input.household = household.value
        input.name = name
        input.idNumber = id
        input.relation = head ? "head" : "child"
        return try replica.addMember(input, author: "w1", nowMillis: Self.now)
    }

    func found(_ replica: ReplicaCore, _ text: String, limit: Int = 50) throws -> [RecordID] {
        try replica.find(text, limit: limit, nowMillis: Self.now).hits.map(\.id)
    }

    /// A phone's piece as the index should hold it, written out apart from `SearchText`: a marker
    /// (U+F8FF) and U+F0000 plus the value of the last four digits; nil when those are not
    /// four ASCII digits (the phone is then cut into pairs).
    static func tailPiece(_ phone: String) -> String? {
        let scalars = Array(phone.unicodeScalars.filter { $0 != " " && $0 != "-" })
        guard scalars.count >= 4, scalars.suffix(4).allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
        let value = scalars.suffix(4).reduce(0) { $0 * 10 + Int($1.value) - 48 }
        return "\u{F8FF}\(Unicode.Scalar(0xF0000 + value)!)"
    }

    /// The index as the records say it should be, computed apart from the pass that keeps it:
    /// every two-character piece of each member's name and each household's address, and each
    /// phone's piece for its last four digits (its two-character pieces when it does not end in
    /// four digits).
    func expectedIndex(_ replica: ReplicaCore) throws -> Set<String> {
        try replica.read { db in
            var grams: Set<String> = []
            let texts =
                try Row.fetchAll(db, sql: "SELECT id, name FROM members")
                + Row.fetchAll(db, sql: "SELECT id, address FROM households")
            for row in texts {
                guard let text = row[1] as String? else { continue }
                for gram in SearchText.grams(SearchText.normalized(text)) {
                    grams.insert("\(gram) \(row[0] as String)")
                }
            }
            for row in try Row.fetchAll(db, sql: "SELECT id, phone FROM households") {
                guard let phone = row[1] as String? else { continue }
                if let piece = Self.tailPiece(phone) {
                    grams.insert("\(piece) \(row[0] as String)")
                } else {
                    for gram in SearchText.grams(SearchText.normalized(phone)) {
                        grams.insert("\(gram) \(row[0] as String)")
                    }
                }
            }
            return grams
        }
    }

    func storedIndex(_ replica: ReplicaCore) throws -> Set<String> {
        try replica.read { db in
            Set(
                try Row.fetchAll(db, sql: "SELECT gram, record FROM search_grams").map {
                    "\($0[0] as String) \($0[1] as String)"
                })
        }
    }

    @Test("pieces are ordered by their UTF-8 bytes, SQLite's order, whatever their script and length")
    func byteOrder() {
        var random = SystemRandomNumberGenerator()
        let alphabet: [Unicode.Scalar] = [
            "a", "z", "0", "9", "-", "张", "伟", "村", "组", "é", "\u{1F600}", "\u{7F}", "\u{80}",
        ]
        for _ in 0..<2_000 {
            func text() -> String {
                var view = String.UnicodeScalarView()
                for _ in 0..<Int.random(in: 0...4, using: &random) {
                    view.append(alphabet.randomElement(using: &random)!)
                }
                return String(view)
            }
            let a = text()
            let b = Bool.random(using: &random) ? a + text() : text()
            let expected = Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
            let order = BinaryCollation.compare(a, b)
            #expect((order < 0) == expected, "\(a) against \(b)")
            #expect((order == 0) == (Array(a.utf8) == Array(b.utf8)), "\(a) against \(b)")
            #expect(BinaryCollation.compare(b, a).signum() == -order.signum())
        }
    }

    @Test("a piece's number orders as SQLite orders its bytes, and stands for the piece find looks up")
    func pieceNumbers() {
        var random = SystemRandomNumberGenerator()
        let alphabet: [Unicode.Scalar] = [
            "a", "z", "0", "9", "张", "伟", "村", "组", "é", "\u{1F600}", "\u{7F}", "\u{80}", "\u{7FF}", "\u{800}",
            "\u{FFFF}", "\u{10000}", "\u{10FFFF}",
        ]
        for _ in 0..<2_000 {
            let a = (alphabet.randomElement(using: &random)!, alphabet.randomElement(using: &random)!)
            let b = (alphabet.randomElement(using: &random)!, alphabet.randomElement(using: &random)!)
            let textA = SearchIndex.gramText(SearchIndex.gramKey(a.0, a.1))
            let textB = SearchIndex.gramText(SearchIndex.gramKey(b.0, b.1))
            #expect(Array(textA.unicodeScalars) == [a.0, a.1])
            let byBytes = BinaryCollation.compare(textA, textB)
            let byNumber = SearchIndex.gramKey(a.0, a.1) < SearchIndex.gramKey(b.0, b.1)
            #expect((byBytes < 0) == byNumber, "\(textA) against \(textB)")
        }
        // The pieces the index writes for a text are the pieces a search of it asks for.
        for text in ["新庄村三组12号", "138 0000 1111", "Wang Xiu-Ying", "\u{1F600}a\u{1F600}a", "王", ""] {
            let written = Set(SearchIndex.pieces([text]).map(SearchIndex.gramText))
            #expect(written == Set(SearchText.grams(SearchText.normalized(text))), "\(text)")
        }
    }

    @Test("a record's pieces come ascending and distinct, and their difference is the sets' difference")
    func pieceLists() {
        let seed = UInt64.random(in: 1...UInt64.max)
        var generator = SplitMix64(seed: seed)
        let alphabet: [Unicode.Scalar] = ["1", "3", "8", "张", "伟", "村", "组", "a"]
        func text() -> String? {
            guard Int.random(in: 0..<6, using: &generator) > 0 else { return nil }
            var view = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...14, using: &generator) {
                view.append(alphabet.randomElement(using: &generator)!)
            }
            return String(view)
        }
        // A household's address and phone: the phone's one piece when it ends in four digits.
        func expected(_ texts: [String?]) -> Set<String> {
            var pieces = Set(SearchText.grams(SearchText.normalized(texts[0] ?? "")))
            guard let phone = texts[1] else { return pieces }
            if let piece = Self.tailPiece(phone) {
                pieces.insert(piece)
            } else {
                pieces.formUnion(SearchText.grams(SearchText.normalized(phone)))
            }
            return pieces
        }
        for _ in 0..<1_000 {
            let first = [text(), text()]
            let second = [text(), text()]
            let before = SearchIndex.pieces([first[0]], phone: first[1])
            let after = SearchIndex.pieces([second[0]], phone: second[1])
            for list in [before, after] {
                #expect(zip(list, list.dropFirst()).allSatisfy { $0 < $1 }, "seed \(seed): \(list)")
            }
            #expect(Set(before.map(SearchIndex.gramText)) == expected(first), "seed \(seed): \(first)")
            let change = SearchIndex.difference(before, after)
            #expect(change.removed == before.filter { !after.contains($0) }, "seed \(seed): \(first) → \(second)")
            #expect(change.added == after.filter { !before.contains($0) }, "seed \(seed): \(first) → \(second)")
        }
    }

    @Test("a name and an address are found by a part; a phone by its whole number or its last four digits or more")
    func findsByNameAddressPhone() throws {
        let replica = try replica(try directory())
        let home = try household(replica, address: "新庄村三组12号", phone: "138 0000 1111")
        let head = try member(replica, home, name: "王秀英", head: true)
        let child = try member(replica, home, name: "王强")
        let other = try household(replica, address: "河湾村一组3号", phone: "13900002222")
        let neighbour = try member(replica, other, name: "李秀兰", head: true)

        #expect(try found(replica, "王强") == [child])
        #expect(try found(replica, "秀英") == [head])
        #expect(try found(replica, "王秀英") == [head])
        // Every piece present, but not as one run: not a match.
        #expect(try found(replica, "王英").isEmpty)
        #expect(try found(replica, "李秀兰") == [neighbour])
        #expect(try found(replica, "三组12") == [home])
        #expect(try found(replica, "0000-1111") == [home])
        #expect(try found(replica, "1111") == [home])
        #expect(try found(replica, "13900002222") == [other])
        #expect(try found(replica, "+86 139 0000 2222").isEmpty)
        // A run from a number's middle, or fewer than its last four digits, finds no phone.
        #expect(try found(replica, "1390000").isEmpty)
        #expect(try found(replica, "222").isEmpty)
        #expect(Set(try found(replica, "一组3号")) == [other])
        #expect(try found(replica, "张三丰").isEmpty)

        let hit = try #require(try replica.find("王秀英", limit: 5, nowMillis: Self.now).hits.first)
        #expect(hit.household == home)
        #expect(hit.village == Self.village)
        #expect(hit.name == "王秀英")
        let household = try #require(try replica.find("三组12", limit: 5, nowMillis: Self.now).hits.first)
        #expect(household.name == "王秀英")  // the head's name
        #expect(household.phone == "13800001111")
    }

    @Test("one character is refused with a reason, and the limit says when there is more")
    func shortTextAndLimit() throws {
        let replica = try replica(try directory())
        let home = try household(replica, address: "新庄村三组12号")
        var members: [RecordID] = []
        for index in 0..<5 { members.append(try member(replica, home, name: "张\(["一", "二", "三", "四", "五"][index])伟")) }
        do {
            _ = try replica.find("张", limit: 10, nowMillis: Self.now)
            Issue.record("a one-character search was run")
        } catch {
            #expect("\(error)".contains("at least two characters"))
        }
        let some = try replica.find("张二", limit: 10, nowMillis: Self.now)
        #expect(some.hits.map(\.id) == [members[1]])
        let limited = try replica.find("新庄", limit: 1, nowMillis: Self.now)
        #expect(limited.hits.map(\.id) == [home])
        #expect(!limited.more)
        let names = try replica.members(named: "张三伟", limit: 10)
        #expect(names.hits.map(\.id) == [members[2]])
        #expect(!names.more)
    }

    @Test("the rarest piece is walked first even when every piece has more records than the first count's bound")
    func rarestPieceBeyondTheBound() throws {
        let replica = try replica(try directory())
        let home = try household(replica, address: "新庄村三组12号")
        // 甲乙 in 15 names, 乙丙 in 9, both in 3: with a bound of 2 every piece reaches it.
        let others = ["子", "丑", "寅", "卯", "辰", "巳", "午", "未", "申", "酉", "戌", "亥"]
        for other in others { try member(replica, home, name: "甲乙\(other)") }
        for other in others.prefix(6) { try member(replica, home, name: "\(other)乙丙") }
        var both: [RecordID] = []
        for _ in 0..<3 { both.append(try member(replica, home, name: "甲乙丙")) }
        let orders = try replica.read { db in
            [
                try ReplicaCore.rarestFirst(db, ["甲乙", "乙丙"], bound: 2),
                try ReplicaCore.rarestFirst(db, ["甲乙", "乙丙"], bound: 9),
                try ReplicaCore.rarestFirst(db, ["甲乙", "乙丙"]),
                // A piece no record holds: nothing to walk.
                try ReplicaCore.rarestFirst(db, ["甲乙", "丁戊"], bound: 2),
            ]
        }
        #expect(orders == [["乙丙", "甲乙"], ["乙丙", "甲乙"], ["乙丙", "甲乙"], nil])
        #expect(try found(replica, "甲乙丙") == both.sorted())
        #expect(try replica.members(named: "甲乙丙", limit: 10).hits.map(\.id) == both.sorted())
    }

    @Test("an ID number finds its member by the keyed hash, and the index holds no digit of it")
    func findsByIDNumber() throws {
        let replica = try replica(try directory())
        let home = try household(replica, address: "新庄村三组12号")
        let number = Self.idNumber("19800101", "001")
        let head = try member(replica, home, name: "王秀英", id: number, head: true)
        try member(replica, home, name: "王小宝")
        let result = try replica.find(number, limit: 10, nowMillis: Self.now)
        #expect(result.byIDNumber)
        #expect(result.hits.map(\.id) == [head])
        // Spaced and with a lower-case x the same number is found; a mistyped one is refused
        // without repeating it.
        let spaced = String(number.prefix(6)) + " " + String(number.dropFirst(6))
        #expect(try found(replica, spaced) == [head])
        let mistyped = String(number.dropLast()) + (number.last == "1" ? "2" : "1")
        do {
            _ = try replica.find(mistyped, limit: 10, nowMillis: Self.now)
            Issue.record("a mistyped ID number was searched")
        } catch {
            #expect(!"\(error)".contains(mistyped))
            #expect(!"\(error)".contains(String(mistyped.prefix(14))))
        }
        #expect(try found(replica, Self.idNumber("19900101", "003")).isEmpty)
        let index = try storedIndex(replica)
        // No piece of the number was indexed: the index holds only names, addresses and phones.
        #expect(index == (try expectedIndex(replica)))
        #expect(
            try replica.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM search_grams WHERE gram = '19'") }
                == 0)
    }

    @Test("the index follows renames, new phones, moves to another village and archived households")
    func followsEdits() throws {
        let replica = try replica(try directory())
        let home = try household(replica, address: "新庄村三组12号", phone: "13800001111")
        let head = try member(replica, home, name: "王秀英", head: true)
        var rename = MemberInput()
        rename.name = "王秀云"
        try replica.editMember(head.value, rename, author: "w1", nowMillis: Self.now)
        #expect(try found(replica, "秀英").isEmpty)
        #expect(try found(replica, "秀云") == [head])
        var phone = HouseholdInput()
        phone.phone = "13911112222"
        try replica.editHousehold(home.value, phone, author: "w1", nowMillis: Self.now)
        #expect(try found(replica, "13800001111").isEmpty)
        #expect(try found(replica, "11112222") == [home])
        #expect(try found(replica, "三组12") == [home])
        _ = try replica.moveHousehold(home.value, toVillage: Self.otherVillage, author: "w1", nowMillis: Self.now)
        let moved = try replica.find("秀云", limit: 5, nowMillis: Self.now).hits
        #expect(moved.map(\.village) == [Self.otherVillage])
        try replica.archiveHousehold(home.value, reason: "迁出", author: "w1", nowMillis: Self.now)
        #expect(try replica.find("三组12", limit: 5, nowMillis: Self.now).hits.map(\.status) == ["archived"])
        #expect(try storedIndex(replica) == (try expectedIndex(replica)))
    }

    @Test("ops from another replica keep the index as local edits do (the applier's path)")
    func followsSync() throws {
        let directory = try directory()
        let keys = KeyMaterial.generate()
        let author = try replica(directory, name: "a", keys: keys)
        let reader = try replica(directory, name: "b", keys: keys.withNewSigningKey())
        let home = try household(author, address: "新庄村三组12号", phone: "13800001111")
        let head = try member(author, home, name: "王秀英", id: Self.idNumber("19800101", "001"), head: true)
        try reader.integrate(try author.allOps(), nowMillis: Self.now)
        #expect(try found(reader, "秀英") == [head])
        #expect(try found(reader, Self.idNumber("19800101", "001")) == [head])
        var rename = MemberInput()
        rename.name = "王秀云"
        try author.editMember(head.value, rename, author: "w1", nowMillis: Self.now + 1)
        try reader.integrate(try author.allOps(), nowMillis: Self.now + 1)
        #expect(try found(reader, "秀英").isEmpty)
        #expect(try found(reader, "王秀云") == [head])
        #expect(try storedIndex(reader) == (try expectedIndex(reader)))
        #expect(try storedIndex(reader) == (try storedIndex(author)))
        #expect(try reader.read { try SearchIndex.hasMarks(SQLiteStatements($0)) } == false)
    }

    @Test("one batch changing many records' texts that share pieces leaves the index equal to the records")
    func sharedPiecesInOneBatch() throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        var generator = SplitMix64(seed: seed)
        let directory = try directory()
        let keys = KeyMaterial.generate()
        let author = try replica(directory, name: "a", keys: keys)
        let reader = try replica(directory, name: "b", keys: keys.withNewSigningKey())
        // More households than one delete names under a piece: every address holds "新庄" and
        // "庄村", so one pass removes those pieces' entries for most of them, in several statements.
        let count = SearchIndex.deleteGroup * 2 + 7
        var homes: [RecordID] = []
        for index in 0..<count {
            homes.append(try household(author, address: "新庄村\(index % 9)组\(index)号", phone: "1380000\(1000 + index)"))
        }
        try reader.integrate(try author.allOps(), nowMillis: Self.now)
        #expect(try storedIndex(reader) == (try expectedIndex(reader)), "seed \(seed)")
        // Then, in one batch: most phones change, two addresses in three (the shared pieces
        // leave 99 records), and some records twice.
        for (index, home) in homes.enumerated() {
            var input = HouseholdInput()
            if index % 5 != 4 { input.phone = "0715-\(Int.random(in: 1_000...9_999, using: &generator))" }
            if index % 3 != 1 || index % 5 == 4 { input.address = "河湾村\(Int.random(in: 1...99, using: &generator))号" }
            try author.editHousehold(home.value, input, author: "w1", nowMillis: Self.now + 1)
            if index % 7 == 0 {
                var again = HouseholdInput()
                again.phone = "1390000\(Int.random(in: 1_000...9_999, using: &generator))"
                try author.editHousehold(home.value, again, author: "w1", nowMillis: Self.now + 2)
            }
        }
        try reader.integrate(try author.allOps(), nowMillis: Self.now + 2)
        #expect(try storedIndex(reader) == (try expectedIndex(reader)), "seed \(seed)")
        #expect(try storedIndex(reader) == (try storedIndex(author)), "seed \(seed)")
        #expect(try reader.read { try SearchIndex.hasMarks(SQLiteStatements($0)) } == false)
    }

    @Test("a record changed but not yet indexed is found by its new text, not its old; the next write indexes it")
    func findsMarkedRecords() throws {
        let directory = try directory()
        let replica = try replica(directory)
        let home = try household(replica, address: "新庄村三组12号", phone: "13800001111")
        let head = try member(replica, home, name: "王秀英", head: true)
        // A write that did not end through the replica (as a tool or an older binary might):
        // the triggers mark the rows, nothing brings the index up to date.
        let queue = try DatabaseQueue(path: directory + "/t.db")
        try queue.write { db in
            try db.execute(sql: "UPDATE members SET name = '李四' WHERE id = ?", arguments: [head.value])
            try db.execute(sql: "UPDATE households SET phone = '13977778888' WHERE id = ?", arguments: [home.value])
        }
        try queue.close()
        #expect(try replica.read { try SearchIndex.hasMarks(SQLiteStatements($0)) })
        #expect(try storedIndex(replica) != (try expectedIndex(replica)))
        #expect(try found(replica, "李四") == [head])
        #expect(try found(replica, "秀英").isEmpty)
        #expect(try found(replica, "7778888") == [home])
        #expect(try found(replica, "0000111").isEmpty)
        #expect(try replica.members(named: "李四", limit: 5).hits.map(\.id) == [head])
        // Marked records are merged with the index's in id order, each once.
        #expect(try found(replica, "三组") == [home])
        try member(replica, home, name: "王强")
        #expect(try replica.read { try SearchIndex.hasMarks(SQLiteStatements($0)) } == false)
        #expect(try storedIndex(replica) == (try expectedIndex(replica)))
    }

    @Test("a replica made before the index gets it, whole, when opened")
    func migratesAnOldReplica() throws {
        let directory = try directory()
        let keys = KeyMaterial.generate()
        let path = directory + "/t.db"
        var made: [RecordID] = []
        do {
            let old = try replica(directory, keys: keys)
            let home = try household(old, address: "新庄村三组12号", phone: "13800001111")
            made = [home, try member(old, home, name: "王秀英", head: true), try member(old, home, name: "王强")]
        }
        // Back to the schema before v22: no index, no triggers, neither migration applied.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            for trigger in try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_search_%'")
            {
                try db.execute(sql: "DROP TRIGGER \(trigger)")
            }
            try db.execute(
                sql: """
                    DROP TABLE search_grams;
                    DROP TABLE search_dirty;
                    DELETE FROM grdb_migrations
                    WHERE identifier LIKE 'v22 %' OR identifier LIKE 'v23 %' OR identifier LIKE 'v29 %';
                    """)
        }
        try queue.close()
        let reopened = try Replica.open(path: path, keyPath: path + ".key")
        #expect(try found(reopened, "王强") == [made[2]])
        #expect(try found(reopened, "秀英") == [made[1]])
        #expect(try found(reopened, "00001111") == [made[0]])
        #expect(try storedIndex(reopened) == (try expectedIndex(reopened)))
    }

    @Test("a replica whose index cut phones into digit pairs (before v29) holds their last four digits once opened")
    func migratesDigitPairs() throws {
        let directory = try directory()
        let path = directory + "/t.db"
        var homes: [RecordID] = []
        var head: RecordID?
        do {
            let old = try replica(directory)
            homes.append(try household(old, address: "新庄村三组12号", phone: "13800001111"))
            homes.append(try household(old, address: "河湾村一组3号", phone: "13900002222"))
            homes.append(try household(old, address: "河湾村二组5号"))
            head = try member(old, homes[0], name: "王秀英", head: true)
        }
        // Back to v28's index: each household's address and phone cut into pairs, v29 not
        // applied. Then a phone changed by a write that did not end through the replica, so its
        // mark keeps the texts the old index held.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "DELETE FROM search_grams WHERE substr(record, 1, 2) = 'H-'")
            for row in try Row.fetchAll(db, sql: "SELECT id, address, phone FROM households") {
                for text in [row[1] as String?, row[2] as String?].compactMap({ $0 }) {
                    for gram in SearchText.grams(SearchText.normalized(text)) {
                        try db.execute(
                            sql: "INSERT INTO search_grams (gram, record) VALUES (?, ?) ON CONFLICT DO NOTHING",
                            arguments: [gram, row[0] as String])
                    }
                }
            }
            try db.execute(
                sql: "UPDATE households SET phone = '13977778888' WHERE id = ?", arguments: [homes[1].value])
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v29 %'")
        }
        try queue.close()
        let reopened = try Replica.open(path: path, keyPath: path + ".key")
        #expect(try reopened.read { try SearchIndex.hasMarks(SQLiteStatements($0)) } == false)
        #expect(try storedIndex(reopened) == (try expectedIndex(reopened)))
        #expect(
            try reopened.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM search_grams WHERE gram = '00'") }
                == 0)
        #expect(try found(reopened, "00001111") == [homes[0]])
        #expect(try found(reopened, "7778888") == [homes[1]])
        #expect(try found(reopened, "00002222").isEmpty)
        #expect(try found(reopened, "三组12") == [homes[0]])
        #expect(try found(reopened, "二组5号") == [homes[2]])
        #expect(try found(reopened, "秀英") == [try #require(head)])
    }

    @Test("a phone that does not end in four digits (written past the parser) is indexed and found as any text")
    func phoneWithoutDigitTail() throws {
        let directory = try directory()
        let keys = KeyMaterial.generate()
        let author = try replica(directory, name: "a", keys: keys)
        let reader = try replica(directory, name: "b", keys: keys.withNewSigningKey())
        let home = try household(author, address: "新庄村三组12号", phone: "13800001111")
        let other = try household(author, address: "河湾村一组3号", phone: "0715-5551234")
        // An op whose phone no parser saw, as a node's op may carry it.
        _ = try author.write(author: "w1", nowMillis: Self.now) { changes in
            try changes.update(home, fields: ["phone": .text("0715转分机12")])
        }
        try reader.integrate(try author.allOps(), nowMillis: Self.now)
        for replica in [author, reader] {
            #expect(try storedIndex(replica) == (try expectedIndex(replica)))
            #expect(try found(replica, "转分机") == [home])
            #expect(try found(replica, "0715") == [home])
            #expect(try found(replica, "5551234") == [other])
            #expect(try found(replica, "00001111").isEmpty)
        }
    }

    @Test("after a seeded run of adds and edits the index equals the one computed from the records")
    func indexEqualsRecords() throws {
        let seed = UInt64.random(in: 1...UInt64.max)
        var generator = SplitMix64(seed: seed)
        let replica = try replica(try directory())
        let surnames = ["王", "李", "张", "刘", "欧阳"]
        let given = ["秀英", "强", "伟", "芳", "小宝", "建 国", "Li-Na"]
        var households: [RecordID] = []
        var members: [RecordID] = []
        for step in 0..<120 {
            switch Int.random(in: 0..<4, using: &generator) {
            case 0,
                _ where households.isEmpty:
                households.append(
                    try household(
                        replica, address: "新庄村\(Int.random(in: 1...9, using: &generator))组\(step)号",
                        phone: Bool.random(using: &generator)
                            ? "138\(Int.random(in: 10_000_000...99_999_999, using: &generator))" : nil))
            case 1:
                let name = surnames.randomElement(using: &generator)! + given.randomElement(using: &generator)!
                members.append(try member(replica, households.randomElement(using: &generator)!, name: name))
            case 2 where !members.isEmpty:
                var input = MemberInput()
                input.name = surnames.randomElement(using: &generator)! + given.randomElement(using: &generator)!
                try replica.editMember(
                    members.randomElement(using: &generator)!.value, input, author: "w1", nowMillis: Self.now)
            default:
                var input = HouseholdInput()
                if Bool.random(using: &generator) {
                    input.address = "河湾村\(step)号"
                } else {
                    input.phone = "0715-\(step)"
                }
                try replica.editHousehold(
                    households.randomElement(using: &generator)!.value, input, author: "w1", nowMillis: Self.now)
            }
        }
        #expect(try storedIndex(replica) == (try expectedIndex(replica)), "seed \(seed)")
        #expect(try replica.read { try SearchIndex.hasMarks(SQLiteStatements($0)) } == false, "seed \(seed)")
        // And every member is found by its whole name.
        for id in members {
            let name = try #require(try replica.searchHit(id)?.name)
            #expect(try found(replica, name, limit: 500).contains(id), "seed \(seed): \(name)")
        }
    }
}
