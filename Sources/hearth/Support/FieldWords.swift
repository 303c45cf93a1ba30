import HearthCore
import HearthText

/// How records' parts are named on the screen, in the reader's language: a field by its
/// catalogue name (`id_number` is 身份证号), a coded value by its (`approved` is 在保), a
/// program by its Chinese name in Chinese. `--json` keeps the schema's names and codes.
enum FieldWords {
    /// The field's name: `field.<name>` in the catalogue, else the name.
    static func name(_ field: String) -> String {
        Catalogue.entries(.current)["field.\(field)"] ?? field
    }

    /// A value as a record shows it: a code named in the reader's language, a program by its
    /// Chinese name in Chinese; any other value as it is.
    static func value(_ shown: String, field: String) -> String {
        if field == "program", let program = Program(rawValue: shown) {
            return Language.current == .zh ? program.chineseName : shown
        }
        return Catalogue.valueName(shown, field: field)
    }

    /// The record type's name (户, 成员, …).
    static func type(_ type: RecordType) -> String {
        Catalogue.entries(.current)["record.\(type.rawValue)"] ?? type.rawValue
    }
}
