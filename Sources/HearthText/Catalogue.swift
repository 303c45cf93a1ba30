import Foundation

/// Every word Hearth's command line and libraries say to a person, one catalogue per language
/// (Catalogue+zh.swift, Catalogue+en.swift): a translation is one file, code names messages by
/// key, and a key missing from either catalogue fails a test (CatalogueTests) instead of
/// reaching a clerk as a key.
///
/// Entries are text with `{name}` parts; ``text(_:_:in:)`` fills them. Values of coded fields
/// are entries too (`value.type.rural` is 农村 in Chinese), so they are shown in the reader's
/// language and accepted in either (``code(named:field:among:)``).
public enum Catalogue {
    /// The entries of `language`.
    public static func entries(_ language: Language) -> [String: String] {
        language == .zh ? zh : en
    }

    /// The entry `key` in `language` with each `{name}` replaced by its value; the English entry
    /// when `language` lacks it, the key itself when both do (a test keeps both complete).
    public static func text(_ key: String, _ values: [String: String] = [:], in language: Language = .current)
        -> String
    {
        let template = entries(language)[key] ?? en[key] ?? key
        return fill(template, values)
    }

    /// `template` with each `{name}` replaced by `values[name]`; a part without a value stays.
    public static func fill(_ template: String, _ values: [String: String]) -> String {
        guard !values.isEmpty, template.contains("{") else { return template }
        var out = ""
        out.reserveCapacity(template.utf8.count)
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "}") else {
                rest = rest[open...]
                break
            }
            let name = String(rest[afterOpen..<close])
            if let value = values[name] { out += value } else { out += rest[open...close] }
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return out
    }

    /// How the value `code` of the coded field `field` is named in `language`
    /// (`value.<field>.<code>`); the code itself when the catalogue has no name for it.
    public static func valueName(_ code: String, field: String, in language: Language = .current) -> String {
        entries(language)["value.\(field).\(code)"] ?? code
    }

    /// The code among `codes` that `typed` names, in either language and ignoring case:
    /// `农村` and `rural` both give `rural` for the field `type`. Nil when none does.
    public static func code(named typed: String, field: String, among codes: [String]) -> String? {
        let wanted = typed.trimmingCharacters(in: .whitespaces).lowercased()
        for code in codes {
            if code.lowercased() == wanted { return code }
            let key = "value.\(field).\(code)"
            for language in Language.allCases where entries(language)[key]?.lowercased() == wanted { return code }
            // Other spellings a clerk types for the same value (城市 for 城镇).
            if aliases[key]?.contains(wanted) == true { return code }
        }
        return nil
    }
}
