import Foundation
import HearthCore
import Testing

// Valid numbers used below; check digits were computed with ISO 7064 MOD 11-2 outside Swift:
// 42128119800101001 -> 1, 11010519491231002 -> X (the GB 11643 example), 42128119800101002 -> X,
// 15-digit 421281800101013 -> 421281198001010134.

private let today = CivilDate(year: 2025, month: 6, day: 1)!

private func idError(_ raw: String, today: CivilDate = today) -> InputError? {
    do {
        _ = try IDNumber(parsing: raw, today: today)
        return nil
    } catch {
        return error
    }
}

/// True when some run of four or more digits from `input` appears in `text`.
private func leaksDigits(_ text: String, from input: String) -> Bool {
    let digits = Array(input.filter { $0.isASCII && $0.isNumber })
    guard digits.count >= 4 else { return false }
    for start in 0...(digits.count - 4) where text.contains(String(digits[start..<start + 4])) {
        return true
    }
    return false
}

private func moneyError(_ text: String) -> InputError? {
    do {
        _ = try Money.parse(yuan: text, field: "amount")
        return nil
    } catch {
        return error
    }
}

@Suite("Validation value types")
struct ValuesTests {
    // MARK: - InputError

    @Test("An input error describes itself as field, colon, reason")
    func inputErrorDescription() {
        let error = InputError(field: "id-number", reason: "is empty")
        #expect(error.description == "id-number: is empty")
        #expect(error == InputError(field: "id-number", reason: "is empty"))
    }

    // MARK: - IDNumber

    @Test("The check digit is computed with ISO 7064 MOD 11-2")
    func idCheckDigit() {
        #expect(IDNumber.checkDigit(of: "42128119800101001") == "1")
        #expect(IDNumber.checkDigit(of: "11010519491231002") == "X")
        #expect(IDNumber.checkDigit(of: "42128119800101002") == "X")
        #expect(IDNumber.checkDigit(of: "4212811980010100") == nil)
        #expect(IDNumber.checkDigit(of: "4212811980010100A") == nil)
    }

    @Test("A valid 18-digit number is accepted with its birth date, sex and region derived")
    func idValidDigit() throws {
        let id = try IDNumber(parsing: "421281198001010011", today: today)
        #expect(id.value == "421281198001010011")
        #expect(id.birthDate == CivilDate(year: 1980, month: 1, day: 1))
        #expect(id.sex == .male)
        #expect(id.regionCode == "421281")
        #expect(id.birthDate.age(on: today) == 45)
    }

    @Test("A valid number ending in X is accepted and read as female when the 17th digit is even")
    func idValidX() throws {
        let id = try IDNumber(parsing: "11010519491231002X", today: today)
        #expect(id.value == "11010519491231002X")
        #expect(id.birthDate == CivilDate(year: 1949, month: 12, day: 31))
        #expect(id.sex == .female)
        #expect(id.regionCode == "110105")
    }

    @Test("Lowercase x, full-width digits, spaces, ideographic spaces and hyphens normalize")
    func idNormalization() throws {
        #expect(IDNumber.normalize(" 11010519491231002x ") == "11010519491231002X")
        #expect(IDNumber.normalize("\u{3000}110105 1949 1231 002ｘ\u{3000}") == "11010519491231002X")
        #expect(IDNumber.normalize("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X")
        #expect(IDNumber.normalize("421281-19800101-0011") == "421281198001010011")
        let fullWidth = try IDNumber(parsing: "４２１２８１ １９８００１０１ ００１１", today: today)
        #expect(fullWidth.value == "421281198001010011")
        let lower = try IDNumber(parsing: "11010519491231002x", today: today)
        #expect(lower.value == "11010519491231002X")
    }

    @Test("A 15-digit first-generation number is upgraded to 18 characters")
    func idUpgrade() throws {
        #expect(IDNumber.upgrade(fifteen: "421281800101013") == "421281198001010134")
        #expect(IDNumber.upgrade(fifteen: "42128180010101") == nil)
        #expect(IDNumber.upgrade(fifteen: "42128180010101A") == nil)
        let id = try IDNumber(parsing: "421281800101013", today: today)
        #expect(id.value == "421281198001010134")
        #expect(id.birthDate == CivilDate(year: 1980, month: 1, day: 1))
        #expect(id.sex == .male)
    }

    @Test("The masked form keeps the first 6 and last 4 characters and is what printing shows")
    func idMasking() throws {
        let id = try IDNumber(parsing: "421281198001010134", today: today)
        #expect(id.masked == "421281********0134")
        #expect(id.description == "421281********0134")
        #expect("\(id)" == "421281********0134")
        #expect(!String(reflecting: id).contains("19800101"))
        var dumped = ""
        dump(id, to: &dumped)
        #expect(!dumped.contains("19800101"))
    }

    @Test("Each kind of invalid ID number has its own reason and the reason never contains the digits")
    func idInvalidReasons() {
        let cases: [(String, String)] = [
            ("", "is empty"),
            ("\u{3000} ", "is empty"),
            ("42128119800101001", "must be 18 characters, got 17"),
            ("4212811980010100111", "must be 18 characters, got 19"),
            ("4212811980010A0011", "the first 17 characters must be digits"),
            ("42128119800101001Y", "the last character must be a digit or X"),
            ("421281198002300011", "the birth date in the number is not a real date"),
            ("421281198013010011", "the birth date in the number is not a real date"),
            ("421281203001010011", "the birth date in the number is in the future"),
            ("421281189912310011", "the birth date in the number is before 1900"),
            ("021281198001010011", "the region code (first 6 digits) is not valid"),
            ("001281198001010011", "the region code (first 6 digits) is not valid"),
            ("421281198001010012", "check digit does not match: the number is mistyped"),
            ("11010519491231002 1", "check digit does not match: the number is mistyped"),
        ]
        for (raw, reason) in cases {
            let error = idError(raw)
            #expect(error == InputError(field: "id-number", reason: reason), "input \(raw)")
            #expect(!leaksDigits(error?.description ?? "", from: raw))
        }
    }

    @Test("A number mangled by Excel into scientific notation is explained as a spreadsheet problem")
    func idExcelNotation() {
        for raw in ["4.21281E+17", "4.21281198001010E+17", "4,21281E+17", "4.2e17"] {
            let error = idError(raw)
            #expect(error?.field == "id-number")
            #expect(error?.reason.contains("spreadsheet") == true)
            #expect(error?.reason.contains("Text") == true)
            #expect(!leaksDigits(error?.description ?? "", from: raw))
        }
    }

    @Test("A birth date on the day itself is accepted but one day later is in the future")
    func idBirthToday() throws {
        let first17 = "42128120250601001"
        let raw = first17 + String(IDNumber.checkDigit(of: first17)!)
        let id = try IDNumber(parsing: raw, today: today)
        #expect(id.birthDate == today)
        let yesterday = CivilDate.fromDaysSinceEpoch(today.daysSinceEpoch - 1)
        #expect(idError(raw, today: yesterday)?.reason == "the birth date in the number is in the future")
    }

    @Test("The field name given by the caller is used in errors")
    func idCustomField() {
        let error = idError("123", today: today)
        #expect(error?.description == "id-number: must be 18 characters, got 3")
        do {
            _ = try IDNumber(parsing: "123", field: "spouse-id-number", today: today)
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "spouse-id-number")
        }
    }

    // MARK: - CivilDate

    @Test("Dates parse in YYYY-MM-DD and YYYYMMDD forms, including full-width digits")
    func dateParsing() throws {
        #expect(try CivilDate.parse("2024-03-05", field: "d") == CivilDate(year: 2024, month: 3, day: 5))
        #expect(try CivilDate.parse("20240305", field: "d") == CivilDate(year: 2024, month: 3, day: 5))
        #expect(try CivilDate.parse(" ２０２４-０３-０５\u{3000}", field: "d") == CivilDate(year: 2024, month: 3, day: 5))
        #expect(try CivilDate.parse("2024-02-29", field: "d").description == "2024-02-29")
    }

    @Test("Impossible dates, wrong formats and out-of-range years are refused with reasons")
    func dateInvalid() {
        let cases: [(String, String)] = [
            ("", "is empty"),
            ("2023-02-29", "that day does not exist in that month (check for leap years)"),
            ("2024-04-31", "that day does not exist in that month (check for leap years)"),
            ("2024-13-01", "month must be between 01 and 12"),
            ("2024-00-10", "month must be between 01 and 12"),
            ("1899-12-31", "year must be between 1900 and 2200"),
            ("2201-01-01", "year must be between 1900 and 2200"),
            ("2024/03/05", "must be a date written as YYYY-MM-DD"),
            ("2024-3-5", "must be a date written as YYYY-MM-DD"),
            ("24-03-05", "must be a date written as YYYY-MM-DD"),
        ]
        for (text, reason) in cases {
            #expect(throws: InputError(field: "birth-date", reason: reason)) {
                try CivilDate.parse(text, field: "birth-date")
            }
        }
    }

    @Test("The initializer validates real calendar dates including leap years")
    func dateInitializer() {
        #expect(CivilDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2023, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2023, month: 6, day: 31) == nil)
        #expect(CivilDate(year: 2023, month: 0, day: 1) == nil)
        #expect(CivilDate(year: 2023, month: 1, day: 0) == nil)
    }

    @Test("Days since the epoch match known values")
    func dateKnownEpochDays() {
        #expect(CivilDate(year: 1970, month: 1, day: 1)!.daysSinceEpoch == 0)
        #expect(CivilDate(year: 1969, month: 12, day: 31)!.daysSinceEpoch == -1)
        #expect(CivilDate(year: 2000, month: 3, day: 1)!.daysSinceEpoch == 11_017)
        #expect(CivilDate(year: 2024, month: 2, day: 29)!.daysSinceEpoch == 19_782)
        #expect(CivilDate(year: 1900, month: 1, day: 1)!.daysSinceEpoch == -25_567)
        #expect(CivilDate.fromDaysSinceEpoch(0) == CivilDate(year: 1970, month: 1, day: 1))
        #expect(CivilDate.fromDaysSinceEpoch(11_017) == CivilDate(year: 2000, month: 3, day: 1))
        #expect(CivilDate.fromDaysSinceEpoch(11_016) == CivilDate(year: 2000, month: 2, day: 29))
        #expect(CivilDate.fromDaysSinceEpoch(1_700_000_000 / 86_400) == CivilDate(year: 2023, month: 11, day: 14))
    }

    @Test("Days since the epoch round-trip day by day from 1890 to 2210")
    func dateRoundTrip() {
        let start = CivilDate(year: 1890, month: 1, day: 1)!.daysSinceEpoch
        let end = CivilDate(year: 2210, month: 12, day: 31)!.daysSinceEpoch
        var previous = CivilDate.fromDaysSinceEpoch(start - 1)
        var failures = 0
        for days in start...end {
            let date = CivilDate.fromDaysSinceEpoch(days)
            if date.daysSinceEpoch != days || !(previous < date)
                || CivilDate(year: date.year, month: date.monthNumber, day: date.day) != date
            {
                failures += 1
            }
            previous = date
        }
        #expect(failures == 0)
        #expect(CivilDate.fromDaysSinceEpoch(end) == CivilDate(year: 2210, month: 12, day: 31))
    }

    @Test("Days far outside years 1 to 9999 are clamped instead of crashing")
    func dateClamp() {
        #expect(CivilDate.fromDaysSinceEpoch(.max) == CivilDate(year: 9999, month: 12, day: 31))
        #expect(CivilDate.fromDaysSinceEpoch(.min) == CivilDate(year: 1, month: 1, day: 1))
    }

    @Test("Age counts completed years, including leap-day birthdays")
    func dateAge() {
        let birth = CivilDate(year: 1960, month: 6, day: 15)!
        #expect(birth.age(on: CivilDate(year: 2020, month: 6, day: 14)!) == 59)
        #expect(birth.age(on: CivilDate(year: 2020, month: 6, day: 15)!) == 60)
        let leap = CivilDate(year: 2000, month: 2, day: 29)!
        #expect(leap.age(on: CivilDate(year: 2001, month: 2, day: 28)!) == 0)
        #expect(leap.age(on: CivilDate(year: 2001, month: 3, day: 1)!) == 1)
    }

    @Test("Dates order chronologically and know their month")
    func dateOrderAndMonth() {
        let earlier = CivilDate(year: 2023, month: 12, day: 31)!
        let later = CivilDate(year: 2024, month: 1, day: 1)!
        #expect(earlier < later)
        #expect(later.month == Month(year: 2024, month: 1))
    }

    @Test("Dates and months encode as plain strings and refuse bad strings when decoding")
    func dateCodable() throws {
        let date = CivilDate(year: 2024, month: 2, day: 29)!
        let data = try JSONEncoder().encode([date])
        #expect(String(decoding: data, as: UTF8.self) == #"["2024-02-29"]"#)
        #expect(try JSONDecoder().decode([CivilDate].self, from: data) == [date])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CivilDate].self, from: Data(#"["2023-02-29"]"#.utf8))
        }
        let month = Month(year: 2024, month: 7)!
        let monthData = try JSONEncoder().encode([month])
        #expect(String(decoding: monthData, as: UTF8.self) == #"["2024-07"]"#)
        #expect(try JSONDecoder().decode([Month].self, from: monthData) == [month])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Month].self, from: Data(#"["2024-13"]"#.utf8))
        }
    }

    // MARK: - Month

    @Test("Months parse in YYYY-MM and YYYYMM forms and refuse month 13")
    func monthParsing() throws {
        #expect(try Month.parse("2024-07", field: "m") == Month(year: 2024, month: 7))
        #expect(try Month.parse("202407", field: "m") == Month(year: 2024, month: 7))
        #expect(try Month.parse("2024-07", field: "m").description == "2024-07")
        #expect(throws: InputError(field: "m", reason: "month must be between 01 and 12")) {
            try Month.parse("2024-13", field: "m")
        }
        #expect(throws: InputError(field: "m", reason: "must be a month written as YYYY-MM")) {
            try Month.parse("2024-7", field: "m")
        }
        #expect(throws: InputError(field: "m", reason: "year must be between 1900 and 2200")) {
            try Month.parse("1850-01", field: "m")
        }
        #expect(Month(year: 2024, month: 0) == nil)
    }

    @Test("Month arithmetic crosses year boundaries in both directions")
    func monthArithmetic() {
        let month = Month(year: 2024, month: 11)!
        #expect(month.adding(months: 2) == Month(year: 2025, month: 1))
        #expect(month.adding(months: -11) == Month(year: 2023, month: 12))
        #expect(month.adding(months: 0) == month)
        #expect(month.adding(months: 25) == Month(year: 2026, month: 12))
        #expect(Month(year: 2024, month: 1)! < Month(year: 2024, month: 2)!)
    }

    @Test("A month knows its first and last day, including February in leap years")
    func monthDays() {
        #expect(Month(year: 2024, month: 2)!.firstDay == CivilDate(year: 2024, month: 2, day: 1))
        #expect(Month(year: 2024, month: 2)!.lastDay == CivilDate(year: 2024, month: 2, day: 29))
        #expect(Month(year: 2023, month: 2)!.lastDay == CivilDate(year: 2023, month: 2, day: 28))
        #expect(Month(year: 2100, month: 2)!.lastDay == CivilDate(year: 2100, month: 2, day: 28))
        #expect(Month(year: 2024, month: 4)!.lastDay == CivilDate(year: 2024, month: 4, day: 30))
        #expect(Month(year: 2024, month: 12)!.lastDay == CivilDate(year: 2024, month: 12, day: 31))
    }

    // MARK: - Money

    @Test("Money parses the ways amounts are written into integer fen")
    func moneyParsing() throws {
        let cases: [(String, Int64)] = [
            ("560", 56_000), ("560.5", 56_050), ("560.50", 56_050), ("1,300", 130_000), ("1300元", 130_000),
            ("1300 元", 130_000), ("¥1300", 130_000), ("５６０．５", 56_050), ("0.05", 5), (".5", 50),
            ("0", 0), ("1,234,567.89", 123_456_789), ("100000000", 10_000_000_000), ("007", 700),
        ]
        for (text, fen) in cases {
            #expect(try Money.parse(yuan: text, field: "amount") == Money(fen: fen), "input \(text)")
        }
    }

    @Test("Money refuses negative, too precise, exponent, empty, non-numeric and absurd amounts")
    func moneyInvalid() {
        let cases: [(String, String)] = [
            ("-5", "must not be negative"),
            ("－5", "must not be negative"),
            ("1.234", "must have at most two decimal places (fen)"),
            ("1e3", "must be written out in full, not in exponent notation"),
            ("1.5E+3", "must be written out in full, not in exponent notation"),
            ("", "is empty"),
            ("元", "is empty"),
            ("abc", "must be an amount in yuan, like 560 or 560.50"),
            ("5.", "must be an amount in yuan, like 560 or 560.50"),
            ("1.2.3", "must be an amount in yuan, like 560 or 560.50"),
            ("5 60", "must be an amount in yuan, like 560 or 560.50"),
            ("1,30", "has thousands separators in the wrong places"),
            ("1,3000", "has thousands separators in the wrong places"),
            ("100000000.01", "is too large: more than 100,000,000 yuan"),
            ("99999999999999999999999", "is too large: more than 100,000,000 yuan"),
        ]
        for (text, reason) in cases {
            #expect(moneyError(text) == InputError(field: "amount", reason: reason), "input \(text)")
        }
    }

    @Test("Money renders as yuan with two decimals and encodes as integer fen")
    func moneyText() throws {
        #expect(Money(fen: 56_000).yuanText == "560.00")
        #expect(Money(fen: 130_050).yuanText == "1300.50")
        #expect(Money(fen: 5).yuanText == "0.05")
        #expect(Money(fen: -320).yuanText == "-3.20")
        #expect(Money(fen: .min).yuanText == "-92233720368547758.08")
        #expect(Money(fen: 5) < Money(fen: 6))
        let data = try JSONEncoder().encode([Money(fen: 56_050)])
        #expect(String(decoding: data, as: UTF8.self) == "[56050]")
        #expect(try JSONDecoder().decode([Money].self, from: data) == [Money(fen: 56_050)])
    }

    // MARK: - BankCard

    @Test("Bank cards keep only digits, accept full-width digits and mask all but first and last four")
    func bankCardValid() throws {
        let card = try BankCard.parse("6222 0212-3456 7890 123", field: "bank-card")
        #expect(card.value == "6222021234567890123")
        #expect(card.masked == "6222***********0123")
        #expect("\(card)" == card.masked)
        #expect(!String(reflecting: card).contains("021234567890"))
        let fullWidth = try BankCard.parse("６２２２\u{3000}０２１２３４５６", field: "bank-card")
        #expect(fullWidth.value == "622202123456")
        #expect(fullWidth.masked == "6222****3456")
    }

    @Test("Invalid bank cards are refused with reasons that never contain the digits")
    func bankCardInvalid() {
        let cases: [(String, String)] = [
            ("", "is empty"),
            ("6222 0212 345", "must be 12 to 19 digits, got 11"),
            ("62220212345678901234", "must be 12 to 19 digits, got 20"),
            ("6222 0212 3456 789A", "must contain only digits"),
            ("6.22202E+18", ""),
        ]
        for (text, reason) in cases {
            do {
                _ = try BankCard.parse(text, field: "bank-card")
                Issue.record("accepted \(text)")
            } catch {
                if reason.isEmpty {
                    #expect(error.reason.contains("spreadsheet"))
                } else {
                    #expect(error == InputError(field: "bank-card", reason: reason))
                }
                #expect(!leaksDigits(error.description, from: text))
            }
        }
    }

    // MARK: - Phone

    @Test("Phone numbers are compacted to digits with an optional leading plus")
    func phoneValid() throws {
        #expect(try Phone.parse("138 0013 8000", field: "phone").value == "13800138000")
        #expect(try Phone.parse("(0710) 123-4567", field: "phone").value == "07101234567")
        #expect(try Phone.parse("+86 138-0013-8000", field: "phone").value == "+8613800138000")
        #expect(try Phone.parse("（０７１０）１２３４５６７", field: "phone").value == "07101234567")
        #expect(try Phone.parse("12345", field: "phone").value == "12345")
    }

    @Test("Invalid phone numbers are refused with reasons")
    func phoneInvalid() {
        #expect(throws: InputError(field: "phone", reason: "is empty")) { try Phone.parse(" ", field: "phone") }
        #expect(throws: InputError(field: "phone", reason: "must have 5 to 20 digits, got 4")) {
            try Phone.parse("1234", field: "phone")
        }
        #expect(throws: InputError(field: "phone", reason: "must have 5 to 20 digits, got 21")) {
            try Phone.parse("123456789012345678901", field: "phone")
        }
        let onlyDigits = "may contain only digits, spaces, hyphens, brackets and a leading +"
        #expect(throws: InputError(field: "phone", reason: onlyDigits)) { try Phone.parse("138x0013", field: "phone") }
        #expect(throws: InputError(field: "phone", reason: onlyDigits)) { try Phone.parse("138+0013", field: "phone") }
    }

    // MARK: - DivisionCode and ScopePrefix

    @Test("Division codes need exactly 12 digits with a non-zero county part")
    func divisionCodeParsing() throws {
        let code = try DivisionCode.parse(" 421281100201 ", field: "village")
        #expect(code.value == "421281100201")
        #expect(code.county == "421281")
        #expect(code.township == "421281100")
        let cases: [(String, String)] = [
            ("", "is empty"),
            ("42128110020", "must be 12 digits (6 county, 3 township, 3 village), got 11"),
            ("4212811002011", "must be 12 digits (6 county, 3 township, 3 village), got 13"),
            ("42128110020A", "must contain only digits"),
            ("000000100201", "the county part (first 6 digits) must not be all zeros"),
        ]
        for (text, reason) in cases {
            #expect(throws: InputError(field: "village", reason: reason)) {
                try DivisionCode.parse(text, field: "village")
            }
        }
        #expect(try DivisionCode.parse("421281100201", field: "v") < DivisionCode.parse("421281100202", field: "v"))
    }

    @Test("Scopes know their level and contain codes and narrower scopes by prefix")
    func scopeContainment() throws {
        let county = try ScopePrefix.parse("421281", field: "scope")
        let township = try ScopePrefix.parse("421281100", field: "scope")
        let village = try ScopePrefix.parse("421281100201", field: "scope")
        let otherTownship = try ScopePrefix.parse("421281101", field: "scope")
        #expect(county.level == .county)
        #expect(township.level == .township)
        #expect(village.level == .village)

        let code = try DivisionCode.parse("421281100201", field: "village")
        let elsewhere = try DivisionCode.parse("421282100201", field: "village")
        #expect(county.contains(code))
        #expect(township.contains(code))
        #expect(village.contains(code))
        #expect(!otherTownship.contains(code))
        #expect(!county.contains(elsewhere))

        #expect(county.contains(township))
        #expect(county.contains(village))
        #expect(township.contains(village))
        #expect(township.contains(township))
        #expect(!township.contains(county))
        #expect(!village.contains(township))
        #expect(!otherTownship.contains(village))
    }

    @Test("Scope levels rank county above township above village")
    func scopeLevelOrder() {
        #expect(ScopePrefix.Level.county > .township)
        #expect(ScopePrefix.Level.township > .village)
        #expect([ScopePrefix.Level.county, .village, .township].sorted() == [.village, .township, .county])
    }

    @Test("Scopes refuse other lengths and an all-zero county part")
    func scopeInvalid() {
        let lengthReason = "must be 6 (county), 9 (township) or 12 (village) digits, got 7"
        #expect(throws: InputError(field: "scope", reason: lengthReason)) {
            try ScopePrefix.parse("4212811", field: "scope")
        }
        #expect(throws: InputError(field: "scope", reason: "the county part (first 6 digits) must not be all zeros")) {
            try ScopePrefix.parse("000000", field: "scope")
        }
    }

    @Test("Division codes and scopes encode as strings and are validated when decoded")
    func divisionCodable() throws {
        let code = try DivisionCode.parse("421281100201", field: "v")
        let scope = try ScopePrefix.parse("421281100", field: "s")
        #expect(String(decoding: try JSONEncoder().encode([code]), as: UTF8.self) == #"["421281100201"]"#)
        #expect(try JSONDecoder().decode([DivisionCode].self, from: JSONEncoder().encode([code])) == [code])
        #expect(try JSONDecoder().decode([ScopePrefix].self, from: JSONEncoder().encode([scope])) == [scope])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([DivisionCode].self, from: Data(#"["4212811002"]"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([ScopePrefix].self, from: Data(#"["4212811"]"#.utf8))
        }
    }

    // MARK: - Sex

    @Test("Sex encodes with its raw names")
    func sexRawValues() {
        #expect(Sex.allCases == [.male, .female])
        #expect(Sex(rawValue: "female") == .female)
    }
}
