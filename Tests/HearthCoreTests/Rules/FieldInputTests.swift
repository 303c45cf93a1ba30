import HearthCore
import Testing

@Suite("Field limits: what people type is held to the schema's limits, in one place")
struct FieldInputTests {
    @Test("every free-text field of the schema takes its declared length and refuses one more character")
    func everyTextField() throws {
        var checked = 0
        for type in RecordType.allCases {
            for spec in RecordSchema.fields(of: type) {
                guard case .text(let maxLength) = spec.kind else { continue }
                let fits = String(repeating: "户", count: maxLength)
                #expect(try FieldInput.text(fits, field: spec.name, of: type) == fits)
                #expect(throws: InputError.self) { try FieldInput.text(fits + "户", field: spec.name, of: type) }
                #expect(spec.kind.problem(with: .text(fits)) == nil)
                checked += 1
            }
        }
        #expect(checked > 20)
    }

    @Test("a refusal names the field as typed and the limit, never the text")
    func messages() {
        let long = String(repeating: "a", count: 51)
        #expect(throws: InputError(field: "account-name", reason: "must be at most 50 characters (got 51)")) {
            try FieldInput.text(long, field: "account_name", of: .member)
        }
        #expect(throws: InputError(field: "name", reason: "must not be empty")) {
            try FieldInput.text("  \n", field: "name", of: .member)
        }
        #expect(
            throws: InputError(field: "note", reason: "must not contain control characters or bidirectional overrides")
        ) {
            try FieldInput.text("a\u{202E}b", label: "note", maxLength: 500)
        }
        #expect(throws: InputError(field: "sex", reason: "is not a text field of a member")) {
            try FieldInput.text("male", field: "sex", of: .member)
        }
    }

    @Test("text is trimmed and stored in one spelling (NFC)")
    func normalised() throws {
        #expect(try FieldInput.text("  e\u{301}  ", label: "note", maxLength: 1) == "\u{e9}")
    }

    @Test("codes and integer ranges come from the schema too")
    func codesAndRanges() throws {
        #expect(try FieldInput.code(" Urban ", field: "type", of: .household) == "urban")
        #expect(throws: InputError(field: "type", reason: "must be one of rural, urban (got \"town\")")) {
            try FieldInput.code("town", field: "type", of: .household)
        }
        #expect(try FieldInput.integer(0, field: "disability_grade", of: .member, zeroClears: true) == .null)
        #expect(try FieldInput.integer(4, field: "disability_grade", of: .member) == .integer(4))
        #expect(throws: InputError(field: "disability-grade", reason: "must be 1 to 4 (or 0 to clear)")) {
            try FieldInput.integer(5, field: "disability_grade", of: .member, zeroClears: true)
        }
        #expect(throws: InputError(field: "population", reason: "must be 0 to 99")) {
            try FieldInput.integer(100, field: "population", of: .household)
        }
        #expect(FieldInput.maxLength(of: "note", of: .visit) == 2000)
        #expect(FieldInput.maxLength(of: "amount", of: .enrollment) == nil)
    }
}
