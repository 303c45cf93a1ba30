import Foundation
import GRDB
import HearthClient
import HearthCore
import HearthProtocol
import HearthLedger
import HearthStore
import Testing

/// A registered village node that speaks Protocol/ directly, against a live hub on loopback:
/// every op is judged by the record's village as the hub holds it, never by the op's claims.
@Suite("Jurisdiction (R14): no node reaches past its area")
struct JurisdictionTests {
    /// A county with a household in village 1 (a member with an ID number, an approved
    /// enrollment), synced to the hub; the forger is a registered node of village 2.
    struct Scene {
        let county: TestCounty
        let url: String
        let village: Replica
        let township: Replica
        let home: RecordID
        let member: RecordID
        let enrollment: RecordID
        let forger: Forger

        init(_ county: TestCounty, url: String) async throws {
            self.county = county
            self.url = url
            village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            home = try village.household(in: TestCounty.village1, address: "一组")
            member = try village.member(of: home, name: "王五", idNumber: "11010519491231002X")
            enrollment = try village.enroll(
                EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                author: "w1", nowMillis: TestCounty.now)[0]
            try await county.sync(village, url: url)
            try await county.sync(township, url: url)
            try township.changeEnrollment(
                enrollment.value, .approve, note: nil, author: "zhen", nowMillis: TestCounty.now)
            try await county.syncRounds([township, village], url: url)
            let attacker = try await county.node(name: "village-002", scope: TestCounty.village2, hubURL: url)
            forger = try Forger(attacker, url: url, hubKey: county.hub.info.publicKey)
        }

        func clock(_ id: RecordID) async throws -> VersionVector { try await county.hubState(of: id)!.clock }

        /// Pushes and returns the quarantine reasons, in order; every op must be quarantined.
        func refusals(_ ops: [Op]) async throws -> [String] {
            let answer = try await forger.push(ops)
            if answer.status != 200 { Issue.record("push refused: \(answer.status) \(answer.message)") }
            let response = try PushResponse(json: answer.json)
            #expect(response.applied == 0)
            #expect(response.quarantined.map(\.dot) == ops.map(\.dot))
            return response.quarantined.map(\.reason)
        }
    }

    @Test(
        "an edit of another village's household that also sets its village to the writer's is refused, and its pull carries nothing of it",
        arguments: HubStoreKind.allCases)
    func takeover(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let scene = try await Scene(county, url: url)
            let digest = try await county.hubDigest()
            let takeover = try scene.forger.op(
                record: scene.home, scope: TestCounty.village2,
                fields: ["village": .text(TestCounty.village2), "address": .text("我的")],
                context: try await scene.clock(scene.home))
            // Claiming the record's own village instead changes nothing: the writer's scope decides.
            let claimed = try scene.forger.op(
                record: scene.home, scope: TestCounty.village1, fields: ["phone": .text("13900000000")],
                context: try await scene.clock(scene.home))
            let takeMember = try scene.forger.op(
                record: scene.member, scope: TestCounty.village2, fields: ["village": .text(TestCounty.village2)],
                context: try await scene.clock(scene.member))
            let reasons = try await scene.refusals([takeover, claimed, takeMember])
            for reason in reasons {
                #expect(reason.hasPrefix("R14:"), "\(reason)")
                #expect(
                    !reason.contains(TestCounty.village1), "the refusal does not say where the record lives: \(reason)")
            }
            #expect(try await county.hubDigest() == digest)
            #expect(try await county.hubText(scene.home, "village") == TestCounty.village1)
            let pulled = try await scene.forger.pullAll()
            let theirs: Set<RecordID> = [scene.home, scene.member, scene.enrollment]
            #expect(
                pulled.filter { theirs.contains($0.record) }.isEmpty, "nothing of village 1's records reaches village 2"
            )
            #expect(!pulled.contains { $0.fields.values.contains { if case .sealed = $0 { true } else { false } } })
        }
    }

    @Test(
        "a village node cannot record a death for a member elsewhere: the enrollment keeps paying and no rule fires",
        arguments: HubStoreKind.allCases)
    func foreignDeath(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let scene = try await Scene(county, url: url)
            let death = try scene.forger.op(
                record: scene.member, scope: TestCounty.village1,
                fields: ["vital_status": .text("deceased"), "death_date": .text("2026-10-01")],
                context: try await scene.clock(scene.member))
            let reasons = try await scene.refusals([death])
            #expect(reasons[0].hasPrefix("R14:"))
            #expect(try await county.hubText(scene.member, "vital_status") == "alive")
            #expect(try await county.hubText(scene.enrollment, "status") == "approved")
            #expect(try await county.hub.decisions().filter { $0.rule == "R1" }.isEmpty)
            // The roll is computed from the hub's file (not yet on a server).
            if store == .sqlite {
                let roll = try county.hub.replica.payroll(
                    for: try Month.parse("2026-11", field: "month"), nowMillis: TestCounty.now)
                #expect(roll.rows.map(\.enrollment) == [scene.enrollment])
            }
        }
    }

    @Test(
        "records are not enumerable by id: a record elsewhere and one that does not exist get the same refusal",
        arguments: HubStoreKind.allCases)
    func noEnumeration(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let scene = try await Scene(county, url: url)
            // A record the county made itself (as a roster import does), named by guessing the hub's counter.
            let village1 = try DivisionCode.parse(TestCounty.village1, field: "village")
            let hubHome = try await county.hub.storage.edit(author: "county", nowMillis: TestCounty.now) { edit in
                try edit.create(
                    .household, village: village1,
                    fields: ["address": .text("县导入"), "status": .text("active"), "type": .text("rural")], cause: nil)
            }.result
            let missing = RecordID(type: .household, creator: Dot(replica: county.hub.info.id, counter: 999_999))
            let edits = try [hubHome, missing].map { id in
                try scene.forger.op(
                    record: id, scope: TestCounty.village2, fields: ["note": .text("?")],
                    context: VersionVector([id.creator.replica: id.creator.counter]))
            }
            let reasons = try await scene.refusals(edits)
            #expect(
                reasons[0].replacingOccurrences(of: hubHome.value, with: "ID")
                    == reasons[1].replacingOccurrences(of: missing.value, with: "ID"))
            let pulled = try await scene.forger.pullAll()
            #expect(pulled.filter { $0.record == hubHome }.isEmpty)
        }
    }

    @Test(
        "only a township or the county moves a record, within its own scope; both ends are judged",
        arguments: HubStoreKind.allCases)
    func moves(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let scene = try await Scene(county, url: url)
            // The village node moves its own household to the other village of its township.
            let villageForger = try Forger(scene.village, url: url, hubKey: county.hub.info.publicKey)
            let villageMove = try villageForger.op(
                record: scene.home, scope: TestCounty.village2, fields: ["village": .text(TestCounty.village2)],
                context: try await scene.clock(scene.home))
            let response = try await villageForger.pushAnswered([villageMove])
            #expect(response.quarantined.first?.reason.contains("a village node does not move records") == true)
            // The township moves it out of its township.
            let townForger = try Forger(scene.township, url: url, hubKey: county.hub.info.publicKey)
            let outside = "421281102001"
            let townMove = try townForger.op(
                record: scene.home, scope: outside, fields: ["village": .text(outside)],
                context: try await scene.clock(scene.home))
            let townAnswer = try await townForger.pushAnswered([townMove])
            #expect(townAnswer.quarantined.first?.reason.contains("cannot move to \(outside)") == true)
            // A move logged under another village than the one it moves to.
            let mislogged = try townForger.op(
                record: scene.home, scope: TestCounty.village1, fields: ["village": .text(TestCounty.village2)],
                context: try await scene.clock(scene.home))
            let mislogAnswer = try await townForger.pushAnswered([mislogged])
            #expect(mislogAnswer.quarantined.first?.reason.contains("but is logged under") == true)
            #expect(try await county.hubText(scene.home, "village") == TestCounty.village1)
            // Within its township, through the ordinary command, the township's move applies (a fresh
            // township node: the forged ops above advanced the first one's chain on the hub only).
            let township2 = try await county.node(name: "town-101b", scope: TestCounty.township, hubURL: url)
            try await county.sync(township2, url: url)
            _ = try township2.moveHousehold(
                scene.home.value, toVillage: TestCounty.village2, author: "zhen", nowMillis: TestCounty.now)
            try await county.sync(township2, url: url)
            #expect(try await county.hubText(scene.home, "village") == TestCounty.village2)
        }
    }

    @Test(
        "a new record lies where its op is logged, and what it references lies there too",
        arguments: HubStoreKind.allCases)
    func creations(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let scene = try await Scene(county, url: url)
            let elsewhere = try scene.forger.op(
                creates: .household, scope: TestCounty.village2,
                fields: ["village": .text(TestCounty.village1), "address": .text("x"), "status": .text("active")])
            let foreignHousehold = try scene.forger.op(
                creates: .member, scope: TestCounty.village2,
                fields: [
                    "village": .text(TestCounty.village2), "household": .text(scene.home.value), "name": .text("李四"),
                    "vital_status": .text("alive"),
                ])
            let foreignMember = try scene.forger.op(
                creates: .enrollment, scope: TestCounty.village2,
                fields: [
                    "village": .text(TestCounty.village2), "member": .text(scene.member.value),
                    "program": .text("dibao_rural"), "status": .text("applied"),
                ])
            let reasons = try await scene.refusals([elsewhere, foreignHousehold, foreignMember])
            #expect(reasons[0].contains("a new record's village must be the village its op is logged under"))
            #expect(reasons[1].contains("household names \(scene.home)"))
            #expect(reasons[2].contains("member names \(scene.member)"))
            // Its own household and a member of it, in one batch: the second sees the first.
            let own = try scene.forger.op(
                creates: .household, scope: TestCounty.village2,
                fields: ["village": .text(TestCounty.village2), "address": .text("二组"), "status": .text("active")])
            let ownMember = try scene.forger.op(
                creates: .member, scope: TestCounty.village2,
                fields: [
                    "village": .text(TestCounty.village2), "household": .text(own.record.value), "name": .text("赵六"),
                    "vital_status": .text("alive"),
                ])
            let accepted = try await scene.forger.pushAnswered([own, ownMember])
            #expect(accepted.quarantined.isEmpty)
            #expect(accepted.applied == 2)
        }
    }

    @Test(
        "a household's payee is a person of its own village: a node cannot name another village's member to be paid",
        arguments: HubStoreKind.allCases)
    func payeeElsewhere(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let scene = try await Scene(county, url: url)
            let own = try scene.forger.op(
                creates: .household, scope: TestCounty.village2,
                fields: ["village": .text(TestCounty.village2), "address": .text("二组"), "status": .text("active")])
            let ownMember = try scene.forger.op(
                creates: .member, scope: TestCounty.village2,
                fields: [
                    "village": .text(TestCounty.village2), "household": .text(own.record.value), "name": .text("赵六"),
                    "vital_status": .text("alive"),
                ])
            #expect(try await scene.forger.pushAnswered([own, ownMember]).applied == 2)
            let clock = try await scene.clock(own.record)
            let foreign = try scene.forger.op(
                record: own.record, scope: TestCounty.village2, fields: ["payee": .text(scene.member.value)],
                context: clock)
            let reasons = try await scene.refusals([foreign])
            #expect(
                reasons == ["R14: payee names \(scene.member), which is not a record of village \(TestCounty.village2)"]
            )
            #expect(try await county.hubText(own.record, "payee") == "")
            let mine = try scene.forger.op(
                record: own.record, scope: TestCounty.village2, fields: ["payee": .text(ownMember.record.value)],
                context: clock)
            #expect(try await scene.forger.pushAnswered([mine]).applied == 1)
            #expect(try await county.hubText(own.record, "payee") == ownMember.record.value)
        }
    }

    @Test(
        "only the hub voids ops: an op from a node carrying voids is refused on the wire and by the ledger",
        arguments: HubStoreKind.allCases)
    func voidsFromNode(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let scene = try await Scene(county, url: url)
            let approval = try #require(
                try await county.hubOps(record: scene.enrollment).last { $0.fields["decision"] != nil })
            let villageForger = try Forger(scene.village, url: url, hubKey: county.hub.info.publicKey)
            let void = try villageForger.op(
                record: scene.enrollment, scope: TestCounty.village1, fields: ["note": .text("x")],
                context: try await scene.clock(scene.enrollment), voids: [approval.dot])
            // Refused whole on the wire; an op reaching the ledger another way is refused there too.
            let answer = try await villageForger.push([void])
            #expect(answer.status == 400)
            #expect(answer.message.contains("only the county hub may void ops"))
            let node = try #require(try await county.hub.node(scene.village.info.id))
            let outcome = try await county.hub.acceptPush(from: node, ops: [void], nowMillis: TestCounty.now) { _ in nil
            }
            #expect(outcome.quarantined.first?.reason.contains("only the hub voids ops") == true)
            #expect(try await county.hubText(scene.enrollment, "decision") == "approved")
        }
    }

    @Test(
        "a pull never carries a record's history to a replica whose scope the record is not in",
        arguments: HubStoreKind.allCases)
    func pullsFollowTheRecord(store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        try await withRunningHub(county.service()) { url in
            let scene = try await Scene(county, url: url)
            _ = try scene.township.moveHousehold(
                scene.home.value, toVillage: TestCounty.village2, author: "zhen", nowMillis: TestCounty.now)
            try await county.syncRounds([scene.township, scene.village], url: url)
            #expect(try scene.village.state(of: scene.home) == nil, "handed over by the village it left")
            // A laptop of village 1 set up after the move learns nothing of the household.
            let newcomer = try await county.node(name: "village-001b", scope: TestCounty.village1, hubURL: url)
            let raw = try Forger(newcomer, url: url, hubKey: county.hub.info.publicKey)
            let moved: Set<RecordID> = [scene.home, scene.member, scene.enrollment]
            let pulled = try await raw.pullAll()
            #expect(pulled.filter { moved.contains($0.record) && $0.fields["village"] == nil }.isEmpty)
            #expect(pulled.filter { moved.contains($0.record) }.count <= moved.count, "at most the moves themselves")
            try await county.sync(newcomer, url: url)
            #expect(try newcomer.recordIDs().filter { moved.contains($0) }.isEmpty)
            #expect(try newcomer.status().waiting == 0)
            // Village 2's node, which the household entered, holds it whole.
            let receiver = try await county.node(name: "village-002b", scope: TestCounty.village2, hubURL: url)
            try await county.sync(receiver, url: url)
            #expect(try receiver.state(of: scene.home) == (try await county.hubState(of: scene.home)))
            #expect(try receiver.state(of: scene.enrollment) == (try await county.hubState(of: scene.enrollment)))
        }
    }

    @Test("a storage error while judging a push fails it with 500 and applies nothing; it never skips a check")
    func storageErrorFailsThePush() async throws {
        let county = try TestCounty()
        try await withRunningHub(county.service()) { url in
            let scene = try await Scene(county, url: url)
            try scene.village.edit(scene.home) { $0.phone = "13800000009" }
            let before = try county.hub.replica.opCount()
            // The household's stored merge state is damaged behind the hub's back.
            let other = try DatabaseQueue(path: county.hub.path)
            let damaged = scene.home.value
            try await other.write { db in
                try db.execute(sql: "UPDATE record_meta SET state = X'01FF' WHERE id = ?", arguments: [damaged])
            }
            try other.close()
            let refusal = await county.refusal(of: scene.village, url: url)
            #expect(refusal?.status == 500, "\(String(describing: refusal))")
            #expect(try county.hub.replica.opCount() == before)
            #expect(try await county.hub.hubGauges().quarantined == 0)
        }
    }
}
