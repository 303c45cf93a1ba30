import Foundation
import HearthText

/// A rejected piece of field input, phrased for the field worker who typed it.
///
/// It exists so every parser reports problems the same way: which field, and why.
/// The reason never repeats the rejected text, because that text may be an ID number
/// or bank card digits, which must not end up in logs or on screens.
///
/// The reason is a ``LocalizedText``: the CLI prints it in the clerk's language, the desk in
/// the browser's; ``reason`` is its English, for logs and the rules' own texts.
public struct InputError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The name of the field the input was meant for, e.g. "id-number".
    public let field: String
    /// Why the input was refused, as a catalogue message.
    public let message: LocalizedText

    /// A reason that has no catalogue entry yet, shown as it is in every language.
    public init(field: String, reason: String) {
        self.field = field
        self.message = .verbatim(reason)
    }

    /// A reason from the catalogue (`input.*`).
    public init(field: String, _ key: String, _ values: [String: String] = [:]) {
        self.field = field
        self.message = LocalizedText(key, values)
    }

    /// Why the input was refused, in English.
    public var reason: String { message.text(in: .en) }

    /// "<field>: <reason>" in `language`; the field by its catalogue name (`field.id_number` is
    /// 身份证号 in Chinese) where it has one.
    public func text(in language: Language) -> String {
        let key = "field." + field.replacingOccurrences(of: "-", with: "_")
        let name = Catalogue.entries(language)[key] ?? field
        return language == .zh ? "\(name)：\(message.text(in: language))" : "\(name): \(message.text(in: language))"
    }

    /// "<field>: <reason>" in the process's language.
    public var description: String { text(in: .current) }

    /// Equal when they name the same field with the same reason in English, whether the reason
    /// came from the catalogue or was given verbatim.
    public static func == (left: InputError, right: InputError) -> Bool {
        left.field == right.field && left.reason == right.reason
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(field)
        hasher.combine(reason)
    }
}
