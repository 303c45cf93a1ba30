import Foundation
import HearthClient
import HearthCore
import HearthStore
import Testing

@testable import HearthLedger

/// A county hub with households paid in several ways, for the roll as the bank takes it.
private struct BankCounty {
    static let otherTownship = "421281102"
    static let otherVillage = "421281102001"
    static let card = "6222020200112233445"
    static let ownCard = "6228480000111122"
    static let cardC = "6217000011112222333"

    let county: TestCounty
    var hub: HubLedger { county.hub }
    /// Two dibao members (甲 head, 乙 the named payee), the household's card; 甲 also has
    /// disability_living on an own card.
    let householdA: RecordID
    let jia: RecordID
    let yi: RecordID
    let jiaDisability: RecordID
    /// Dibao, no card at all.
    let householdB: RecordID
    /// disability_living, no own card: the household's card, with an account name (户名).
    let householdC: RecordID
    let ding: RecordID
    /// In another township: dibao, paid in September, then found to have died in August.
    let householdE: RecordID
    let wu: RecordID
    let wuDibao: RecordID
    let jiaDibao: RecordID

    init() throws {
        county = try TestCounty()
        let hub = county.hub
        func approve(_ enrollments: [RecordID]) throws {
            for enrollment in enrollments {
                _ = try hub.replica.changeEnrollment(
                    enrollment.value, .approve, note: nil, author: "a", nowMillis: TestCounty.now)
            }
        }
        func dibao(_ household: RecordID) throws -> [RecordID] {
            let enrollments = try hub.replica.enroll(
                EnrollInput(household: household.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                author: "a", nowMillis: TestCounty.now)
            try approve(enrollments)
            return enrollments
        }
        func disability(_ member: RecordID) throws -> RecordID {
            var grade = MemberInput()
            grade.disabilityGrade = 2
            try hub.replica.editMember(member.value, grade, author: "a", nowMillis: TestCounty.now)
            let enrollment = try hub.replica.enroll(
                EnrollInput(member: member.value, program: "disability_living", amount: "80", start: "2026-01"),
                author: "a", nowMillis: TestCounty.now)[0]
            try approve([enrollment])
            return enrollment
        }

        let householdA = try hub.replica.household(in: TestCounty.village1, address: "新庄村一组")
        let jia = try hub.replica.member(
            of: householdA, name: "甲", idNumber: idNumber(born: "19600101", sequence: "011"))
        let yi = try hub.replica.member(
            of: householdA, name: "乙", idNumber: idNumber(born: "19620101", sequence: "022"), relation: "spouse")
        try hub.replica.edit(householdA) { $0.bankCard = Self.card }
        try hub.replica.edit(householdA) { $0.payee = yi.value }
        let enrolledA = try dibao(householdA)
        jiaDibao = try #require(
            try enrolledA.first { try hub.replica.view($0, reveal: false).value("member") == jia.value })
        (self.householdA, self.jia, self.yi) = (householdA, jia, yi)
        jiaDisability = try disability(jia)
        var own = MemberInput()
        own.bankCard = Self.ownCard
        try hub.replica.editMember(jia.value, own, author: "a", nowMillis: TestCounty.now)

        householdB = try hub.replica.household(in: TestCounty.village1, address: "新庄村二组")
        _ = try hub.replica.member(of: householdB, name: "丙", idNumber: idNumber(born: "19550101", sequence: "031"))
        _ = try dibao(householdB)

        householdC = try hub.replica.household(in: TestCounty.village2, address: "河湾村")
        ding = try hub.replica.member(of: householdC, name: "丁", idNumber: idNumber(born: "19700101", sequence: "041"))
        try hub.replica.edit(householdC) {
            $0.bankCard = Self.cardC
            $0.accountName = "丁某某"
        }
        _ = try disability(ding)

        householdE = try hub.replica.household(in: Self.otherVillage, address: "东岗村")
        wu = try hub.replica.member(of: householdE, name: "戊", idNumber: idNumber(born: "19400101", sequence: "051"))
        try hub.replica.edit(householdE) { $0.bankCard = "6222000099998888" }
        wuDibao = try dibao(householdE)[0]
    }
}

@Suite("The roll as the bank takes it: one line per payee per program, the rest kept apart")
struct BankRollTests {
    static let september = try! Month.parse("2026-09", field: "m")
    static let october = try! Month.parse("2026-10", field: "m")

    @Test(
        "a household program pays its payee on the household's card, an own program the person's own card; no card and recovery are apart"
    )
    func linesPerPayee() async throws {
        let setup = try BankCounty()
        let hub = setup.hub
        // September is paid; then a raise for 甲's dibao from September, and 戊's death in August.
        try await hub.lock(
            try hub.replica.payroll(for: Self.september, nowMillis: TestCounty.now), worker: "admin",
            nowMillis: TestCounty.now)
        try hub.replica.changeAmount(
            setup.jiaDibao.value, amount: "600", from: "2026-09", reason: "提标", author: "a", nowMillis: TestCounty.now)
        _ = try hub.replica.recordDeath(
            member: setup.wu.value, date: "2026-08-20", author: "a", nowMillis: TestCounty.now)

        let payroll = try hub.replica.payroll(for: Self.october, nowMillis: TestCounty.now)
        let roll = try await hub.bankRoll(payroll)
        #expect(roll.month == Self.october)
        #expect(roll.county == TestCounty.county)

        // Household A's dibao: one line for both members, paid to the named payee 乙 on the household's card.
        let dibaoA = try #require(
            roll.lines.first { $0.household == setup.householdA.value && $0.program == .dibaoRural })
        #expect(dibaoA.payee == setup.yi)
        #expect(dibaoA.payeeName == "乙")
        #expect(dibaoA.payeeIDNumber == idNumber(born: "19620101", sequence: "022"))
        #expect(dibaoA.accountName == "乙", "no 户名 recorded: the payee's name")
        #expect(dibaoA.bankCard == BankCounty.card)
        #expect(dibaoA.account == .household)
        #expect(Set(dibaoA.members) == [setup.jia, setup.yi])
        #expect(dibaoA.regular == Money(fen: 60_000 + 56_000))
        #expect(dibaoA.backPay == Money(fen: 4_000), "补发 for September, its own column")
        #expect(dibaoA.backPayMonths == [Self.september])
        #expect(dibaoA.total == Money(fen: 60_000 + 56_000 + 4_000))

        // 甲's own program: 甲's own card, not the household's.
        let ownA = try #require(
            roll.lines.first { $0.program == .disabilityLiving && $0.household == setup.householdA.value })
        #expect(ownA.payee == setup.jia)
        #expect(ownA.bankCard == BankCounty.ownCard)
        #expect(ownA.account == .own)
        #expect(ownA.accountName == "甲")
        #expect(ownA.total == Money(fen: 8_000))

        // 丁's own program without an own card: the household's card, under its 户名.
        let ownC = try #require(roll.lines.first { $0.household == setup.householdC.value })
        #expect(ownC.payee == setup.ding)
        #expect(ownC.bankCard == BankCounty.cardC)
        #expect(ownC.account == .household)
        #expect(ownC.accountName == "丁某某")

        // Household B has no card: not in the disbursement, listed apart with the reason.
        #expect(!roll.lines.contains { $0.household == setup.householdB.value })
        let unpaid = try #require(roll.withoutCard.first)
        #expect(roll.withoutCard.count == 1)
        #expect(unpaid.line.household == setup.householdB.value)
        #expect(unpaid.line.total == Money(fen: 56_000))
        #expect(unpaid.reason.contains("no bank card"))
        #expect(roll.withoutCardTotal == Money(fen: 56_000))

        // 戊's September is recovered: a list of its own, never netted into the bank's total.
        #expect(roll.recoveries.count == 1)
        let recovery = try #require(roll.recoveries.first)
        #expect(recovery.enrollment == setup.wuDibao)
        #expect(recovery.amount == Money(fen: -56_000))
        #expect(recovery.forMonth == Self.september)
        #expect(recovery.idNumber == idNumber(born: "19400101", sequence: "051"))
        #expect(roll.recoveryTotal == Money(fen: -56_000))
        #expect(!roll.lines.contains { $0.household == setup.householdE.value })
        #expect(roll.lines.count == 3)
        #expect(roll.total == Money(fen: 120_000 + 8_000 + 8_000))
        #expect(roll.regularTotal == Money(fen: 116_000 + 8_000 + 8_000))
        #expect(roll.backPayTotal == Money(fen: 4_000))
        // Everything the roll owes is in one of the three: the bank's, the no-card list, the recovery.
        #expect(roll.total.fen + roll.withoutCardTotal.fen + roll.recoveryTotal.fen == payroll.total.fen)
    }

    @Test(
        "read set-wise and from what the roll opened, the bank roll is the one read line by line and opened afresh"
    )
    func setWiseReads() async throws {
        let setup = try BankCounty()
        let hub = setup.hub
        try await hub.lock(
            try hub.replica.payroll(for: Self.september, nowMillis: TestCounty.now), worker: "admin",
            nowMillis: TestCounty.now)
        try hub.replica.changeAmount(
            setup.jiaDibao.value, amount: "600", from: "2026-09", reason: "提标", author: "a", nowMillis: TestCounty.now)
        _ = try hub.replica.recordDeath(
            member: setup.wu.value, date: "2026-08-20", author: "a", nowMillis: TestCounty.now)
        let payroll = try hub.replica.payroll(for: Self.october, nowMillis: TestCounty.now)
        #expect(!payroll.opened.isEmpty, "the roll hands over the ID and card numbers it opened")
        var unopened = payroll
        unopened.opened = [:]
        let setWise = try await hub.bankRoll(payroll)
        let lineByLine = try await hub.bankRoll(unopened, prefetching: false)
        func documents(_ roll: BankRoll) throws -> [[[String]]] {
            [
                PayrollFile.disbursement(roll), PayrollFile.noCard(roll), PayrollFile.recovery(roll),
                try PayrollFile.summary(roll),
            ]
        }
        #expect(try documents(setWise) == documents(lineByLine))
        // The accounts read ahead while the roll is computed: the payee who died is not paid.
        let (rollAhead, ahead) = try await hub.payrollWithBankRoll(for: Self.october, nowMillis: TestCounty.now)
        #expect(rollAhead.total == payroll.total)
        #expect(try documents(ahead) == documents(lineByLine))
        #expect(ahead.lines.map(\.payeeIDNumber) == lineByLine.lines.map(\.payeeIDNumber))
        #expect(setWise.lines.count == 3 && setWise.withoutCard.count == 1 && setWise.recoveries.count == 1)
        #expect(setWise.lines.map(\.payeeIDNumber) == lineByLine.lines.map(\.payeeIDNumber))
    }

    @Test("the four files, built side by side and the disbursement in two halves, hold byte for byte their rows")
    func filesBuiltInParts() async throws {
        let setup = try BankCounty()
        let hub = setup.hub
        let payroll = try hub.replica.payroll(for: Self.october, nowMillis: TestCounty.now)
        let whole = try await hub.bankRoll(payroll)
        #expect(whole.lines.count >= 2)
        // Every count of lines from none to all: a half may be empty, odd or even.
        for count in 0...whole.lines.count {
            let roll = BankRoll(
                month: whole.month, county: whole.county, countyName: whole.countyName, names: whole.names,
                locked: whole.locked, lines: Array(whole.lines.prefix(count)), withoutCard: whole.withoutCard,
                recoveries: whole.recoveries, total: whole.total, regularTotal: whole.regularTotal,
                backPayTotal: whole.backPayTotal, withoutCardTotal: whole.withoutCardTotal,
                recoveryTotal: whole.recoveryTotal)
            let out = setup.county.directory + "/parts-\(count).csv"
            let paths = try await PayrollFile.write(roll, to: out)
            let rows = [
                PayrollFile.disbursement(roll), PayrollFile.noCard(roll), PayrollFile.recovery(roll),
                try PayrollFile.summary(roll),
            ]
            for (path, rows) in zip(paths.all, rows) {
                let bytes = try #require(FileManager.default.contents(atPath: path))
                #expect(Array(bytes) == SpreadsheetCSV.bytes(rows), "\(count) lines: \(path)")
            }
            let numbers = PayrollFile.disbursement(roll).dropFirst(2).dropLast().map { $0.first }
            #expect(numbers == (0..<count).map { String($0 + 1) }, "lines numbered through both halves")
        }
    }

    @Test("subtotals per township and village add up to the county's total, recovery and no-card lines included")
    func subtotals() async throws {
        let setup = try BankCounty()
        let hub = setup.hub
        try await hub.lock(
            try hub.replica.payroll(for: Self.september, nowMillis: TestCounty.now), worker: "admin",
            nowMillis: TestCounty.now)
        _ = try hub.replica.recordDeath(
            member: setup.wu.value, date: "2026-08-20", author: "a", nowMillis: TestCounty.now)
        let roll = try await hub.bankRoll(try hub.replica.payroll(for: Self.october, nowMillis: TestCounty.now))
        let subtotals = try roll.subtotals()
        #expect(
            subtotals.map(\.area) == [
                TestCounty.township, TestCounty.village1, TestCounty.village2, BankCounty.otherTownship,
                BankCounty.otherVillage, TestCounty.county,
            ])
        #expect(subtotals.map(\.level) == [.township, .village, .village, .township, .village, .county])
        func area(_ code: String) throws -> BankRoll.Subtotal { try #require(subtotals.first { $0.area == code }) }
        let village1 = try area(TestCounty.village1)
        #expect(village1.lines == 2)
        #expect(village1.persons == 3)
        #expect(village1.total == Money(fen: 2 * 56_000 + 8_000))
        #expect(village1.withoutCard == 1)
        #expect(village1.withoutCardTotal == Money(fen: 56_000))
        let township = try area(TestCounty.township)
        #expect(township.lines == 3)
        #expect(township.total == Money(fen: 2 * 56_000 + 8_000 + 8_000))
        #expect(township.recoveries == 0)
        let other = try area(BankCounty.otherTownship)
        #expect(other.lines == 0)
        #expect(other.recoveries == 1)
        #expect(other.recoveryTotal == Money(fen: -56_000))
        let county = try area(TestCounty.county)
        #expect(county.lines == roll.lines.count)
        #expect(county.total == roll.total)
        #expect(county.withoutCard == roll.withoutCard.count)
        #expect(county.recoveryTotal == roll.recoveryTotal)
    }

    @Test("the payee falls back to the head when the named payee dies; an own card's 户名 is used when recorded")
    func payeeFallback() async throws {
        let setup = try BankCounty()
        let hub = setup.hub
        _ = try hub.replica.recordDeath(
            member: setup.yi.value, date: "2026-08-20", author: "a", nowMillis: TestCounty.now)
        var name = MemberInput()
        name.accountName = "甲(代)"
        try hub.replica.editMember(setup.jia.value, name, author: "a", nowMillis: TestCounty.now)
        let roll = try await hub.bankRoll(try hub.replica.payroll(for: Self.october, nowMillis: TestCounty.now))
        let dibaoA = try #require(
            roll.lines.first { $0.household == setup.householdA.value && $0.program == .dibaoRural })
        #expect(dibaoA.payee == setup.jia, "乙 died: the head is paid")
        #expect(dibaoA.accountName == "甲")
        #expect(dibaoA.members == [setup.jia])
        let ownA = try #require(
            roll.lines.first { $0.program == .disabilityLiving && $0.household == setup.householdA.value })
        #expect(ownA.accountName == "甲(代)")
    }

    @Test(
        "the four files: the bank's states month, county, lines and total; the rest apart; 0600, never over a file; audited"
    )
    func files() async throws {
        let setup = try BankCounty()
        let hub = setup.hub
        try await hub.lock(
            try hub.replica.payroll(for: Self.september, nowMillis: TestCounty.now), worker: "admin",
            nowMillis: TestCounty.now)
        _ = try hub.replica.recordDeath(
            member: setup.wu.value, date: "2026-08-20", author: "a", nowMillis: TestCounty.now)
        let roll = try await hub.bankRoll(try hub.replica.payroll(for: Self.october, nowMillis: TestCounty.now))
        let out = setup.county.directory + "/roll-2026-10.csv"
        let paths = try await hub.writeRoll(roll, to: out, worker: "county-admin", nowMillis: TestCounty.now)
        #expect(
            paths.all == [
                out, setup.county.directory + "/roll-2026-10-no-card.csv",
                setup.county.directory + "/roll-2026-10-recovery.csv",
                setup.county.directory + "/roll-2026-10-summary.csv",
            ])
        func lines(_ path: String) throws -> [String] {
            let bytes = try #require(FileManager.default.contents(atPath: path))
            #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "\(path): a BOM for Excel")
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(path)")
            return String(decoding: bytes.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n").filter {
                !$0.isEmpty
            }
        }
        let bank = try lines(paths.disbursement)
        #expect(bank[0].hasPrefix("一卡通发放名册,发放月份,2026-10,县(市、区)区划代码,421281,"))
        #expect(bank[0].contains(",笔数,3,发放总额(元),1280.00,"), "\(bank[0])")
        #expect(bank[0].contains(",无卡另列笔数,1,追缴另列笔数,1,"), "\(bank[0])")
        #expect(bank[1].hasPrefix("序号,乡镇(街道),乡镇(街道)名称,村(社区),村(社区)名称,户编号,救助项目"))
        #expect(bank.count == 2 + 3 + 1)
        #expect(bank[2].hasPrefix("1,421281101,,421281101001,,\(setup.householdA.value),农村低保,dibao_rural,2,"))
        #expect(bank[2].contains(",\t\(BankCounty.card),户卡,1120.00,0.00,1120.00,"), "\(bank[2])")
        #expect(bank.last?.hasPrefix("合计,") == true)
        #expect(bank.last?.contains(",1280.00,0.00,1280.00,") == true, "\(bank.last ?? "")")
        #expect(!bank.joined().contains("-560.00"), "recovery is never in the bank's file")

        let noCard = try lines(paths.noCard)
        #expect(noCard.count == 3)
        #expect(
            noCard[2].contains(setup.householdB.value)
                && noCard[2].hasSuffix(",no bank card (一卡通) on record for the household"))
        let recovery = try lines(paths.recovery)
        #expect(recovery.count == 3)
        #expect(recovery[0].contains(",笔数,1,追缴总额(元),-560.00"))
        #expect(
            recovery[2].contains(",\t\(idNumber(born: "19400101", sequence: "051")),农村低保,dibao_rural,2026-09,-560.00,"))
        let summary = try lines(paths.summary)
        #expect(summary.count == 2 + 6)
        #expect(summary.last == "县(市、区)合计,421281,\(hub.info.name),3,4,1280.00,0.00,1280.00,1,560.00,1,-560.00")

        // Audited: who took the numbers, when, which month and how many lines.
        let audit = try hub.replica.auditTrail()
        #expect(audit.count == 1)
        #expect(audit.first?.action == "export")
        #expect(audit.first?.worker == "county-admin")
        #expect(audit.first?.subject == out)
        #expect(audit.first?.field == "payroll")
        #expect(audit.first?.detail.hasPrefix("roll for 2026-10: 3 lines, 1280.00 yuan to the bank") == true)

        // Never over an existing file: with any of the four there, none is written, nothing audited.
        try FileManager.default.removeItem(atPath: paths.disbursement)
        await #expect(throws: ReplicaError.self) {
            try await hub.writeRoll(roll, to: out, worker: "county-admin", nowMillis: TestCounty.now)
        }
        #expect(!FileManager.default.fileExists(atPath: paths.disbursement))
        #expect(try hub.replica.auditTrail().count == 1)
    }

    @Test(
        "two payees, or two own cards, written concurrently hold the money they decide until the county settles them",
        arguments: HubStoreKind.allCases)
    func whereMoneyGoesConflictHolds(_ store: HubStoreKind) async throws {
        let county = try await TestCounty(store)
        let hub = county.hub
        try await withRunningHub(county.service()) { url in
            let village = try await county.node(name: "village-001", scope: TestCounty.village1, hubURL: url)
            let township = try await county.node(name: "town-101", scope: TestCounty.township, hubURL: url)
            let home = try village.household(in: TestCounty.village1, address: "一组")
            let head = try village.member(of: home, name: "甲", idNumber: idNumber(born: "19600101", sequence: "011"))
            let spouse = try village.member(
                of: home, name: "乙", idNumber: idNumber(born: "19620101", sequence: "022"), relation: "spouse")
            try village.edit(home) { $0.bankCard = BankCounty.card }
            let dibao = try village.enroll(
                EnrollInput(household: home.value, program: "dibao_rural", amount: "560", start: "2026-01"),
                author: "w1",
                nowMillis: TestCounty.now)
            var grade = MemberInput()
            grade.disabilityGrade = 2
            try village.editMember(head.value, grade, author: "w1", nowMillis: TestCounty.now)
            let own = try village.enroll(
                EnrollInput(member: head.value, program: "disability_living", amount: "80", start: "2026-01"),
                author: "w1",
                nowMillis: TestCounty.now)[0]
            try await county.syncRounds([village, township], url: url)
            for enrollment in dibao + [own] {
                _ = try township.changeEnrollment(
                    enrollment.value, .approve, note: nil, author: "t1", nowMillis: TestCounty.now)
            }
            try await county.syncRounds([village, township], url: url)
            let october = try Month.parse("2026-10", field: "m")
            #expect(
                Set(
                    try await hub.reading { try $0.payroll(for: october, nowMillis: TestCounty.now) }.rows.map(
                        \.enrollment))
                    == Set(dibao + [own]))

            // Offline, each records another own card for 甲: 甲's money is held, 乙's is paid.
            var card = MemberInput()
            card.bankCard = "6228480000111122"
            try village.editMember(head.value, card, author: "w1", nowMillis: TestCounty.now)
            card.bankCard = "6228480000999988"
            try township.editMember(head.value, card, author: "t1", nowMillis: TestCounty.now)
            try await county.syncRounds([village, township], url: url)
            #expect(try await hub.reading { try $0.conflictedFields() } == ["\(head.value)/bank_card"])
            let cards = try await hub.reading { try $0.payroll(for: october, nowMillis: TestCounty.now) }
            #expect(cards.rows.map(\.member) == [spouse])
            #expect((cards.leftOut["held (conflict or rule case)"] ?? []).count == 2)
            #expect(cards.leftOut["held (conflict or rule case)"]?.contains(own) == true)
            // What `status` and `show` list as held, found from the records in conflict (on
            // PostgreSQL too, which refused the SQLite join this read once wrote).
            let held = try await hub.reading { try $0.heldEnrollments(nowMillis: TestCounty.now) }
            #expect(held.count == 2 && Set(held.map(\.0)) == Set(cards.leftOut["held (conflict or rule case)"] ?? []))

            // Then each names another payee for the household: the household's money is held too.
            try village.edit(home) { $0.payee = spouse.value }
            try township.edit(home, author: "t1") { $0.payee = head.value }
            try await county.syncRounds([village, township], url: url)
            #expect(
                Set(try await hub.reading { try $0.conflictedFields() }) == [
                    "\(home.value)/payee", "\(head.value)/bank_card",
                ])

            let roll = try await hub.reading { try $0.payroll(for: october, nowMillis: TestCounty.now) }
            #expect(roll.rows.isEmpty, "who is paid, and into which card, is in dispute: nothing goes to the bank")
            #expect(Set(roll.leftOut["held (conflict or rule case)"] ?? []) == Set(dibao + [own]))
            let bank = try await county.hub.bankRoll(roll)
            #expect(bank.lines.isEmpty && bank.total == .zero)
        }
    }
}
