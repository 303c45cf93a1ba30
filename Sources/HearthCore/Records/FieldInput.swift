import Foundation
import HearthText

/// What a person typed for a field, checked against the field's spec in ``RecordSchema``: the
/// one place the limits on typed values live (a name's 50 characters, a note's 500, a grade's
/// 1-4), so the commands, the roster import and the desk cannot hold one field to two limits.
/// Each failure is an ``InputError`` naming the field as the person typed it (`account-name`)
/// and what was wrong, never the value.
public enum FieldInput {
    /// The longest reason a worker gives for a change (kept as the op's cause).
    public static let reasonMaxLength = 200
    /// The longest tag a worker types (a ``FieldKind/set`` member).
    public static let tagMaxLength = 64

    /// How a field is named to the person who typed it: `work_capacity` is `work-capacity`.
    public static func label(_ name: String) -> String {
        name.replacingOccurrences(of: "_", with: "-")
    }

    /// The longest text a field takes, from its spec; nil when the field is not free text.
    public static func maxLength(of name: String, of type: RecordType) -> Int? {
        if case .text(let maxLength)? = RecordSchema.field(name, of: type)?.kind { return maxLength }
        return nil
    }

    /// Trimmed, NFC-normalised text of at most `maxLength` characters, not empty, without
    /// control characters or bidirectional overrides: replicas compare and hash text by its
    /// bytes, so one spelling of every character is stored.
    public static func text(_ raw: String, label: String, maxLength: Int) throws(InputError) -> String {
        let text =
            isSettled(raw)
            ? raw : raw.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
        guard !text.isEmpty else { throw InputError(field: label, "input.empty") }
        guard text.count <= maxLength else {
            throw InputError(field: label, "input.too_long", ["max": "\(maxLength)", "count": "\(text.count)"])
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }),
            !DisplaySafety.isUnsafe(text)
        else {
            throw InputError(field: label, "input.control_characters")
        }
        return text
    }

    /// True when trimming and NFC would leave `raw` as it is: nothing blank at either end, and
    /// only scalars NFC never changes (printable ASCII and the CJK ideographs, which have no
    /// decomposition and combine with nothing). Most names, addresses and codes are, and skip
    /// Foundation's bridged trimming and normalisation (a roster import checks a million cells).
    static func isSettled(_ raw: String) -> Bool {
        guard let first = raw.unicodeScalars.first, first != " ", raw.unicodeScalars.last != " " else { return false }
        return raw.unicodeScalars.allSatisfy { scalar in
            switch scalar.value {
            case 0x20...0x7E, 0x3400...0x4DBF, 0x4E00...0x9FFF: return true
            default: return false
            }
        }
    }

    /// Text for the free-text field `name` of `type`, held to the limit its spec declares.
    public static func text(_ raw: String, field name: String, of type: RecordType, label: String? = nil)
        throws(InputError) -> String
    {
        guard let maxLength = maxLength(of: name, of: type) else {
            throw InputError(field: label ?? Self.label(name), reason: "is not a text field of a \(type.rawValue)")
        }
        return try text(raw, label: label ?? Self.label(name), maxLength: maxLength)
    }

    /// One of `allowed`, trimmed and lower-cased, or named in either language (农村 for
    /// `rural`: the catalogue's `value.<field>.<code>` names, where `field` is the label with
    /// `-` as `_`).
    public static func code(_ raw: String, label: String, allowed: [String]) throws(InputError) -> String {
        let text = raw.trimmingCharacters(in: .whitespaces).lowercased()
        if allowed.contains(text) { return text }
        let field = label.replacingOccurrences(of: "-", with: "_")
        if let code = Catalogue.code(named: raw, field: field, among: allowed) { return code }
        let names = allowed.map { code in
            let name = Catalogue.valueName(code, field: field)
            return name == code ? code : "\(name) (\(code))"
        }
        throw InputError(
            field: label, "input.one_of", ["allowed": names.joined(separator: ", "), "typed": raw])
    }

    /// A disability grade typed as 1-4, 一级 to 四级 (or 一 to 四, 1级 to 4级); 0, 无 or nothing
    /// typed clears it (0 is returned).
    public static func disabilityGrade(_ raw: String, label: String) throws(InputError) -> Int {
        let word = raw.trimmingCharacters(in: .whitespaces)
        let grades: [String: Int] = [
            "0": 0, "无": 0, "": 0, "1": 1, "2": 2, "3": 3, "4": 4, "一级": 1, "二级": 2, "三级": 3, "四级": 4,
            "1级": 1, "2级": 2, "3级": 3, "4级": 4, "一": 1, "二": 2, "三": 3, "四": 4,
        ]
        guard let grade = grades[word] else { throw InputError(field: label, "input.grade") }
        return grade
    }

    /// One of the codes the field `name` of `type` declares.
    public static func code(_ raw: String, field name: String, of type: RecordType, label: String? = nil)
        throws(InputError) -> String
    {
        guard case .code(let codes)? = RecordSchema.field(name, of: type)?.kind else {
            throw InputError(field: label ?? Self.label(name), reason: "is not a code field of a \(type.rawValue)")
        }
        return try code(raw, label: label ?? Self.label(name), allowed: codes)
    }

    /// An integer within the range the field `name` of `type` declares; with `zeroClears`, 0
    /// clears the field (a grade withdrawn).
    public static func integer(
        _ value: Int, field name: String, of type: RecordType, label: String? = nil, zeroClears: Bool = false
    ) throws(InputError) -> FieldValue {
        let label = label ?? Self.label(name)
        guard case .integer(let range)? = RecordSchema.field(name, of: type)?.kind else {
            throw InputError(field: label, reason: "is not an integer field of a \(type.rawValue)")
        }
        if zeroClears, value == 0 { return .null }
        guard range.contains(Int64(value)) else {
            throw InputError(
                field: label, zeroClears ? "input.range_or_clear" : "input.range",
                ["low": "\(range.lowerBound)", "high": "\(range.upperBound)"])
        }
        return .integer(Int64(value))
    }
}
