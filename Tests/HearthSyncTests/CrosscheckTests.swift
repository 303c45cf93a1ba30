import Foundation
import HearthCore
import HearthLedger
import HearthStore
import Testing

@Suite("Cross-checks: other departments' lists become leads for the owning township")
struct CrosscheckTests {
    private func month(_ text: String) throws -> Month { try Month.parse(text, field: "month") }

    @Test(
        "a death list stops exactly the matching enrollments; the township confirms or refutes; paid months come back as recovery",
        arguments: HubStoreKind.allCases)
    func deathList(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        let hub = county.hub
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let idA = idNumber(born: "19400101", sequence: "011")
            let idB = idNumber(born: "19450202", sequence: "021")
            let idC = idNumber(born: "19500303", sequence: "031")
            var enrollments: [String: [RecordID]] = [:]
            var members: [String: RecordID] = [:]
            for (name, id, grade) in [("甲", idA, 2), ("乙", idB, 0), ("丙", idC, 0)] {
                let home = try village.household(in: TestCounty.village1, address: name)
                let member = try village.member(of: home, name: name, idNumber: id)
                members[name] = member
                var input = MemberInput()
                if grade > 0 {
                    input.disabilityGrade = grade
                    try village.editMember(member.value, input, author: "w1", nowMillis: TestCounty.now)
                }
                enrollments[name] = try village.enroll(
                    EnrollInput(member: member.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                    author: "w1",
                    nowMillis: TestCounty.now)
                if grade > 0 {
                    enrollments[name]! += try village.enroll(
                        EnrollInput(member: member.value, program: "disability_living", amount: "80", start: "2026-01"),
                        author: "w1", nowMillis: TestCounty.now)
                }
            }
            // One application of 甲's is never approved: not paid, but held too once a death is reported.
            let applied = try village.enroll(
                EnrollInput(member: members["甲"]!.value, program: "elderly", amount: "100", start: "2026-01"),
                author: "w1",
                nowMillis: TestCounty.now)[0]
            try await county.syncRounds([village, township], url: url)
            for enrollment in enrollments.values.flatMap({ $0 }) {
                try township.changeEnrollment(
                    enrollment.value, .approve, note: nil, author: "t1", nowMillis: TestCounty.now)
            }
            try await county.syncRounds([township, village], url: url)
            let october = try await hub.reading { try $0.payroll(for: try month("2026-10"), nowMillis: TestCounty.now) }
            #expect(october.rows.count == 4)
            try await hub.lock(october, worker: "admin", nowMillis: TestCounty.now)

            // The civil-registry list: 甲 died in September; 乙 in a 15-digit old number; one stranger; one row Excel mangled.
            let fifteen = String(idB.prefix(6)) + String(idB.dropFirst(8).prefix(9))
            let rows = [
                CrosscheckRow(line: 2, idNumber: idA, date: "2026/9/20", detail: "姓名: 甲; 火化日期: 2026/9/20"),
                CrosscheckRow(line: 3, idNumber: fifteen, date: "2026年10月2日", detail: "姓名: 乙"),
                CrosscheckRow(
                    line: 4, idNumber: idNumber(born: "19300101", sequence: "091"), date: "2026-08-01", detail: "姓名: 某"),
                CrosscheckRow(line: 5, idNumber: "4.21281E+17", date: "2026-08-01", detail: "姓名: 某"),
            ]
            let opsBefore = try await hub.reading { try $0.opCount() }
            let refused = try await hub.importCrosscheck(
                source: .death, rows: rows, dryRun: false, skipInvalid: false, author: "admin",
                nowMillis: TestCounty.now)
            #expect(refused.wroteNothing)
            #expect(refused.problems.map(\.line) == [5])
            #expect(refused.problems.first?.field == "身份证号")
            #expect(refused.problems.first?.reason.contains("scientific notation") == true)
            #expect(try await hub.reading { try $0.opCount() } == opsBefore, "a file with a bad row changes nothing")
            let dry = try await hub.importCrosscheck(
                source: .death, rows: rows, dryRun: true, skipInvalid: true, author: "admin", nowMillis: TestCounty.now)
            #expect(dry.newLeads == 2 && dry.leads.isEmpty && dry.unmatched == 1)
            #expect(try await hub.reading { try $0.opCount() } == opsBefore, "a dry run changes nothing")

            let done = try await hub.importCrosscheck(
                source: .death, rows: rows, dryRun: false, skipInvalid: true, author: "admin", nowMillis: TestCounty.now
            )
            #expect(done.leads.count == 2)
            #expect(done.matched == 2 && done.unmatched == 1 && done.skippedLines == [5])
            let stopped = Set(enrollments["甲"]! + enrollments["乙"]!)
            #expect(Set(done.suspended) == stopped, "exactly the matching approved enrollments are suspended")
            let november = try await hub.reading {
                try $0.payroll(for: try month("2026-11"), nowMillis: TestCounty.now)
            }
            #expect(november.rows.filter { $0.kind == .regular }.map(\.enrollment) == enrollments["丙"]!)
            #expect(Set(november.leftOut["suspended"] ?? []) == stopped)
            #expect(
                try await hub.reading { try $0.holds(of: applied, nowMillis: TestCounty.now) }.contains {
                    $0.hasPrefix("R1:L-")
                })

            // The same list again changes nothing.
            let opsAfter = try await hub.reading { try $0.opCount() }
            let again = try await hub.importCrosscheck(
                source: .death, rows: rows, dryRun: false, skipInvalid: true, author: "admin", nowMillis: TestCounty.now
            )
            #expect(again.leads.isEmpty && again.alreadyImported == 2)
            #expect(try await hub.reading { try $0.opCount() } == opsAfter)

            // The leads reach the owning township, which verifies them.
            try await county.syncRounds([township, village], url: url)
            let open = try township.leads(status: "open")
            #expect(open.count == 2)
            #expect(open.allSatisfy { !$0.detail.contains(idA) && !$0.detail.contains(idB) })
            let leadA = try #require(open.first { $0.member == members["甲"] })
            let leadB = try #require(open.first { $0.member == members["乙"] })
            #expect(leadA.reportedDate == "2026-09-20")
            let ended = try township.decideLead(
                leadA.id.value, confirm: true, note: "入户核实，已火化", date: nil, author: "t1", nowMillis: TestCounty.now)
            #expect(Set(ended) == Set(enrollments["甲"]! + [applied]))
            let resumed = try township.decideLead(
                leadB.id.value, confirm: false, note: "本人健在，同名误报", date: nil, author: "t1", nowMillis: TestCounty.now)
            #expect(Set(resumed) == Set(enrollments["乙"]!))
            #expect(throws: ReplicaError.self) {
                try township.decideLead(
                    leadB.id.value, confirm: true, note: "again", date: nil, author: "t1", nowMillis: TestCounty.now)
            }
            try await county.syncRounds([township, village], url: url)

            let dead = try #require(members["甲"])
            #expect(
                try await hub.reading { try $0.state(of: dead) }?.resolution(of: "vital_status").value
                    == .text("deceased"))
            let paid = try await hub.reading { try $0.payroll(for: try month("2026-11"), nowMillis: TestCounty.now) }
            #expect(
                Set(paid.rows.filter { $0.kind == .regular }.map(\.enrollment))
                    == Set(enrollments["乙"]! + enrollments["丙"]!))
            // October was paid to 甲 after the September death: listed for recovery, and recovered in November's roll.
            let recovery = try await hub.recoveryReport()
            #expect(recovery.map(\.member) == [members["甲"]!])
            #expect(recovery.first?.amount == Money(fen: 56_000 + 8_000))
            #expect(recovery.first?.lead == leadA.id)
            #expect(recovery.first?.months == [try month("2026-10")])
            #expect(paid.rows.filter { $0.kind == .recovery }.reduce(0) { $0 + $1.amount.fen } == -(56_000 + 8_000))
            #expect(
                try await hub.reading { try $0.ruleCases(nowMillis: TestCounty.now) }.allSatisfy {
                    !$0.id.hasPrefix("R1:L-")
                })
        }
    }
}
