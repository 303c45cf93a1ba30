/// A message as data: a catalogue key and the values of its `{name}` parts, put into words
/// only where a person reads it, in that person's language.
///
/// Why data and not a string: the same refusal is printed by the CLI in the clerk's language,
/// shown by the desk in the browser's, and logged in English; an error that carried finished
/// English could be translated by none of them. A text that has no catalogue entry (a reason
/// quoted from another system, a SQLite message) is carried ``verbatim(_:)``.
public struct LocalizedText: Hashable, Sendable, CustomStringConvertible {
    /// The catalogue key, e.g. `input.empty`; empty for verbatim text.
    public let key: String
    /// The values of the message's `{name}` parts, already as text; for verbatim text, the text
    /// under `""`.
    public let values: [String: String]

    public init(_ key: String, _ values: [String: String] = [:]) {
        self.key = key
        self.values = values
    }

    /// Text shown as it is, in every language.
    public static func verbatim(_ text: String) -> LocalizedText {
        LocalizedText("", ["": text])
    }

    /// The text in `language`.
    public func text(in language: Language) -> String {
        key.isEmpty ? values[""] ?? "" : Catalogue.text(key, values, in: language)
    }

    /// The text in the process's language (``Language/current``).
    public var description: String { text(in: .current) }
}
