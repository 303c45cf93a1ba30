import ArgumentParser
import HearthText

/// The catalogue entry `key` in the process's language (``Language/current``), with each
/// `{name}` part filled from `values` (numbers and other values written with their
/// `description`). Every word the CLI prints goes through here or ``ArgumentHelp/text(_:_:)``.
func L(_ key: String, _ values: [String: any CustomStringConvertible] = [:]) -> String {
    Catalogue.text(key, values.mapValues { $0.description })
}

/// A coded value (`rural`, `approved`) as the reader's language names it (农村, 在保).
func valueName(_ code: String, field: String) -> String {
    Catalogue.valueName(code, field: field)
}

extension ArgumentHelp {
    /// Help for an option or argument from the catalogue.
    static func text(_ key: String, _ values: [String: any CustomStringConvertible] = [:]) -> ArgumentHelp {
        ArgumentHelp(L(key, values))
    }
}
