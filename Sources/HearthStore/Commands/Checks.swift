import Foundation
import GRDB
import HearthCore
import HearthText

/// Input checks shared by the commands; each failure names the field and the reason. The
/// limits and the checks are the schema's (``FieldInput``, in HearthCore): one place for both.
package enum Checks {
    /// Trimmed, NFC-normalised text of at most `maxLength` characters (``FieldInput/text(_:label:maxLength:)``).
    package static func text(_ raw: String, field: String, maxLength: Int) throws(InputError) -> String {
        try FieldInput.text(raw, label: field, maxLength: maxLength)
    }

    package static func code(_ raw: String, field: String, allowed: [String]) throws(InputError) -> String {
        try FieldInput.code(raw, label: field, allowed: allowed)
    }

    package static func recordID(_ raw: String, field: String, type: RecordType) throws(InputError) -> RecordID {
        guard let id = RecordID(raw.trimmingCharacters(in: .whitespaces)) else {
            throw InputError(field: field, "input.not_an_id", ["text": raw, "prefix": "\(type.idPrefix)"])
        }
        guard id.type == type else {
            throw InputError(
                field: field, "input.wrong_type",
                ["id": "\(id)", "actual": typeWord(id.type), "expected": typeWord(type)])
        }
        return id
    }

    /// The name of a kind of record in the process's language (`record.member` is 成员).
    package static func typeWord(_ type: RecordType) -> String {
        Catalogue.text("record." + type.rawValue)
    }

    /// A program's name in the process's language: its Chinese name (城市低保) or its code.
    package static func programWord(_ program: Program) -> String {
        Language.current == .zh ? program.chineseName : program.rawValue
    }

    /// A status code's name in the process's language (`approved` is 在保).
    package static func statusWord(_ status: String) -> String {
        Catalogue.valueName(status, field: "status")
    }

    /// A disability grade in the schema's range; 0 clears it.
    package static func grade(_ grade: Int, field: String) throws(InputError) -> FieldValue {
        try FieldInput.integer(grade, field: "disability_grade", of: .member, label: field, zeroClears: true)
    }
}

extension ChangeSet {
    /// The state of a record that must exist and be of the given type.
    package mutating func existing(_ id: RecordID, field: String) throws -> RecordState {
        guard let state = try state(of: id) else {
            throw InputError(field: field, "input.no_record", ["type": Checks.typeWord(id.type), "id": "\(id)"])
        }
        return state
    }

    /// The display value of a field as text.
    package static func text(_ state: RecordState, _ field: String) -> String? {
        state.resolution(of: field).value.textValue
    }

    /// Refuses a field worker's edit to a field in conflict: the county settles it at the
    /// desk, where the decision is recorded (a plain edit would close it unrecorded).
    package func refuseIfInConflict(_ state: RecordState, _ fields: [String: FieldValue]) throws {
        for name in fields.keys.sorted() where state.resolution(of: name).inConflict {
            throw InputError(
                field: name.replacingOccurrences(of: "_", with: "-"), "input.field_in_conflict",
                ["id": "\(state.id)", "field": name])
        }
    }

    /// Records a household's registered population after a member joins or leaves it. Two
    /// concurrent changes to one household's members (an addition and a split, say) then
    /// write this field concurrently, and the desk sees them (R8). Left alone while the
    /// field is already in conflict: writing it would settle that conflict silently.
    package mutating func recountPopulation(_ household: RecordID, change: Int) throws {
        guard let state = try state(of: household), !state.resolution(of: "population").inConflict else { return }
        let listed = try sql.integer("SELECT count(*) FROM members WHERE household = ?", [.text(household.value)]) ?? 0
        try update(household, fields: ["population": .integer(max(0, min(99, listed + Int64(change))))])
    }

    public func today() -> CivilDate { DomainCalendar.date(atMillis: nowMillis) }
}
