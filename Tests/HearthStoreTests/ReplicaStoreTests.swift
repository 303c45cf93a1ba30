import Foundation
import GRDB
import HearthCore
import Testing

@testable import HearthStore
import HearthTestSupport

@Suite("The replica on SQLite")
struct ReplicaStoreTests {
    static let now: Int64 = 1_795_600_000_000

    /// This test's directories, removed when it ends.
    let temporary = TemporaryDirectories()

    func temporaryDirectory() throws -> String {
        try temporary.make("hearth-store")
    }

    func village(_ directory: String, name: String = "v", keys: KeyMaterial = .generate()) throws -> Replica {
        try Replica.create(
            path: directory + "/\(name).db", name: name, scope: try ScopePrefix.parse("421281101001", field: "scope"),
            nowMillis: Self.now, keys: keys)
    }

    func household(_ replica: Replica) throws -> RecordID {
        var input = HouseholdInput()
        input.village = "421281101001"
        input.address = "新庄村一组"
        input.type = "rural"
        return try replica.addHousehold(input, author: "w1", nowMillis: Self.now)
    }

    @Test("every state table has exactly one column per declared field, plus its derived columns")
    func columnsFollowSchema() throws {
        let replica = try village(try temporaryDirectory())
        try replica.read { db in
            for type in RecordType.allCases {
                let columns = try db.columns(in: type.table).map(\.name)
                // Fields added by later migrations sit at the table's end: compare the sets.
                #expect(Set(columns) == Set(StateRow.columns(of: type)), "\(type.table)")
                #expect(columns.count == StateRow.columns(of: type).count, "\(type.table)")
            }
        }
        let mode = try replica.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test("a replica opened with another replica's key file is refused")
    func wrongKey() throws {
        let directory = try temporaryDirectory()
        _ = try village(directory, name: "a")
        _ = try village(directory, name: "b")
        #expect(throws: ReplicaError.self) {
            try Replica.open(path: directory + "/a.db", keyPath: directory + "/b.db.key")
        }
        #expect(throws: ReplicaError.self) { try Replica.open(path: directory + "/missing.db") }
        chmod(directory + "/a.db.key", 0o644)
        do {
            _ = try Replica.open(path: directory + "/a.db")
            Issue.record("a world-readable key file was accepted")
        } catch {
            #expect(String(describing: error).contains("chmod 600"))
        }
    }

    @Test("the same dot with different content is refused as a fork and nothing of the batch is applied")
    func forkRefused() throws {
        let directory = try temporaryDirectory()
        let author = try village(directory, name: "author")
        let home = try household(author)
        let ops = try author.allOps()
        let receiver = try village(directory, name: "receiver", keys: author.keys.withNewSigningKey())
        try receiver.integrate(ops, nowMillis: Self.now)
        let original = ops[0]
        let forged = Op(
            dot: original.dot, hlc: original.hlc, author: original.author, origin: original.origin,
            record: original.record, scope: original.scope, fields: ["address": .text("伪造")],
            context: original.context, previous: original.previous)
        let before = try receiver.stateDigest()
        var input = HouseholdInput()
        input.village = "421281101001"
        input.address = "另一户"
        input.type = "urban"
        _ = try author.addHousehold(input, author: "w1", nowMillis: Self.now + 1)
        let next = try author.allOps().last!
        do {
            try receiver.integrate([next, forged], nowMillis: Self.now)
            Issue.record("a forked op was accepted")
        } catch {
            guard case .fork(let dot) = error else { Issue.record("wrong error \(error)"); return }
            #expect(dot == original.dot)
        }
        #expect(try receiver.stateDigest() == before)
        #expect(try receiver.view(home, reveal: false).value("address") == "新庄村一组")
        #expect(try receiver.status().logSize == ops.count)
    }

    @Test("an op that arrives before the ops its context covers waits, then applies when they arrive")
    func earlyArrivalWaits() throws {
        let directory = try temporaryDirectory()
        let author = try village(directory, name: "author")
        let home = try household(author)
        var edit = HouseholdInput()
        edit.phone = "13800001111"
        try author.editHousehold(home.value, edit, author: "w1", nowMillis: Self.now + 1)
        let ops = try author.allOps()
        let receiver = try village(directory, name: "receiver", keys: author.keys.withNewSigningKey())
        let first = try receiver.integrate([ops[1]], nowMillis: Self.now)
        #expect(first.waiting == 1 && first.applied == 0)
        #expect(try receiver.status().waiting == 1)
        #expect(try receiver.state(of: home) == nil)
        let second = try receiver.integrate([ops[0]], nowMillis: Self.now)
        #expect(second.applied == 2 && second.released == 1)
        #expect(try receiver.status().waiting == 0)
        #expect(try receiver.view(home, reveal: false).value("phone") == "13800001111")
        #expect(try receiver.stateDigest() == author.stateDigest())
        let again = try receiver.integrate(ops, nowMillis: Self.now)
        #expect(again.duplicates == 2 && again.applied == 0)
    }

    @Test("a death ends every active enrollment of the member in the same transaction, and only theirs")
    func deathEndsEnrollments() throws {
        let replica = try village(try temporaryDirectory())
        let home = try household(replica)
        var head = MemberInput()
        head.household = home.value
        head.name = "王秀英"
        head.idNumber = "421281198001010011"
        head.relation = "head"
        head.disabilityGrade = 2
        let member = try replica.addMember(head, author: "w1", nowMillis: Self.now)
        var child = MemberInput()
        child.household = home.value
        child.name = "王小宝"
        child.relation = "child"
        let other = try replica.addMember(child, author: "w1", nowMillis: Self.now)
        let dibao = try replica.enroll(
            EnrollInput(household: home.value, program: "dibao_rural", amount: "560", start: "2026-01"), author: "w1",
            nowMillis: Self.now)
        let disability = try replica.enroll(
            EnrollInput(member: member.value, program: "disability_living", amount: "80", start: "2026-01"),
            author: "w1",
            nowMillis: Self.now)[0]
        try replica.changeEnrollment(disability.value, .approve, note: nil, author: "w1", nowMillis: Self.now)
        let opsBefore = try replica.status().logSize
        let ended = try replica.recordDeath(member: member.value, date: "2026-05-14", author: "w1", nowMillis: Self.now)
        #expect(Set(ended) == Set([dibao[0], disability]))
        #expect(try replica.status().logSize == opsBefore + 3)
        for id in ended {
            let view = try replica.view(id, reveal: false)
            #expect(view.value("status") == "exited")
            #expect(view.value("end_month") == "2026-05")
        }
        #expect(try replica.view(dibao[1], reveal: false).value("status") == "applied")
        #expect(try replica.view(member, reveal: false).value("vital_status") == "deceased")
        #expect(try replica.view(other, reveal: false).value("vital_status") == "alive")
        #expect(throws: ReplicaError.self) {
            try replica.recordDeath(member: member.value, date: "2026-05-14", author: "w1", nowMillis: Self.now)
        }
    }

    @Test("sealed values open only with the replica's key and compare by their keyed hash")
    func sealing() throws {
        let keys = KeyMaterial.generate()
        let a = keys.seal("421281198001010011")
        let b = keys.seal("421281198001010011")
        // A synthetic nonce: the same value seals to the same bytes, another value under another nonce.
        #expect(a.box == b.box)
        #expect(a.digest == b.digest)
        let c = keys.seal("42128119800101002X")
        #expect(c.digest != a.digest)
        let nonceA = Data(base64Encoded: a.box)!.prefix(12)
        let nonceC = Data(base64Encoded: c.box)!.prefix(12)
        #expect(nonceA != nonceC)
        #expect(KeyMaterial.generate().seal("421281198001010011").box != a.box, "another county key, other bytes")
        #expect(FieldValue.sealed(a).sameMeaning(as: .sealed(b)))
        #expect(try keys.open(a) == "421281198001010011")
        #expect(throws: KeyError.self) { try KeyMaterial.generate().open(a) }
        let text = KeyFile.encode(keys)
        let back = try KeyFile.decode(text, source: "test")
        #expect(try back.open(a) == "421281198001010011")
        #expect(back.checkValue == keys.checkValue)
    }

    @Test("records outside the replica's scope are refused")
    func scope() throws {
        let replica = try village(try temporaryDirectory())
        var input = HouseholdInput()
        input.village = "421281101002"
        input.address = "x"
        input.type = "rural"
        do {
            _ = try replica.addHousehold(input, author: "w1", nowMillis: Self.now)
            Issue.record("a household outside the scope was accepted")
        } catch {
            #expect(String(describing: error).contains("outside this replica's scope"))
        }
        #expect(try replica.status().logSize == 0)
    }
}

@Suite("The in-memory state cache")
struct StateCacheTests {
    @Test("a write made through another connection (another process) is never hidden by the cache")
    func otherWriterInvalidates() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hearth-cache-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try Replica.create(
            path: directory + "/n.db", name: "n", scope: try ScopePrefix.parse("421281101001", field: "scope"),
            nowMillis: ReplicaStoreTests.now)
        let second = try Replica.open(path: directory + "/n.db")
        var input = HouseholdInput()
        input.village = "421281101001"
        input.address = "一组"
        input.type = "rural"
        let home = try first.addHousehold(input, author: "a", nowMillis: ReplicaStoreTests.now)
        var edit = HouseholdInput()
        edit.phone = "13800000001"
        try first.editHousehold(home.value, edit, author: "a", nowMillis: ReplicaStoreTests.now + 1)  // cached in first
        edit.phone = "13800000002"
        try second.editHousehold(home.value, edit, author: "b", nowMillis: ReplicaStoreTests.now + 2)
        edit.phone = nil
        edit.address = "二组"
        try first.editHousehold(home.value, edit, author: "a", nowMillis: ReplicaStoreTests.now + 3)
        let view = try first.view(home, reveal: false)
        #expect(view.value("phone") == "13800000002")
        #expect(view.value("address") == "二组")
        #expect(view.conflicts.isEmpty)
        let clock = try #require(try first.state(of: home)).clock
        #expect(clock[first.info.id] == 4)
        let log = try first.log(record: home)
        #expect(log.count == 4)
        // The last op saw the other connection's write: its context covers it.
        #expect(log.last?.op.context[first.info.id] == 3)
    }
}

@Suite("Fields in conflict")
struct ConflictedFieldTests {
    @Test("a field worker cannot close a money conflict with a plain edit; other fields stay editable")
    func editRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hearth-conflict-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let scope = try ScopePrefix.parse("421281101001", field: "scope")
        let a = try Replica.create(
            path: directory + "/a.db", name: "a", scope: scope, nowMillis: ReplicaStoreTests.now)
        let b = try Replica.create(
            path: directory + "/b.db", name: "b", scope: scope, nowMillis: ReplicaStoreTests.now,
            keys: a.keys.withNewSigningKey())
        var input = HouseholdInput()
        input.village = "421281101001"
        input.address = "一组"
        input.type = "rural"
        let home = try a.addHousehold(input, author: "w1", nowMillis: ReplicaStoreTests.now)
        try b.integrate(try a.allOps(), nowMillis: ReplicaStoreTests.now)
        var income = HouseholdInput()
        income.income = "300"
        try a.editHousehold(home.value, income, author: "w1", nowMillis: ReplicaStoreTests.now)
        income.income = "450"
        try b.editHousehold(home.value, income, author: "w2", nowMillis: ReplicaStoreTests.now)
        try a.integrate(try b.allOps(), nowMillis: ReplicaStoreTests.now)
        #expect(try a.view(home, reveal: false).conflicts == ["income"])
        income.income = "400"
        do {
            try a.editHousehold(home.value, income, author: "w1", nowMillis: ReplicaStoreTests.now)
            Issue.record("an edit closed a conflict without the desk")
        } catch {
            #expect(String(describing: error).contains("is in conflict"))
        }
        var phone = HouseholdInput()
        phone.phone = "13800000001"
        try a.editHousehold(home.value, phone, author: "w1", nowMillis: ReplicaStoreTests.now)
        #expect(try a.view(home, reveal: false).conflicts == ["income"])
    }
}
